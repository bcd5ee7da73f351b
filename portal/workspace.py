"""Generic views of the staff workspace: create, edit and end a record, and export a filtered list.

Each view declares `required_capability` (the permission matrix checks it), a `form_class` built
on portal.forms, and `service`: the app's write service `<noun>_<verb>(*, ..., acting_user)`. The
view never saves a model itself: the service checks the capability and the scope again, runs
`full_clean()` and writes, so a form, the API and a command get the same Chinese messages. A
ValidationError from the service lands beside its fields, PermissionDenied answers 403.

Idempotent submit: every rendered form carries a one-time token (portal.forms.FormTokenField).
The first submit of a token reserves it in the cache and stores the URL of its result; a second
submit of the same token (a double click, a phone re-sending on a weak signal) is redirected to
that result and creates nothing. The reservation uses `cache.add` (atomic in Redis/Memcached);
configure a shared cache when running several workers.

See docs/workspace.md for how an app adds its pages.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar
from urllib.parse import quote

import xlsxwriter
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from portal.forms import TOKEN_FIELD, EndForm
from portal.middleware import client_ip
from portal.permissions import Capability, CapabilityRequiredMixin, has_capability
from portal.services import export_logged
from portal.templatetags.portal_tags import cell

TOKEN_TTL = 24 * 3600
_PENDING = "pending"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_EXPORT_ROWS = 200_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Crumb = tuple[str, str]  # (label, url; "" for the current page)


def breadcrumb(*items: tuple[str, str | None]) -> list[Crumb]:
    """`breadcrumb(("企业", "enterprises:list"), (enterprise.name, enterprise.get_absolute_url()),
    ("编辑", None))`: URL names are reversed, paths kept, None marks the current page."""
    crumbs: list[Crumb] = [("首页", reverse("home"))]
    for label, target in items:
        if not target:
            url = ""
        elif target.startswith("/"):
            url = target
        else:
            url = reverse(target)
        crumbs.append((str(label), url))
    return crumbs


# --- idempotency ---------------------------------------------------------------------------------


def _token_key(user, token: str) -> str:
    return f"workspace:form-token:{getattr(user, 'pk', '')}:{token}"


class _Duplicate(Exception):
    def __init__(self, url: str | None) -> None:
        self.url = url


def _reserve(user, token: str) -> None:
    """Reserve `token` for this submit, or raise _Duplicate with the first submit's result URL."""
    if not token:
        return
    key = _token_key(user, token)
    if cache.add(key, _PENDING, TOKEN_TTL):
        return
    for _ in range(30):  # the first submit is still saving: wait for its result (at most ~3 s)
        value = cache.get(key)
        if value != _PENDING:
            raise _Duplicate(value)
        time.sleep(0.1)
    raise _Duplicate(None)


# --- form pages ----------------------------------------------------------------------------------


class WorkspaceFormView(LoginRequiredMixin, CapabilityRequiredMixin, View):
    """The shared mechanics; use WorkspaceCreateView / WorkspaceUpdateView / WorkspaceEndView."""

    required_capability: Capability | None
    model: type[Model]
    form_class: type
    service: Callable[..., Any]
    template_name = "portal/form.html"
    title = ""
    submit_label = "保存"
    success_message = "已保存"
    list_url_name = ""  # "enterprises:carrier-list": the breadcrumb's parent and the cancel target
    object: Model | None = None
    request: HttpRequest

    # hooks ------------------------------------------------------------------------------------

    def get_object(self) -> Model | None:
        return None

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"user": self.request.user}

    def get_form(self, data=None):
        return self.form_class(data, **self.get_form_kwargs())

    def call_service(self, form) -> Model:
        raise NotImplementedError

    def get_success_url(self, result: Model) -> str:
        return result.get_absolute_url()  # type: ignore[attr-defined]

    def get_breadcrumb(self) -> list[Crumb]:
        items: list[tuple[str, str | None]] = []
        if self.list_url_name:
            items.append((str(self.model._meta.verbose_name_plural), self.list_url_name))
        if self.object is not None:
            items.append((str(self.object), self.object.get_absolute_url()))  # type: ignore[attr-defined]
        items.append((self.get_title(), None))
        return breadcrumb(*items)

    def get_title(self) -> str:
        return self.title

    def get_cancel_url(self) -> str:
        if self.object is not None:
            return self.object.get_absolute_url()  # type: ignore[attr-defined]
        return reverse(self.list_url_name) if self.list_url_name else reverse("home")

    # flow -------------------------------------------------------------------------------------

    def service_function(self) -> Callable[..., Any]:
        return type(self).service  # the plain function, never bound to the view

    def render_form(self, form, status: int = 200) -> HttpResponse:
        first_error = next((name for name in form.fields if name in form.errors), None)
        context = {
            "form": form,
            "object": self.object,
            "title": self.get_title(),
            "breadcrumb": self.get_breadcrumb(),
            "submit_label": self.submit_label,
            "cancel_url": self.get_cancel_url(),
            "add_another": getattr(self, "add_another", False),
            "first_error": first_error,
            "warning": getattr(self, "warning", ""),
            "view": self,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_form(self.get_form())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        token = form.cleaned_data.get(TOKEN_FIELD) or ""
        try:
            _reserve(request.user, token)
        except _Duplicate as duplicate:
            messages.info(request, "该表单已提交过，未重复保存")
            return HttpResponseRedirect(duplicate.url or self.get_cancel_url())
        try:
            result = self.call_service(form)
        except ValidationError as exc:
            if token:
                cache.delete(_token_key(request.user, token))
            form.add_service_errors(exc)
            return self.render_form(form)
        except BaseException:
            if token:
                cache.delete(_token_key(request.user, token))
            raise
        url = self.get_success_url(result)
        if token:
            cache.set(_token_key(request.user, token), url, TOKEN_TTL)
        messages.success(request, self.success_message.format(object=result))
        if getattr(self, "add_another", False) and "_addanother" in request.POST:
            return HttpResponseRedirect(request.path)
        return HttpResponseRedirect(url)

    @staticmethod
    def service_data(form) -> dict[str, Any]:
        return {name: value for name, value in form.cleaned_data.items() if name != TOKEN_FIELD}


class _ObjectMixin:
    """Views on one existing record: looked up in `visible_to(user)` (outside the region: 404)."""

    model: type[Model]
    request: HttpRequest
    kwargs: dict[str, Any]
    object_kwarg = ""  # the service's keyword for the record; default: the model name ("carrier")

    def get_queryset(self) -> QuerySet:
        manager: Any = self.model._default_manager
        return manager.visible_to(self.request.user)

    def get_object(self) -> Model:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def object_keyword(self) -> str:
        return self.object_kwarg or self.model._meta.model_name or "obj"


class WorkspaceCreateView(WorkspaceFormView):
    """A create form: `service(**cleaned_data, acting_user=user)`. Offers 保存并继续添加."""

    add_another = True
    submit_label = "保存"
    success_message = "已新增：{object}"

    def get_title(self) -> str:
        return self.title or f"新增{self.model._meta.verbose_name}"

    def call_service(self, form) -> Model:
        return self.service_function()(**self.service_data(form), acting_user=self.request.user)


class WorkspaceUpdateView(_ObjectMixin, WorkspaceFormView):
    """An edit form: `service(<model_name>=obj, **cleaned_data, acting_user=user)`."""

    success_message = "已保存：{object}"

    def get_title(self) -> str:
        return self.title or f"编辑{self.model._meta.verbose_name}"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.object}

    def call_service(self, form) -> Model:
        return self.service_function()(
            **{self.object_keyword(): self.object}, **self.service_data(form), acting_user=self.request.user
        )


class WorkspaceEndView(_ObjectMixin, WorkspaceFormView):
    """An end action (dissolve, deregister, end an assignment): a confirmation page with the date
    and the reason, never a hard delete. `service(<model_name>=obj, ended_on=, reason=,
    acting_user=)`; override `call_service` when the service names them otherwise."""

    form_class = EndForm
    template_name = "portal/confirm_end.html"
    submit_label = "确认"
    success_message = "已办理：{object}"
    warning = ""  # one sentence on what ending means for the ledger

    def get_form(self, data=None):
        return self.form_class(data, initial={"ended_on": timezone.localdate()}, **self.get_form_kwargs())

    def call_service(self, form) -> Model:
        return self.service_function()(
            **{self.object_keyword(): self.object}, **self.service_data(form), acting_user=self.request.user
        )


