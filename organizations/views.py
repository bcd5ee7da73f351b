from __future__ import annotations

from organizations.filtersets import PartyMemberFilterSet, PartyOrganizationFilterSet
from organizations.models import PartyMember, PartyOrganization
from portal.permissions import Capability, has_capability
from portal.views import Column, PersonalDataMixin, RevealMixin, ScopedDetailView, ScopedListView, history_url


class PartyOrganizationListView(ScopedListView):
    model = PartyOrganization
    filterset_class = PartyOrganizationFilterSet
    select_related = ("region", "carrier")
    columns = (
        Column("党组织名称", "name", link=True),
        Column("组织类别", "get_level_display"),
        Column("组建方式", "get_formation_display"),
        Column("依托载体", "carrier"),
        Column("所属区域", "region"),
        Column("成立日期", "established_on"),
        Column("撤销日期", "dissolved_on"),
    )


class PartyOrganizationDetailView(ScopedDetailView):
    model = PartyOrganization
    template_name = "organizations/organization_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("region", "carrier", "parent", "secretary")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        org = self.object
        user = self.request.user
        # Members (and the secretary, a member) only for roles that may see members at all.
        context["can_view_members"] = has_capability(user, Capability.VIEW_MEMBERS)
        context["members"] = org.members.visible_to(user).select_related("workplace")[:500]
        context["covered"] = org.covered_enterprises.visible_to(user)[:500]
        context["life_records"] = org.life_records.all()[:20]
        context["history_url"] = history_url(org, user)
        return context


class PartyMemberListView(ScopedListView):
    model = PartyMember
    required_capability = Capability.VIEW_MEMBERS
    filterset_class = PartyMemberFilterSet
    select_related = ("region", "workplace", "organization")
    columns = (
        Column("姓名", "name", link=True),
        Column("性别", "get_gender_display"),
        Column("党员类别", "get_status_display"),
        Column("工作单位", "workplace"),
        Column("党组织", "organization"),
        Column("所属区域", "region"),
    )


class PartyMemberDetailView(PersonalDataMixin, ScopedDetailView):
    """ID number and phone masked; "查看完整信息" (REVEAL_PERSONAL) shows them, logged."""

    model = PartyMember
    required_capability = Capability.VIEW_MEMBERS
    template_name = "organizations/member_detail.html"
    reveal_url_name = "organizations:member-reveal"

    def get_queryset(self):
        return super().get_queryset().select_related("region", "workplace", "organization")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.personal_context(self.object))
        return context


class PartyMemberRevealView(RevealMixin, PartyMemberDetailView):
    """POST: the member's ID number and phone in clear, written to the access log."""
