from organizations.api.serializers import PartyMemberSerializer, PartyOrganizationSerializer
from organizations.filtersets import PartyMemberFilterSet, PartyOrganizationFilterSet
from organizations.models import PartyMember, PartyOrganization
from portal.api import ScopedModelViewSet
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
    model = PartyMember
    serializer_class = PartyMemberSerializer
    filterset_class = PartyMemberFilterSet

    def get_queryset(self):
        return super().get_queryset().prefetch_related("participates_in")
