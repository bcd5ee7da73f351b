from rest_framework.decorators import action
from rest_framework.response import Response

from instructors.api.serializers import AssignmentSerializer, InstructorSerializer
from instructors.filtersets import AssignmentFilterSet, InstructorFilterSet
from instructors.models import Assignment, Instructor
from portal.api import ScopedModelViewSet, reveal_response
from portal.permissions import Capability


class InstructorViewSet(ScopedModelViewSet):
    write_capability = Capability.EDIT_PARTY
    action_capabilities = {"reveal": Capability.REVEAL_PERSONAL}
    model = Instructor
    serializer_class = InstructorSerializer
    filterset_class = InstructorFilterSet

    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None) -> Response:
        """POST /api/v1/instructors/{id}/reveal/: phone in clear, logged (REVEAL_PERSONAL)."""
        return reveal_response(request, self.get_object())


class AssignmentViewSet(ScopedModelViewSet):
    write_capability = Capability.EDIT_PARTY
    model = Assignment
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilterSet
