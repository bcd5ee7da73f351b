"""The organizations app's REST API routes, included under /api/v1/ by the root URL conf."""

from django.urls import include, path

from organizations.api.views import PartyMemberViewSet, PartyOrganizationViewSet
from portal.api import PortalRouter

router = PortalRouter()
router.register("organizations", PartyOrganizationViewSet, basename="organization")
router.register("members", PartyMemberViewSet, basename="member")

urlpatterns = [path("", include(router.urls))]
