from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from instructors.api.serializers import AssignmentSerializer, InstructorSerializer
from instructors.filtersets import AssignmentFilterSet, InstructorFilterSet
from instructors.models import Assignment, Instructor
from instructors.views import LOOKUP_BY_GET_REFUSED
from portal.api import ScopedModelViewSet, lookup_response, reveal_response
from portal.permissions import Capability


class InstructorLookupSerializer(serializers.Serializer):
    """The body of POST /api/v1/instructors/lookup/."""

    phone = serializers.CharField(max_length=32)


class InstructorViewSet(ScopedModelViewSet):
    read_capability = Capability.VIEW_PARTY
    write_capability = Capability.EDIT_PARTY
    action_capabilities = {"reveal": Capability.REVEAL_PERSONAL, "lookup": Capability.REVEAL_PERSONAL}
    model = Instructor
    serializer_class = InstructorSerializer
    filterset_class = InstructorFilterSet
    lookup_params = ("phone",)
    lookup_refused = LOOKUP_BY_GET_REFUSED

    @action(detail=False, methods=["post"])
    def lookup(self, request) -> Response:
        """POST /api/v1/instructors/lookup/ {"phone": ...}: instructors of the user's region with
        exactly that phone (masked). REVEAL_PERSONAL; logged and throttled (429) like a reveal."""
        body = InstructorLookupSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return lookup_response(
            request,
            Instructor,
            "phone",
            body.validated_data["phone"],
            lambda found: (
                InstructorSerializer(
                    found.select_related(*self.select_related), many=True, context={"request": request}
                ).data
            ),
        )

    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None) -> Response:
        """POST /api/v1/instructors/{id}/reveal/: phone in clear, logged (REVEAL_PERSONAL)."""
        return reveal_response(request, self.get_object())


class AssignmentViewSet(ScopedModelViewSet):
    read_capability = Capability.VIEW_PARTY
    write_capability = Capability.EDIT_PARTY
    model = Assignment
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilterSet
