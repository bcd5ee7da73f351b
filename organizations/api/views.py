from rest_framework.decorators import action
from rest_framework.response import Response

from organizations.api.serializers import PartyMemberSerializer, PartyOrganizationSerializer
from organizations.filtersets import PartyMemberFilterSet, PartyOrganizationFilterSet
from organizations.models import PartyMember, PartyOrganization
from portal.api import ScopedModelViewSet, reveal_response
from portal.permissions import Capability


class PartyOrganizationViewSet(ScopedModelViewSet):
    write_capability = Capability.EDIT_PARTY
    model = PartyOrganization
    serializer_class = PartyOrganizationSerializer
    filterset_class = PartyOrganizationFilterSet

    def get_queryset(self):
        return super().get_queryset().prefetch_related("covered_enterprises")


class PartyMemberViewSet(ScopedModelViewSet):
    read_capability = Capability.VIEW_MEMBERS
    write_capability = Capability.EDIT_PARTY
    action_capabilities = {"reveal": Capability.REVEAL_PERSONAL}
    model = PartyMember
    serializer_class = PartyMemberSerializer
    filterset_class = PartyMemberFilterSet

    def get_queryset(self):
        return super().get_queryset().prefetch_related("participates_in")

    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None) -> Response:
        """POST /api/v1/members/{id}/reveal/: ID number and phone in clear, logged (REVEAL_PERSONAL)."""
        return reveal_response(request, self.get_object())
