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
from portal.workspace import ListExportMixin, WorkspaceCreateView, WorkspaceEndView, WorkspaceUpdateView, breadcrumb

LOOKUP_PARAMS = ("id_number", "phone")
LOOKUP_BY_GET_REFUSED = (
    "按身份证号码、电话精确查找须在党员列表页用“精确查找”表单提交（POST），且需要查看个人敏感信息的权限"
)


class PartyOrganizationListView(ListExportMixin, ScopedListView):
    model = PartyOrganization
    required_capability = Capability.VIEW_PARTY
    create_url_name = "organizations:create"
    create_capability = Capability.EDIT_PARTY
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
        context["breadcrumb"] = breadcrumb(("党组织", "organizations:list"), (org.name, None))
        context["can_edit"] = has_capability(user, Capability.EDIT_PARTY) and org.dissolved_on is None
        return context


class PartyMemberListView(ListExportMixin, LookupFormMixin, ScopedListView):
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
    create_url_name = "organizations:member-create"
    create_capability = Capability.EDIT_PARTY


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
        return (
            super()
            .get_queryset()
            .select_related("region", "workplace", "organization", "previous_organization")
            .prefetch_related("participates_in")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.personal_context(self.object))
        context["birth_date_display"] = birth_date_shown(self.object.birth_date, full=can_reveal(self.request.user))
        context["breadcrumb"] = breadcrumb(("党员", "organizations:member-list"), (self.object.name, None))
        context["can_edit"] = has_capability(self.request.user, Capability.EDIT_PARTY)
        context["history_url"] = history_url(self.object, self.request.user)
        return context


class PartyMemberRevealView(RevealMixin, PartyMemberDetailView):
    """POST: the member's ID number and phone in clear, written to the access log."""


# --- Staff workspace (issue 10): members, organizations, survey visits (NAME=org) ---------------
# (helpers appending after this block: keep it whole)

from django.contrib import messages as _messages  # noqa: E402
from django.core.exceptions import ValidationError as _ValidationError  # noqa: E402
from django.http import HttpResponseRedirect as _Redirect  # noqa: E402
from django.shortcuts import get_object_or_404 as _get_object_or_404  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone as _timezone  # noqa: E402

from enterprises.models import Carrier, Enterprise  # noqa: E402
from organizations.choices import Formation  # noqa: E402
from organizations.forms import (  # noqa: E402
    PartyMemberForm,
    PartyMemberTransferForm,
    PartyOrganizationDissolveForm,
    PartyOrganizationForm,
    SurveyVisitEnterpriseForm,
    SurveyVisitForm,
    VisitMemberFormSet,
)
from portal.forms import TOKEN_FIELD  # noqa: E402
from portal.workspace import (  # noqa: E402
    WorkspaceFormView,
    _Duplicate,
    _reserve,
    _token_key,
)


def _ids(values) -> list[int]:
    return [int(value) for value in values if str(value).isdigit()]


class PartyOrganizationAutocompleteView(AutocompleteView):
    """党组织 by name (active ones first)."""

    model = PartyOrganization
    required_capability = Capability.VIEW_PARTY
    search_fields = ("name__icontains",)
    select_related = ("region",)

    def get_queryset(self):
        return super().get_queryset().order_by("dissolved_on", "name")

    def detail(self, obj) -> str:
        dissolved = " · 已撤销" if obj.dissolved_on else ""
        return f"{obj.get_level_display()} · {obj.region.name}{dissolved}"


class PartyMemberAutocompleteView(AutocompleteView):
    """党员 by name (for a secretary)."""

    model = PartyMember
    required_capability = Capability.VIEW_MEMBERS
    search_fields = ("name__icontains",)
    select_related = ("workplace",)

    def detail(self, obj) -> str:
        return f"{obj.get_status_display()} · {obj.workplace or '无工作单位'}"


class PartyMemberCreateView(WorkspaceCreateView):
    """登记党员: `?enterprise=<id>` prefills the workplace, `&organization=<id>` the organization."""

    required_capability = Capability.EDIT_PARTY
    model = PartyMember
    form_class = PartyMemberForm
    service = services.member_create
    list_url_name = "organizations:member-list"
    title = "登记党员"

    def get_form(self, data=None):
        initial = {}
        if data is None:
            enterprise = _ids(self.request.GET.getlist("enterprise"))[:1]
            organization = _ids(self.request.GET.getlist("organization"))[:1]
            if enterprise:
                initial["workplace"] = enterprise[0]
            if organization:
                initial["organization"] = organization[0]
        return self.form_class(data, initial=initial, **self.get_form_kwargs())


