"""The instructors app's REST API routes, included under /api/v1/ by the root URL conf."""

from django.urls import include, path

from instructors.api.views import AssignmentViewSet, InstructorViewSet
from portal.api import PortalRouter

router = PortalRouter()
router.register("instructors", InstructorViewSet, basename="instructor")
router.register("assignments", AssignmentViewSet, basename="assignment")

urlpatterns = [path("", include(router.urls))]
