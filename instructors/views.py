from __future__ import annotations

import django_filters
from django.db.models import Model
from django.utils import timezone

from instructors import services
from instructors.choices import TrainingAudience
from instructors.filtersets import InstructorFilterSet
from instructors.forms import (
    AssignmentEndForm,
    DispatchForm,
    FirstSecretaryEndForm,
    FirstSecretaryForm,
    InstructorEndForm,
    InstructorForm,
    InstructorLookupForm,
    StipendForm,
    TrainingForm,
    dispatchable_instructors,
    instructor_label,
)
from instructors.models import Assignment, FirstSecretaryAppointment, Instructor, Stipend, Training
from organizations.models import PartyOrganization
from portal.filters import PortalFilterSet, RegionFilter
from portal.permissions import Capability
from portal.views import (
    AutocompleteView,
    Column,
    LookupFormMixin,
    PersonalDataMixin,
    PersonalLookupView,
    RevealMixin,
    ScopedDetailView,
    ScopedListView,
)
from portal.workspace import (
    ListExportMixin,
    WorkspaceCreateView,
    WorkspaceEndView,
    WorkspaceFormView,
    WorkspaceUpdateView,
    breadcrumb,
)

LOOKUP_BY_GET_REFUSED = "按电话精确查找须在指导员列表页用“精确查找”表单提交（POST），且需要查看个人敏感信息的权限"


class InstructorListView(ListExportMixin, LookupFormMixin, ScopedListView):
    model = Instructor
    required_capability = Capability.VIEW_PARTY
    filterset_class = InstructorFilterSet
    select_related = ("region",)
    create_url_name = "instructors:create"
    create_capability = Capability.EDIT_PARTY
    columns = (
        Column("姓名", "name", link=True),
        Column("来源", "get_source_display"),
        Column("单位及职务", "employer"),
        Column("一岗双责", "dual_duty"),
        Column("所属区域", "region"),
        Column("当前联系企业数", "load"),
        Column("结束工作日期", "ended_on"),
    )

    def get_queryset(self):
        # An aggregate drops Meta.ordering: keep the list's order explicit (stable pages).
        return services.instructor_loads(super().get_queryset()).order_by(*Instructor._meta.ordering)

    template_name = "instructors/instructor_list.html"
    lookup_params = ("phone",)
    lookup_refused = LOOKUP_BY_GET_REFUSED
    lookup_form_class = InstructorLookupForm


class InstructorLookupView(PersonalLookupView):
    """POST: 按手机号/电话精确查找指导员. Needs REVEAL_PERSONAL; logged and throttled like a reveal
    (portal.services.personal_data_lookup)."""

    model = Instructor
    form_class = InstructorLookupForm
    select_related = ("region",)
    title = "按手机号/电话精确查找指导员"
    template_name = "instructors/instructor_lookup.html"