class PartyMemberUpdateView(WorkspaceUpdateView):
    required_capability = Capability.EDIT_PARTY
    model = PartyMember
    form_class = PartyMemberForm
    service = services.member_update
    list_url_name = "organizations:member-list"


class PartyMemberTransferView(WorkspaceEndView):
    """组织关系转接: the new organization and the date (the previous one is kept on the record and in
    the audit trail)."""

    required_capability = Capability.EDIT_PARTY
    model = PartyMember
    form_class = PartyMemberTransferForm
    service = services.member_transfer
    template_name = "portal/form.html"
    list_url_name = "organizations:member-list"
    title = "组织关系转接"
    submit_label = "确认转接"
    success_message = "已转接组织关系：{object}"

    def get_form(self, data=None):
        return self.form_class(data, initial={"transferred_on": _timezone.localdate()}, **self.get_form_kwargs())


class PartyOrganizationCreateView(WorkspaceCreateView):
    """组建党组织: `?formation=STANDALONE&enterprise=<id>` or `?formation=JOINT&carrier=<id>&
    enterprise=<id>...`. The level is proposed from the enterprises' member count; a level too small
    for the members is a warning on the form, never a refusal."""

    required_capability = Capability.EDIT_PARTY
    model = PartyOrganization
    form_class = PartyOrganizationForm
    service = services.organization_create
    list_url_name = "organizations:list"
    title = "组建党组织"

    def initial(self) -> dict:
        params = self.request.GET
        enterprises = list(
            Enterprise.objects.visible_to(self.request.user).filter(pk__in=_ids(params.getlist("enterprise"))[:50])
        )
        formation = params.get("formation")
        if formation not in Formation.values:
            formation = Formation.JOINT if len(enterprises) > 1 else Formation.STANDALONE
        initial: dict = {"formation": formation, "established_on": _timezone.localdate()}
        if enterprises:
            initial["covered_enterprises"] = [enterprise.pk for enterprise in enterprises]
            initial["level"] = services.proposed_level(services.enterprises_member_total(enterprises))
            if formation == Formation.STANDALONE and len(enterprises) == 1:
                initial["name"] = f"{enterprises[0].name}党支部"
                self.warning = services.standalone_refusal(enterprises[0])
        carrier = (
            Carrier.objects.visible_to(self.request.user).filter(pk__in=_ids(params.getlist("carrier"))[:1]).first()
        )
        if carrier is not None:
            initial["carrier"] = carrier.pk
            if formation == Formation.JOINT:
                initial["name"] = f"{carrier.name}联合党支部"
        return initial

    def get_form(self, data=None):
        form = self.form_class(data, initial=self.initial() if data is None else {}, **self.get_form_kwargs())
        if data is not None and form.is_valid():
            covered = form.cleaned_data.get("covered_enterprises") or []
            total = services.enterprises_member_total(covered)
            self.warning = services.level_warning(form.cleaned_data.get("level") or "", total)
        return form

    def call_service(self, form):
        org = super().call_service(form)
        if self.warning:
            _messages.warning(self.request, f"组织设置预警：{self.warning}")
        return org

    warning = ""


class PartyOrganizationUpdateView(WorkspaceUpdateView):
    required_capability = Capability.EDIT_PARTY
    model = PartyOrganization
    form_class = PartyOrganizationForm
    service = services.organization_update
    list_url_name = "organizations:list"
    warning = ""

    def get_form(self, data=None):
        form = super().get_form(data)
        org = self.object
        covered = form.cleaned_data.get("covered_enterprises") if data is not None and form.is_valid() else None
        level = form.cleaned_data.get("level") if data is not None and form.is_valid() else org.level
        total = (
            services.enterprises_member_total(covered)
            if covered is not None
            else services.organization_member_totals([org]).get(org.pk, 0)
        )
        self.warning = services.level_warning(level or "", total)
        return form


class PartyOrganizationDissolveView(WorkspaceEndView):
    required_capability = Capability.EDIT_PARTY
    model = PartyOrganization
    form_class = PartyOrganizationDissolveForm
    service = services.organization_dissolve
    list_url_name = "organizations:list"
    title = "撤销党组织"
    success_message = "已撤销：{object}"
    warning = "撤销后，自撤销日期起该党组织不再覆盖其企业（台账即时反映）；记录和历史保留，不会删除。"


