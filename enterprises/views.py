from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import FormView

from enterprises import selectors, services
from enterprises.choices import ImportSource, ImportStatus
from enterprises.filtersets import CarrierFilterSet, EnterpriseFilterSet, RegisterImportFilterSet
from enterprises.forms import RegisterConfirmForm, RegisterUploadForm
from enterprises.importing.report import error_report_xlsx
from enterprises.models import Carrier, Enterprise, RegisterImport
from portal.middleware import client_ip
from portal.permissions import Capability, CapabilityRequiredMixin
from portal.services import export_logged
from portal.spreadsheets import MaxSizeUploadHandler
from portal.views import AutocompleteView, Column, ScopedDetailView, ScopedListView


class EnterpriseListView(ScopedListView):
    model = Enterprise
    filterset_class = EnterpriseFilterSet
    select_related = ("region",)
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
        return context


class CarrierListView(ScopedListView):
    model = Carrier
    filterset_class = CarrierFilterSet
    select_related = ("region",)
    columns = (
        Column("名称", "name"),
        Column("类型", "get_kind_display"),
        Column("所属区域", "region"),
        Column("地址", "address"),
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
        export_logged(
            user=request.user,
            target=f"register-import:{obj.pk}:errors",
            row_count=obj.problems.values("row_number").distinct().count(),
            ip=client_ip(request),
        )
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        stem = obj.original_name.rsplit(".", 1)[0]
        response["Content-Disposition"] = content_disposition_header(True, f"{stem}-问题行.xlsx")
        return response


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
