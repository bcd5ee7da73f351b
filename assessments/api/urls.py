"""The assessments app's REST API routes, included under /api/v1/ by the root URL conf."""

from django.urls import include, path

from assessments.api.views import GapViewSet, LedgerRowViewSet
from portal.api import PortalRouter

router = PortalRouter()
router.register("ledger/rows", LedgerRowViewSet, basename="ledger-row")
router.register(r"ledger/gaps/(?P<gap>[a-z0-9_]+)", GapViewSet, basename="ledger-gap")

urlpatterns = [path("", include(router.urls))]
