from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import FormView

from enterprises import selectors, services
from enterprises.choices import ImportSource, ImportStatus
from enterprises.filtersets import CarrierFilterSet, EnterpriseFilterSet, RegisterImportFilterSet
from enterprises.forms import (
    CarrierForm,
    EnterpriseDeregisterForm,
    EnterpriseForm,
    RegisterConfirmForm,
    RegisterUploadForm,
    enterprise_regions,
)
from enterprises.importing.report import error_report_xlsx
from enterprises.models import Carrier, Enterprise, RegisterImport
from portal.models import Region
from portal.permissions import Capability, CapabilityRequiredMixin
from portal.spreadsheets import MaxSizeUploadHandler, xlsx_download
from portal.views import AutocompleteView, Column, ScopedDetailView, ScopedListView
from portal.workspace import (
    ListExportMixin,
    WorkspaceCreateView,
    WorkspaceEndView,
    WorkspaceUpdateView,
    breadcrumb,
)


class EnterpriseListView(ListExportMixin, ScopedListView):
    model = Enterprise
    filterset_class = EnterpriseFilterSet
    select_related = ("region",)
    create_url_name = "enterprises:create"
    create_capability = Capability.EDIT_ENTERPRISE
    columns = (
        Column("企业名称", "name", link=True),
        Column("统一社会信用代码", "credit_code"),
        Column("企业类型", "get_kind_display"),
        Column("行业", "get_industry_display"),
        Column("所属区域", "region"),
        Column("从业人员", "employee_count"),
        Column("登记状态", "get_registration_status_display"),
    )


class EnterpriseDetailView(ScopedDetailView):
    model = Enterprise
    template_name = "enterprises/enterprise_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("region", "carrier", "last_import")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        enterprise = self.object
        user = self.request.user
        context["members"] = enterprise.members.visible_to(user).select_related("organization")[:200]
        context["organizations"] = enterprise.covering_organizations.visible_to(user).select_related("carrier")
        context["assignments"] = enterprise.assignments.visible_to(user).select_related("instructor")
        context["breadcrumb"] = breadcrumb(("企业", "enterprises:list"), (enterprise.name, None))
        context["is_ended"] = enterprise.registration_status in services.ENDED_STATUSES
        return context


class CarrierListView(ListExportMixin, ScopedListView):
    model = Carrier
    filterset_class = CarrierFilterSet
    select_related = ("region",)
    create_url_name = "enterprises:carrier-create"
    create_capability = Capability.EDIT_PARTY
    columns = (
        Column("名称", "name", link=True),
        Column("类型", "get_kind_display"),
        Column("所属区域", "region"),
        Column("地址", "address"),
        Column("停用日期", "ended_on"),
    )


# --- Register imports (登记名单 / 年检名单) ---------------------------------------------------------


class RegisterImportListView(ScopedListView):
    model = RegisterImport
    filterset_class = RegisterImportFilterSet
    template_name = "enterprises/registerimport_list.html"
    select_related = ("uploaded_by", "region")
    title = "名单导入"


@method_decorator(csrf_exempt, name="dispatch")  # checked below, once the size limit is in place
class RegisterImportUploadView(LoginRequiredMixin, CapabilityRequiredMixin, FormView):
    required_capability = Capability.IMPORT_REGISTER
    form_class = RegisterUploadForm
    template_name = "enterprises/registerimport_upload.html"

    def dispatch(self, request, *args, **kwargs):
        # A file over the limit is cut off while it streams in, never stored (portal/spreadsheets.py).
        request.upload_handlers.insert(0, MaxSizeUploadHandler(request, max_bytes=settings.REGISTER_UPLOAD_MAX_BYTES))
        return csrf_protect(super().dispatch)(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if getattr(request, "upload_too_large", False):
            limit = settings.REGISTER_UPLOAD_MAX_BYTES / 1048576
            form.is_valid()
            form.errors.pop("file", None)
            form.add_error("file", f"文件过大，上限 {limit:.0f} MB")
            return self.form_invalid(form)
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)

    def form_valid(self, form):
        try:
            register_import = services.register_import_create(
                uploaded_file=form.cleaned_data["file"],
                source=form.cleaned_data["source"],
                acting_user=self.request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, "文件已上传，正在后台校验")
        return redirect("enterprises:import-detail", pk=register_import.pk)


