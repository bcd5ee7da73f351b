from __future__ import annotations

from organizations.filtersets import PartyMemberFilterSet, PartyOrganizationFilterSet
from organizations.models import PartyMember, PartyOrganization
from portal.permissions import Capability
from portal.views import Column, ScopedDetailView, ScopedListView


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
        context["members"] = org.members.visible_to(self.request.user).select_related("workplace")[:500]
        context["covered"] = org.covered_enterprises.visible_to(self.request.user)[:500]
        context["life_records"] = org.life_records.all()[:20]
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


class PartyMemberDetailView(ScopedDetailView):
    model = PartyMember
    required_capability = Capability.VIEW_MEMBERS
    template_name = "organizations/member_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("region", "workplace", "organization")
