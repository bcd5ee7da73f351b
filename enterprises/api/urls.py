"""The enterprises app's REST API routes, included under /api/v1/ by the root URL conf."""

from django.urls import include, path

from enterprises.api.views import CarrierViewSet, EnterpriseViewSet, RegisterImportViewSet
from portal.api import PortalRouter

router = PortalRouter()
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("carriers", CarrierViewSet, basename="carrier")
router.register("register-imports", RegisterImportViewSet, basename="register-import")

urlpatterns = [path("", include(router.urls))]