class SurveyVisitView(WorkspaceFormView):
    """记录走访 `?enterprise=<id>`: the visit in the current campaign, the enterprise's key data
    (prefilled, corrected in place) and the members found there (a formset), in one service call."""

    required_capability = Capability.EDIT_PARTY
    model = Enterprise
    form_class = SurveyVisitForm
    template_name = "organizations/survey_visit.html"
    title = "记录走访"
    submit_label = "保存走访"
    success_message = "已记录走访：{object}"
    list_url_name = "enterprises:list"
    enterprise: Enterprise

    def get_object(self):
        pk = self.request.GET.get("enterprise") or ""
        self.enterprise = _get_object_or_404(
            Enterprise.objects.visible_to(self.request.user).select_related("region"), pk=pk if pk.isdigit() else 0
        )
        return self.enterprise

    def get_form(self, data=None):
        enterprise = self.enterprise
        initial = {
            "visited_on": _timezone.localdate(),
            "employee_count": enterprise.employee_count,
            "address": enterprise.address,
            "legal_representative": enterprise.legal_representative,
        }
        return self.form_class(data, initial=initial, **self.get_form_kwargs())

    def get_formset(self, data=None):
        return VisitMemberFormSet(data, user=self.request.user, prefix="members")

    def get_cancel_url(self) -> str:
        return self.enterprise.get_absolute_url()

    def get_breadcrumb(self):
        return breadcrumb(
            ("企业", "enterprises:list"), (self.enterprise.name, self.enterprise.get_absolute_url()), ("记录走访", None)
        )

    def render_form(self, form, status: int = 200, formset=None):
        self.formset = formset if formset is not None else self.get_formset()
        self.campaign = services.current_campaign(self.enterprise)
        return super().render_form(form, status)

    def get(self, request, *args, **kwargs):
        if not request.GET.get("enterprise"):  # no enterprise yet: pick one (a GET form)
            return render(
                request,
                "organizations/survey_visit_pick.html",
                {
                    "title": "记录走访：选择企业",
                    "form": SurveyVisitEnterpriseForm(user=request.user),
                    "breadcrumb": breadcrumb(("企业", "enterprises:list"), ("记录走访", None)),
                    "submit_label": "下一步",
                    "cancel_url": reverse("enterprises:list"),
                },
            )
        self.object = self.get_object()
        return self.render_form(self.get_form())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form(request.POST)
        formset = self.get_formset(request.POST)
        if not (form.is_valid() & formset.is_valid()):
            return self.render_form(form, formset=formset)
        token = form.cleaned_data.get(TOKEN_FIELD) or ""
        try:
            _reserve(request.user, token)
        except _Duplicate as duplicate:
            _messages.info(request, "该表单已提交过，未重复保存")
            return _Redirect(duplicate.url or self.get_cancel_url())
        data = form.cleaned_data
        try:
            result = services.survey_visit_record(
                enterprise=self.enterprise,
                visited_on=data["visited_on"],
                member_count_confirmed=data.get("member_count_confirmed"),
                notes=data.get("notes") or "",
                enterprise_fields={name: data.get(name) for name in services.VISIT_ENTERPRISE_FIELDS},
                members=formset.members(),
                acting_user=request.user,
            )
        except _ValidationError as exc:
            if token:
                from django.core.cache import cache

                cache.delete(_token_key(request.user, token))
            self._errors_to_forms(exc, form, formset)
            return self.render_form(form, formset=formset)
        url = self.enterprise.get_absolute_url()
        if token:
            from django.core.cache import cache

            cache.set(_token_key(request.user, token), url, 24 * 3600)
        found = len(result.members)
        _messages.success(request, f"已记录走访：{self.enterprise.name}" + (f"，登记党员 {found} 名" if found else ""))
        return _Redirect(url)

    @staticmethod
    def _errors_to_forms(exc: _ValidationError, form, formset) -> None:
        if not hasattr(exc, "error_dict"):
            form.add_service_errors(exc)
            return
        filled = [member_form for member_form in formset.forms if member_form.has_changed()]
        for key, errors in exc.message_dict.items():
            if key.startswith("members-"):
                _prefix, index, name = key.split("-", 2)
                target = filled[int(index)] if int(index) < len(filled) else None
                for message in errors:
                    if target is None:
                        form.add_error(None, message)
                    else:
                        target.add_error(name if name in target.fields else None, message)
            else:
                for message in errors:
                    form.add_error(key if key in form.fields else None, message)


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