class RegisterImportDetailView(ScopedDetailView):
    model = RegisterImport
    template_name = "enterprises/registerimport_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("uploaded_by", "confirmed_by", "region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        get = self.request.GET
        finished = obj.status not in selectors.IN_PROGRESS
        context.update(
            summary_lines=selectors.summary_lines(obj),
            in_progress=not finished,
            confirm_form=RegisterConfirmForm(),
        )
        if finished and obj.status != ImportStatus.FAILED:
            context["problems_page"] = Paginator(selectors.problems(obj), 50).get_page(get.get("page"))
            changed = Paginator(selectors.changed_rows(obj), 20).get_page(get.get("cpage"))
            context["changed_page"] = changed
            context["changed_rows"] = [(row, selectors.field_changes(row.changes)) for row in changed]
            if obj.source == ImportSource.REGISTRATION and obj.status in (ImportStatus.VALIDATED, ImportStatus.APPLIED):
                context["missing_page"] = Paginator(selectors.missing_enterprises(obj), 20).get_page(get.get("mpage"))
            if obj.status == ImportStatus.APPLIED:
                touched = Paginator(selectors.touched_rows(obj), 20).get_page(get.get("tpage"))
                ids = selectors.enterprise_ids_by_code([row.credit_code for row in touched])
                context["touched_page"] = touched
                context["touched_rows"] = [(row, ids.get(row.credit_code)) for row in touched]
        return context


@method_decorator(never_cache, name="get")
class RegisterImportStatusView(LoginRequiredMixin, CapabilityRequiredMixin, View):
    """JSON polled by static/js/register_import.js for the progress bar."""

    required_capability = Capability.VIEW_DATA

    def get(self, request, pk):
        obj = get_object_or_404(RegisterImport.objects.visible_to(request.user), pk=pk)
        return JsonResponse(
            {
                "status": obj.status,
                "status_display": obj.get_status_display(),
                "progress": obj.progress,
                "in_progress": obj.status in selectors.IN_PROGRESS,
            }
        )


class _RegisterImportActionView(LoginRequiredMixin, CapabilityRequiredMixin, View):
    required_capability = Capability.IMPORT_REGISTER
    http_method_names = ["post"]

    def post(self, request, pk):
        obj = get_object_or_404(RegisterImport.objects.visible_to(request.user), pk=pk)
        try:
            self.act(obj)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("enterprises:import-detail", pk=obj.pk)


class RegisterImportConfirmView(_RegisterImportActionView):
    def act(self, obj):
        form = RegisterConfirmForm(self.request.POST)
        form.is_valid()
        services.register_import_confirm(
            register_import=obj,
            acting_user=self.request.user,
            confirm_warnings=bool(form.cleaned_data.get("confirm_warnings")),
        )
        messages.success(self.request, "已确认，正在导入")


class RegisterImportCancelView(_RegisterImportActionView):
    def act(self, obj):
        services.register_import_cancel(register_import=obj, acting_user=self.request.user)
        messages.success(self.request, "已取消本次导入，未写入任何数据")


class RegisterImportErrorReportView(LoginRequiredMixin, CapabilityRequiredMixin, View):
    required_capability = Capability.IMPORT_REGISTER

    def get(self, request, pk):
        obj = get_object_or_404(RegisterImport.objects.visible_to(request.user), pk=pk)
        content = error_report_xlsx(obj)
        stem = obj.original_name.rsplit(".", 1)[0]
        return xlsx_download(
            request,
            content,
            f"{stem}-问题行.xlsx",
            target=f"register-import:{obj.pk}:errors",
            row_count=obj.problems.values("row_number").distinct().count(),
        )


