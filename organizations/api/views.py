from rest_framework.decorators import action
from rest_framework.response import Response

from organizations.api.serializers import (
    PartyMemberLookupSerializer,
    PartyMemberSerializer,
    PartyOrganizationSerializer,
)
from organizations.filtersets import PartyMemberFilterSet, PartyOrganizationFilterSet
from organizations.models import PartyMember, PartyOrganization
from organizations.views import LOOKUP_BY_GET_REFUSED, LOOKUP_PARAMS
from portal.api import ScopedModelViewSet, lookup_response, reveal_response
from portal.permissions import Capability


class PartyOrganizationViewSet(ScopedModelViewSet):
    read_capability = Capability.VIEW_PARTY
    write_capability = Capability.EDIT_PARTY
    model = PartyOrganization
    serializer_class = PartyOrganizationSerializer
    filterset_class = PartyOrganizationFilterSet

    def get_queryset(self):
        return super().get_queryset().prefetch_related("covered_enterprises")


class PartyMemberViewSet(ScopedModelViewSet):
    read_capability = Capability.VIEW_MEMBERS
    write_capability = Capability.EDIT_PARTY
    action_capabilities = {"reveal": Capability.REVEAL_PERSONAL, "lookup": Capability.REVEAL_PERSONAL}
    model = PartyMember
    serializer_class = PartyMemberSerializer
    filterset_class = PartyMemberFilterSet
    lookup_params = LOOKUP_PARAMS
    lookup_refused = LOOKUP_BY_GET_REFUSED

    def get_queryset(self):
        return super().get_queryset().prefetch_related("participates_in")

    @action(detail=False, methods=["post"])
    def lookup(self, request) -> Response:
        """POST /api/v1/members/lookup/ {"id_number": ...} or {"phone": ...}: the members of the
        user's region with exactly that value (masked, like the list). REVEAL_PERSONAL; logged and
        throttled (429) like a reveal."""
        body = PartyMemberLookupSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        field, value = body.lookup()
        return lookup_response(
            request,
            PartyMember,
            field,
            value,
            lambda found: (
                PartyMemberSerializer(
                    found.select_related(*self.select_related).prefetch_related("participates_in"),
                    many=True,
                    context={"request": request},
                ).data
            ),
        )

    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None) -> Response:
        """POST /api/v1/members/{id}/reveal/: ID number and phone in clear, logged (REVEAL_PERSONAL)."""
        return reveal_response(request, self.get_object())
