from instructors.api.serializers import AssignmentSerializer, InstructorSerializer
from instructors.filtersets import AssignmentFilterSet, InstructorFilterSet
from instructors.models import Assignment, Instructor
from portal.api import ScopedModelViewSet
from portal.permissions import Capability


class InstructorViewSet(ScopedModelViewSet):
    write_capability = Capability.EDIT_PARTY
    model = Instructor
    serializer_class = InstructorSerializer
    filterset_class = InstructorFilterSet


class AssignmentViewSet(ScopedModelViewSet):
    write_capability = Capability.EDIT_PARTY
    model = Assignment
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilterSet
