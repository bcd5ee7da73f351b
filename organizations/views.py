from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property

from organizations import services
from organizations.filtersets import PartyMemberFilterSet, PartyOrganizationFilterSet
from organizations.forms import ExcellenceSystemForm, OrgLifeRecordForm, OrgLifeRecordVoidForm, PartyMemberLookupForm
from organizations.models import ExcellenceSystem, OrgLifeRecord, PartyMember, PartyOrganization
from portal.fields import birth_date_shown
from portal.permissions import Capability, has_capability
from portal.services import can_reveal
from portal.views import (
    AutocompleteView,
    Column,
    LookupFormMixin,
    PersonalDataMixin,
    PersonalLookupView,
    RevealMixin,
    ScopedDetailView,
    ScopedListView,
    history_url,
)
from portal.workspace import WorkspaceCreateView, WorkspaceEndView, WorkspaceUpdateView, breadcrumb

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


# --- 组织生活 and 创先争优制度 (staff workspace, issue 10) -------------------------------------------


class _OrganizationChildCreateMixin:
    """A create form under one organization (`/organizations/<pk>/…/new/`): the organization is
    looked up in the user's region (else 404) and passed to the form and the service."""

    request: HttpRequest
    kwargs: dict

    @cached_property
    def organization(self) -> PartyOrganization:
        return get_object_or_404(PartyOrganization.objects.visible_to(self.request.user), pk=self.kwargs["pk"])

    def get_breadcrumb(self):
        org = self.organization
        return breadcrumb(
            ("党组织", "organizations:list"), (org.name, org.get_absolute_url()), (self.get_title(), None)
        )

    def get_cancel_url(self) -> str:
        return self.organization.get_absolute_url()

    def call_service(self, form):
        service: Any = self.service_function()  # type: ignore[attr-defined]
        data = self.service_data(form)  # type: ignore[attr-defined]
        return service(organization=self.organization, **data, acting_user=self.request.user)


class _OrganizationChildMixin:
    """Edit / end a record of an organization: the breadcrumb runs through the organization."""

    object: Any

    def get_breadcrumb(self):
        org = self.object.organization
        return breadcrumb(
            ("党组织", "organizations:list"), (org.name, org.get_absolute_url()), (self.get_title(), None)
        )  # type: ignore[attr-defined]


class OrgLifeRecordCreateView(_OrganizationChildCreateMixin, WorkspaceCreateView):
    required_capability = Capability.EDIT_PARTY
    model = OrgLifeRecord
    form_class = OrgLifeRecordForm
    service = services.life_record_create
    template_name = "organizations/life_form.html"
    title = "记录组织生活"
    success_message = "已记录组织生活：{object}"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organization": self.organization}


class OrgLifeRecordUpdateView(_OrganizationChildMixin, WorkspaceUpdateView):
    required_capability = Capability.EDIT_PARTY
    model = OrgLifeRecord
    form_class = OrgLifeRecordForm
    service = services.life_record_update
    object_kwarg = "record"
    template_name = "organizations/life_form.html"
    title = "更正组织生活记录"

    def get_queryset(self):
        return super().get_queryset().select_related("organization")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organization": self.object.organization}


class OrgLifeRecordVoidView(_OrganizationChildMixin, WorkspaceEndView):
    required_capability = Capability.EDIT_PARTY
    model = OrgLifeRecord
    form_class = OrgLifeRecordVoidForm
    service = services.life_record_void
    title = "作废组织生活记录"
    success_message = "已作废：{object}"
    warning = "作废后记录保留并标注“已作废”，可在变更记录中查到；录入有误而能更正的，请使用“更正”。"

    def get_queryset(self):
        return super().get_queryset().select_related("organization")

    def call_service(self, form):
        return services.life_record_void(
            record=self.object,
            voided_on=form.cleaned_data["ended_on"],
            reason=form.cleaned_data["reason"],
            acting_user=self.request.user,
        )


class OrgLifeAttendeeAutocompleteView(AutocompleteView):
    """The members of one organization (its own and participants) for the 参加党员 picker."""

    required_capability = Capability.VIEW_MEMBERS
    model = PartyMember
    search_fields = ("name__icontains",)
    select_related = ("workplace",)

    def get_queryset(self):
        org = get_object_or_404(PartyOrganization.objects.visible_to(self.request.user), pk=self.kwargs["pk"])
        return (
            services.organization_members(org)
            .visible_to(self.request.user)
            .select_related("workplace")
            .order_by("name", "id")
        )

    def detail(self, obj) -> str:
        return obj.workplace.name if obj.workplace_id else ""


class ExcellenceSystemCreateView(_OrganizationChildCreateMixin, WorkspaceCreateView):
    required_capability = Capability.EDIT_PARTY
    model = ExcellenceSystem
    form_class = ExcellenceSystemForm
    service = services.excellence_system_create
    template_name = "organizations/excellence_form.html"


class ExcellenceSystemUpdateView(_OrganizationChildMixin, WorkspaceUpdateView):
    required_capability = Capability.EDIT_PARTY
    model = ExcellenceSystem
    form_class = ExcellenceSystemForm
    service = services.excellence_system_update
    object_kwarg = "system"
    template_name = "organizations/excellence_form.html"

    def get_queryset(self):
        return super().get_queryset().select_related("organization")


class ExcellenceSystemEndView(_OrganizationChildMixin, WorkspaceEndView):
    required_capability = Capability.EDIT_PARTY
    model = ExcellenceSystem
    service = services.excellence_system_end
    object_kwarg = "system"
    title = "停止执行创先争优制度"
    warning = "停止后制度保留；每个党组织至少保留一项在执行的创先争优制度。"

    def get_queryset(self):
        return super().get_queryset().select_related("organization")