# --- list pages: add button, breadcrumb, export of the filtered list ------------------------------


def safe_text(value) -> str:
    """A text cell that Excel will never read as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def table_workbook(title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> tuple[bytes, int]:
    """A plain table (title line, headers, rows), streamed in constant memory; returns the file and
    the number of rows written. Every cell is text, formulas neutralised."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet("清单")
    sheet.write_string(0, 0, safe_text(title), book.add_format({"bold": True, "font_size": 14}))
    bold = book.add_format({"bold": True})
    for col, header in enumerate(headers):
        sheet.write_string(1, col, header, bold)
        sheet.set_column(col, col, 18)
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            sheet.write_string(count + 1, col, safe_text(value))
    book.close()
    return buffer.getvalue(), count


class ListExportMixin:
    """Put first on a ScopedListView: `?export=xlsx` answers the FILTERED list as .xlsx (the same
    filters and scope as the page; needs Capability.EXPORT; logged via export_logged), and the page
    gets `create_url` (when the role holds `create_capability`), `export_url` and `breadcrumb`."""

    create_url_name: str | None = None
    create_capability: ClassVar[Capability | None] = None
    export_capability = Capability.EXPORT
    export_param = "export"
    request: HttpRequest
    columns: tuple
    model: type[Model]

    def get(self, request, *args, **kwargs):
        if request.GET.get(self.export_param) != "xlsx":
            return super().get(request, *args, **kwargs)
        if not has_capability(request.user, self.export_capability):
            raise PermissionDenied("您的角色无权导出")
        view: Any = self
        view.filterset = view.get_filterset(view.get_filterset_class())
        if not view.filterset.is_valid():
            return super().get(request, *args, **kwargs)  # the page says why (400)
        queryset = view.filterset.qs
        return self.export_response(queryset)

    def export_title(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    def export_response(self, queryset: QuerySet) -> HttpResponse:

        total = queryset[: MAX_EXPORT_ROWS + 1].count()
        if total > MAX_EXPORT_ROWS:
            messages.error(self.request, f"导出不能超过 {MAX_EXPORT_ROWS:,} 行，请缩小筛选范围")
            params = self.request.GET.copy()
            params.pop(self.export_param, None)
            return HttpResponseRedirect(f"{self.request.path}?{params.urlencode()}")
        title = self.export_title()
        headers = [column.label for column in self.columns]
        rows = ([_plain(cell(row, column.attr)) for column in self.columns] for row in queryset.iterator(2000))
        export_logged(
            user=self.request.user,  # type: ignore[arg-type]
            target=f"list:{self.model._meta.label_lower}",
            row_count=total,
            ip=client_ip(self.request),
            detail={"filters": {k: v for k, v in self.request.GET.items() if k != self.export_param}},
        )
        content, _count = table_workbook(title, headers, rows)
        response = HttpResponse(content, content_type=XLSX)
        filename = f"{title}-{timezone.localdate():%Y%m%d}.xlsx"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        params = self.request.GET.copy()
        params.pop("page", None)
        params.pop(self.export_param, None)
        params[self.export_param] = "xlsx"
        context.update(
            create_url=(
                reverse(self.create_url_name)
                if self.create_url_name and self.create_capability and has_capability(user, self.create_capability)
                else ""
            ),
            export_url=f"?{params.urlencode()}" if has_capability(user, self.export_capability) else "",
            create_label=f"新增{self.model._meta.verbose_name}",
            page_numbers=_page_numbers(context.get("page_obj")),
            breadcrumb=breadcrumb((context.get("title") or str(self.model._meta.verbose_name_plural), None)),
        )
        return context


def _page_numbers(page) -> list:
    if page is None or not page.has_other_pages():
        return []
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return [number if isinstance(number, int) else "…" for number in numbers]


def _plain(value) -> str:
    return "" if value == "—" else str(value)
