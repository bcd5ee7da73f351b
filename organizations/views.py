from __future__ import annotations

from organizations.filtersets import PartyMemberFilterSet, PartyOrganizationFilterSet
from organizations.forms import PartyMemberLookupForm
from organizations.models import PartyMember, PartyOrganization
from portal.fields import birth_date_shown
from portal.permissions import Capability, has_capability
from portal.services import can_reveal
from portal.views import (
    Column,
    LookupFormMixin,
    PersonalDataMixin,
    PersonalLookupView,
    RevealMixin,
    ScopedDetailView,
    ScopedListView,
    history_url,
)

# Query-string parameters that once were exact filters on personal data: refused outright, so that
# an old bookmark or client learns that the list was *not* filtered (and no guess is confirmed).
LOOKUP_PARAMS = ("id_number", "phone")
LOOKUP_BY_GET_REFUSED = (
    "按身份证号码、电话精确查找须在党员列表页用“精确查找”表单提交（POST），且需要查看个人敏感信息的权限"
)


class PartyOrganizationListView(ScopedListView):
    model = PartyOrganization
    required_capability = Capability.VIEW_PARTY
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
    required_capability = Capability.VIEW_PARTY
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


class PartyMemberListView(LookupFormMixin, ScopedListView):
    """Members, by name and the usual filters. Roles that may reveal personal data also get the
    exact-lookup form (POST to member-lookup)."""

    model = PartyMember
    required_capability = Capability.VIEW_MEMBERS
    template_name = "organizations/member_list.html"
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
    lookup_params = LOOKUP_PARAMS
    lookup_refused = LOOKUP_BY_GET_REFUSED
    lookup_form_class = PartyMemberLookupForm


class PartyMemberLookupView(PersonalLookupView):
    """POST: 按身份证号/手机号精确查找. Needs REVEAL_PERSONAL; every lookup is logged and throttled
    (portal.services.personal_data_lookup); the results show masked values like the list."""

    model = PartyMember
    form_class = PartyMemberLookupForm
    select_related = ("region", "workplace", "organization")
    title = "按身份证号/手机号精确查找"
    template_name = "organizations/member_lookup.html"


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
        context["birth_date_display"] = birth_date_shown(self.object.birth_date, full=can_reveal(self.request.user))
        return context


class PartyMemberRevealView(RevealMixin, PartyMemberDetailView):
    """POST: the member's ID number and phone in clear, written to the access log."""