class InstructorDetailView(PersonalDataMixin, ScopedDetailView):
    """Phone masked; "查看完整信息" (REVEAL_PERSONAL) shows it, logged."""

    model = Instructor
    required_capability = Capability.VIEW_PARTY
    template_name = "instructors/instructor_detail.html"
    reveal_url_name = "instructors:reveal"

    def get_queryset(self):
        return super().get_queryset().select_related("region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        assignments = list(self.object.assignments.visible_to(self.request.user).select_related("enterprise"))
        for assignment in assignments:
            assignment.is_active = services.assignment_is_active(assignment, today)  # type: ignore[attr-defined]
        context["assignments"] = assignments
        context["load"] = sum(1 for assignment in assignments if assignment.is_active)  # type: ignore[attr-defined]
        context["breadcrumb"] = breadcrumb(("党建工作指导员", "instructors:list"), (self.object.name, None))
        context.update(self.personal_context(self.object))
        return context


class InstructorRevealView(RevealMixin, InstructorDetailView):
    """POST: the instructor's phone in clear, written to the access log."""


# --- Staff workspace: instructors and their assignments (派驻) -------------------------------------


class InstructorAutocompleteView(AutocompleteView):
    """指导员 still at work, by name; the label shows the source and the current load
    (王强（工商干部，已联系3户）)."""

    model = Instructor
    required_capability = Capability.VIEW_PARTY
    search_fields = ("name__icontains",)

    def get_queryset(self):
        return dispatchable_instructors(self.request.user).select_related("region")

    def label(self, obj) -> str:
        return instructor_label(obj)

    def detail(self, obj) -> str:
        return f"{obj.employer + ' · ' if obj.employer else ''}{obj.region.name}"


class InstructorCreateView(WorkspaceCreateView):
    required_capability = Capability.EDIT_PARTY
    model = Instructor
    form_class = InstructorForm
    service = services.instructor_create
    list_url_name = "instructors:list"


class InstructorUpdateView(WorkspaceUpdateView):
    required_capability = Capability.EDIT_PARTY
    model = Instructor
    form_class = InstructorForm
    service = services.instructor_update
    list_url_name = "instructors:list"

    def get_queryset(self):
        return super().get_queryset().select_related("region__parent")


class InstructorEndView(WorkspaceEndView):
    required_capability = Capability.EDIT_PARTY
    model = Instructor
    form_class = InstructorEndForm
    service = services.instructor_end
    list_url_name = "instructors:list"
    title = "结束工作"
    success_message = "已结束工作：{object}"
    warning = "结束后该指导员仍保留在名单中；其尚在进行的派驻同日结束，相关企业自该日起不再计为派驻指导员覆盖。"


class AssignmentDispatchView(WorkspaceFormView):
    """派驻指导员: GET `?enterprise=<id>&enterprise=<id>...&instructor=<id>` prefills the form; the
    POST is validated as usual (assignment_dispatch, all or nothing)."""

    required_capability = Capability.EDIT_PARTY
    model = Assignment
    form_class = DispatchForm
    service = services.assignment_dispatch
    list_url_name = "instructors:list"
    title = "派驻指导员"
    submit_label = "派驻"
    success_message = "已派驻指导员：{object}"

    def get_form(self, data=None):
        if data is not None:
            return self.form_class(data, **self.get_form_kwargs())
        initial = {
            "start_on": timezone.localdate(),
            "enterprise": [value for value in self.request.GET.getlist("enterprise") if value.isdigit()][:50],
        }
        instructor = self.request.GET.get("instructor", "")
        if instructor.isdigit():
            initial["instructor"] = instructor
        return self.form_class(initial=initial, **self.get_form_kwargs())

    def get_breadcrumb(self):
        return breadcrumb(("党建工作指导员", "instructors:list"), (self.title, None))

    def call_service(self, form) -> Model:
        data = self.service_data(form)
        assignments = self.service_function()(
            instructor=data["instructor"],
            enterprises=list(data["enterprise"]),
            start_on=data["start_on"],
            end_on=data.get("end_on"),
            acting_user=self.request.user,
        )
        self.dispatched = assignments
        # One enterprise: back to it (its coverage panel shows the change); several: the instructor.
        return assignments[0] if len(assignments) == 1 else data["instructor"]

    def get_success_url(self, result) -> str:
        return result.get_absolute_url()


class AssignmentEndView(WorkspaceEndView):
    required_capability = Capability.EDIT_PARTY
    model = Assignment
    form_class = AssignmentEndForm
    service = services.assignment_end
    title = "结束派驻"
    success_message = "已结束派驻：{object}"
    warning = "结束后自该日起该企业不再计为此指导员派驻覆盖（今天的台账随即变化）；已生成的历史台账快照不变。"

    def get_queryset(self):
        return super().get_queryset().select_related("instructor", "enterprise")

    def get_breadcrumb(self):
        assignment = self.object
        return breadcrumb(
            ("企业", "enterprises:list"),
            (assignment.enterprise.name, assignment.get_absolute_url()),  # type: ignore[union-attr]
            (self.title, None),
        )


# --- end of the instructors/assignments workspace block --------------------------------------------


# --- 第一书记, 培训, 工作津贴 (staff workspace, issue 10) ---------------------------------------------


class RecordsOrganizationAutocompleteView(AutocompleteView):
    """Organizations of the user's region, for the 第一书记 form."""

    required_capability = Capability.VIEW_PARTY
    model = PartyOrganization
    search_fields = ("name__icontains",)
    select_related = ("region",)

    def detail(self, obj) -> str:
        return str(obj.region)


class RecordsInstructorAutocompleteView(AutocompleteView):
    """Instructors of the user's region, for the 培训 and 津贴 forms."""

    required_capability = Capability.VIEW_PARTY
    model = Instructor
    search_fields = ("name__icontains",)
    select_related = ("region",)

    def detail(self, obj) -> str:
        return f"{obj.get_source_display()} · {obj.region}"


class FirstSecretaryFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(label="姓名", field_name="name", lookup_expr="contains")
    region = RegionFilter(label="区域", region_lookup="organization__region")
    current = django_filters.BooleanFilter(label="在任", field_name="end_on", lookup_expr="isnull")

    class Meta:
        model = FirstSecretaryAppointment
        fields = ["q", "region", "current"]


class TrainingFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(label="培训名称", field_name="title", lookup_expr="contains")
    region = RegionFilter(label="区域")
    audience = django_filters.ChoiceFilter(label="培训对象", choices=TrainingAudience.choices)

    class Meta:
        model = Training
        fields = ["q", "region", "audience"]


class StipendFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(label="指导员", field_name="instructor__name", lookup_expr="contains")
    region = RegionFilter(label="区域", region_lookup="instructor__region")
    year = django_filters.NumberFilter(label="年度")
    month = django_filters.NumberFilter(label="月份")

    class Meta:
        model = Stipend
        fields = ["q", "region", "year", "month"]


class FirstSecretaryListView(ListExportMixin, ScopedListView):
    template_name = "instructors/instructor_list.html"  # the list with the 指导员与两支队伍 tabs
    model = FirstSecretaryAppointment
    required_capability = Capability.VIEW_PARTY
    filterset_class = FirstSecretaryFilterSet
    select_related = ("organization",)
    create_url_name = "instructors:first-secretary-create"
    create_capability = Capability.EDIT_PARTY
    columns = (
        Column("姓名", "name", link=True),
        Column("党组织", "organization"),
        Column("派出单位及职务", "employer"),
        Column("任职开始", "start_on"),
        Column("任职结束", "end_on"),
    )


class FirstSecretaryCreateView(WorkspaceCreateView):
    required_capability = Capability.EDIT_PARTY
    model = FirstSecretaryAppointment
    form_class = FirstSecretaryForm
    service = services.first_secretary_create
    list_url_name = "instructors:first-secretary-list"
    template_name = "instructors/first_secretary_form.html"
    title = "任命第一书记"


class FirstSecretaryUpdateView(WorkspaceUpdateView):
    required_capability = Capability.EDIT_PARTY
    model = FirstSecretaryAppointment
    form_class = FirstSecretaryForm
    service = services.first_secretary_update
    object_kwarg = "appointment"
    list_url_name = "instructors:first-secretary-list"
    template_name = "instructors/first_secretary_form.html"

    def get_queryset(self):
        return super().get_queryset().select_related("organization")


class FirstSecretaryEndView(WorkspaceEndView):
    required_capability = Capability.EDIT_PARTY
    model = FirstSecretaryAppointment
    form_class = FirstSecretaryEndForm
    service = services.first_secretary_end
    object_kwarg = "appointment"
    list_url_name = "instructors:first-secretary-list"
    title = "第一书记离任"
    warning = "离任后任职记录保留，任职期间仍计入台账。"

    def get_queryset(self):
        return super().get_queryset().select_related("organization")


class TrainingListView(ListExportMixin, ScopedListView):
    template_name = "instructors/instructor_list.html"  # the list with the 指导员与两支队伍 tabs
    model = Training
    required_capability = Capability.VIEW_PARTY
    filterset_class = TrainingFilterSet
    select_related = ("region",)
    create_url_name = "instructors:training-create"
    create_capability = Capability.EDIT_PARTY
    columns = (
        Column("培训名称", "title", link=True),
        Column("培训对象", "get_audience_display"),
        Column("培训日期", "held_on"),
        Column("学时", "hours"),
        Column("参训人数", "participant_count"),
        Column("主办区域", "region"),
    )


class TrainingCreateView(WorkspaceCreateView):
    required_capability = Capability.EDIT_PARTY
    model = Training
    form_class = TrainingForm
    service = services.training_create
    list_url_name = "instructors:training-list"
    template_name = "instructors/training_form.html"


class TrainingUpdateView(WorkspaceUpdateView):
    required_capability = Capability.EDIT_PARTY
    model = Training
    form_class = TrainingForm
    service = services.training_update
    list_url_name = "instructors:training-list"
    template_name = "instructors/training_form.html"


class StipendListView(ListExportMixin, ScopedListView):
    template_name = "instructors/instructor_list.html"  # the list with the 指导员与两支队伍 tabs
    model = Stipend
    required_capability = Capability.VIEW_PARTY
    filterset_class = StipendFilterSet
    select_related = ("instructor", "instructor__region")
    create_url_name = "instructors:stipend-create"
    create_capability = Capability.EDIT_PARTY
    columns = (
        Column("指导员", "instructor", link=True),
        Column("所属月份", "period"),
        Column("金额（元）", "amount"),
        Column("发放日期", "paid_on"),
        Column("所属区域", "instructor.region"),
    )


class StipendCreateView(WorkspaceCreateView):
    required_capability = Capability.EDIT_PARTY
    model = Stipend
    form_class = StipendForm
    service = services.stipend_create
    list_url_name = "instructors:stipend-list"
    template_name = "instructors/stipend_form.html"


class StipendUpdateView(WorkspaceUpdateView):
    required_capability = Capability.EDIT_PARTY
    model = Stipend
    form_class = StipendForm
    service = services.stipend_update
    list_url_name = "instructors:stipend-list"
    template_name = "instructors/stipend_form.html"

    def get_queryset(self):
        return super().get_queryset().select_related("instructor")