# --- Searchable pickers (portal/widgets.py): carriers and enterprises of the user's region ---------


class CarrierAutocompleteView(AutocompleteView):
    """载体 by name."""

    model = Carrier
    search_fields = ("name__icontains",)
    select_related = ("region",)

    def detail(self, obj) -> str:
        return f"{obj.get_kind_display()} · {obj.region.name}"


class EnterpriseAutocompleteView(AutocompleteView):
    """企业 by name or by the start of its credit code."""

    model = Enterprise
    search_fields = ("name__icontains", "credit_code__istartswith")

    def detail(self, obj) -> str:
        return obj.credit_code


class RegionAutocompleteView(AutocompleteView):
    """区县 / 街道 / 社区 of the user's jurisdiction, for an enterprise's or a carrier's region."""

    model = Region

    def get_queryset(self):
        return enterprise_regions(self.request.user)

    def search(self, queryset, text: str):
        return queryset.filter(name__icontains=text)

    def detail(self, obj) -> str:
        return f"{obj.get_level_display()}{' · ' + obj.parent.name if obj.parent_id else ''}"


# --- Staff workspace: carriers (载体) ---------------------------------------------------------------


class CarrierDetailView(ScopedDetailView):
    model = Carrier
    template_name = "enterprises/carrier_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        carrier = self.object
        enterprises = Enterprise.objects.visible_to(self.request.user).filter(carrier=carrier)
        context.update(
            enterprise_count=enterprises.count(),
            enterprises=enterprises.select_related("region").order_by("name")[:50],
            breadcrumb=breadcrumb(("载体", "enterprises:carrier-list"), (carrier.name, None)),
        )
        return context


class CarrierCreateView(WorkspaceCreateView):
    required_capability = Capability.EDIT_PARTY
    model = Carrier
    form_class = CarrierForm
    service = services.carrier_create
    list_url_name = "enterprises:carrier-list"


class CarrierUpdateView(WorkspaceUpdateView):
    required_capability = Capability.EDIT_PARTY
    model = Carrier
    form_class = CarrierForm
    service = services.carrier_update
    list_url_name = "enterprises:carrier-list"


class CarrierEndView(WorkspaceEndView):
    required_capability = Capability.EDIT_PARTY
    model = Carrier
    service = services.carrier_end
    list_url_name = "enterprises:carrier-list"
    title = "停用载体"
    success_message = "已停用载体：{object}"
    warning = "停用后该载体仍保留，原有企业和党组织的归属不变，但不能再将新企业归入该载体。"


# --- Staff workspace: enterprises (企业) -----------------------------------------------------------


class EnterpriseCreateView(WorkspaceCreateView):
    required_capability = Capability.EDIT_ENTERPRISE
    model = Enterprise
    form_class = EnterpriseForm
    service = services.enterprise_create
    list_url_name = "enterprises:list"


class EnterpriseUpdateView(WorkspaceUpdateView):
    required_capability = Capability.EDIT_ENTERPRISE
    model = Enterprise
    form_class = EnterpriseForm
    service = services.enterprise_update
    list_url_name = "enterprises:list"

    def get_queryset(self):
        return super().get_queryset().select_related("region__parent", "carrier__region")


class EnterpriseDeregisterView(WorkspaceEndView):
    required_capability = Capability.EDIT_ENTERPRISE
    model = Enterprise
    form_class = EnterpriseDeregisterForm
    service = services.enterprise_deregister
    list_url_name = "enterprises:list"
    title = "注销/迁出"
    success_message = "已办理注销/迁出：{object}"
    warning = "办理后该企业不再计入台账（只统计存续、在业企业），记录与党员信息保留。"
