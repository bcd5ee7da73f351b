"""The REST API, version 1: one router, each app registers its viewsets here by string import."""

from django.urls import include, path

from assessments.api.views import GapViewSet, LedgerRowViewSet
from enterprises.api.views import CarrierViewSet, EnterpriseViewSet, RegisterImportViewSet
from instructors.api.views import AssignmentViewSet, InstructorViewSet
from organizations.api.views import PartyMemberViewSet, PartyOrganizationViewSet
from portal.api import PortalRouter

router = PortalRouter()
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("carriers", CarrierViewSet, basename="carrier")
router.register("register-imports", RegisterImportViewSet, basename="register-import")
router.register("organizations", PartyOrganizationViewSet, basename="organization")
router.register("members", PartyMemberViewSet, basename="member")
router.register("instructors", InstructorViewSet, basename="instructor")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("ledger/rows", LedgerRowViewSet, basename="ledger-row")
router.register(r"ledger/gaps/(?P<gap>[a-z0-9_]+)", GapViewSet, basename="ledger-gap")

urlpatterns = [path("", include(router.urls))]
