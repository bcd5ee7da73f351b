"""Generic base views: every list and detail starts from `visible_to(request.user)` (one mechanism)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import LoginView, LogoutView
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.db.models import Model, Q, QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponseBadRequest,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views import View
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from portal.filters import filter_errors_message, query_params_error
from portal.history import AccessLogSearchForm, AuditSearchForm, describe_events, record_history
from portal.middleware import client_ip
from portal.permissions import Capability, CapabilityRequiredMixin, has_capability
from portal.services import (
    LookupThrottled,
    can_reveal,
    masked,
    personal_data_lookup,
    personal_data_reveal,
    personal_fields,
)


@dataclass(frozen=True)
class Column:
    """One column of a list table: a label and an attribute path (or a callable on the row)."""

    label: str
    attr: str
    link: bool = False


class CountlessPaginator(Paginator):
    """A paginator that never runs COUNT(*) over a million rows more than needed: capped count."""

    cap = 100_000

    @property
    def count(self) -> int:
        if not hasattr(self, "_capped_count"):
            self._capped_count: int = self.object_list[: self.cap + 1].count()  # type: ignore[attr-defined]  # a QuerySet
        return self._capped_count


class ScopedQuerysetMixin:
    model: Any = None  # a model with a RegionScopedQuerySet
    request: HttpRequest

    def get_queryset(self) -> QuerySet:
        return self.scoped_queryset()

    def scoped_queryset(self) -> QuerySet:
        return self.model.objects.visible_to(self.request.user)


class QueryParamsGuardMixin:
    """A list page's query string is refused whole (400) when no field could hold it (a NUL byte);
    every other parameter is parsed by the page's FilterSet or search form."""

    def get(self, request, *args, **kwargs):
        refused = query_params_error(request.GET)
        if refused:
            return HttpResponseBadRequest(refused, content_type="text/plain; charset=utf-8")
        return super().get(request, *args, **kwargs)


def _invalid_filters(request, response, message: str):
    """An invalid filter: the page still renders (no rows, the form as typed) with the reason on
    top, answered 400 so that a client or a crawler knows the list was not filtered."""
    messages.error(request, message)
    response.status_code = 400
    return response


class ScopedListView(
    LoginRequiredMixin, CapabilityRequiredMixin, QueryParamsGuardMixin, ScopedQuerysetMixin, FilterView
):
    """A filterable, paginated list of the user's region subtree. Bad filter input answers 400 with
    the reason in Chinese and no rows (django-filter's strict mode), never a 500."""

    required_capability = Capability.VIEW_DATA

    template_name = "portal/list.html"
    paginate_by = 50
    paginator_class = CountlessPaginator
    columns: tuple[Column, ...] = ()
    title = ""
    select_related: tuple[str, ...] = ()
    create_url_name: str | None = None

    def get_queryset(self) -> QuerySet:
        return self.scoped_queryset().select_related(*self.select_related)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        filterset = getattr(self, "filterset", None)
        if response.status_code == 200 and filterset is not None and filterset.is_bound and not filterset.is_valid():
            return _invalid_filters(request, response, filter_errors_message(filterset.form))
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(
            title=self.title or self.model._meta.verbose_name_plural,
            columns=self.columns,
            querystring=params.urlencode(),
            capped=CountlessPaginator.cap,
        )
        return context


class ScopedDetailView(LoginRequiredMixin, CapabilityRequiredMixin, ScopedQuerysetMixin, DetailView):
    """An object outside the user's region answers 404, the same as one that does not exist."""

    required_capability = Capability.VIEW_DATA


class PortalLoginView(LoginView):
    """The login form (django-axes counts its failures and answers a locked-out page)."""

    public = True  # the permission matrix: open to everyone
    redirect_authenticated_user = False


class PortalLogoutView(LogoutView):
    public = True


class PersonalDataMixin:
    """Detail pages of records with personal data: masked by default; a POST to the page's reveal
    URL (`reveal_url_name`, needs REVEAL_PERSONAL) shows them in clear and writes the access log."""

    reveal_url_name: str = ""
    revealed: dict[str, str] | None = None
    request: HttpRequest

    def personal_context(self, obj) -> dict:
        revealed = self.revealed
        values = masked(obj)
        if revealed:
            values.update(revealed)
        context: dict[str, Any] = {f"{name}_display": value for name, value in values.items()}
        context.update(
            revealed=bool(revealed),
            can_reveal=can_reveal(self.request.user) and any(getattr(obj, name) for name in values),
            reveal_url=reverse(self.reveal_url_name, args=[obj.pk]) if self.reveal_url_name else "",
            history_url=history_url(obj, self.request.user),
        )
        return context


class LookupFormMixin:
    """First on a list view of records with personal data: a lookup by those values
    (`lookup_params`) is POSTed to the lookup view, never sent in the query string (400,
    `lookup_refused`); users who may reveal are offered `lookup_form_class` on the page."""

    lookup_params: tuple[str, ...] = ()
    lookup_refused = ""
    lookup_form_class: type[Any]
    request: HttpRequest

    def get(self, request, *args, **kwargs):
        if any(name in request.GET for name in self.lookup_params):
            return HttpResponseBadRequest(self.lookup_refused, content_type="text/plain; charset=utf-8")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):

        context = super().get_context_data(**kwargs)
        if can_reveal(self.request.user):
            context["lookup_form"] = self.lookup_form_class()
        return context


class PersonalLookupView(LoginRequiredMixin, CapabilityRequiredMixin, TemplateView):
    """POST: exact lookup of records by a personal-data value, named by the form's `lookup()`
    (field, value). Needs REVEAL_PERSONAL; every lookup is logged and throttled like a reveal
    (portal.services.personal_data_lookup); results show masked values, the value looked up is not
    echoed back into the page, and the answer is never cached."""

    required_capability = Capability.REVEAL_PERSONAL
    http_method_names = ["post"]
    model: type[Model]
    form_class: type[Any]
    select_related: tuple[str, ...] = ()
    title = ""

    def post(self, request, *args, **kwargs):

        form = self.form_class(request.POST)
        results, status = None, 200
        if form.is_valid():
            field, value = form.lookup()
            try:
                found = personal_data_lookup(
                    user=request.user, model=self.model, field=field, value=value, ip=client_ip(request)
                )
            except LookupThrottled as exc:
                form.add_error(None, str(exc))
                status = 429
            else:
                results = [(obj, masked(obj)) for obj in found.select_related(*self.select_related)]
                form = self.form_class()
        response = self.render_to_response(
            self.get_context_data(title=self.title, lookup_form=form, results=results), status=status
        )
        add_never_cache_headers(response)
        return response


class RevealMixin:
    """Put first on a subclass of a detail view that uses PersonalDataMixin: POST only, needs
    REVEAL_PERSONAL, shows the record's personal data in clear (same template) and logs the read
    (portal.services.personal_data_reveal). An object outside the region answers 404."""

    required_capability = Capability.REVEAL_PERSONAL
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        self.revealed = personal_data_reveal(
            user=request.user, obj=self.object, fields=personal_fields(type(self.object)), ip=client_ip(request)
        )
        response = self.render_to_response(self.get_context_data(object=self.object))
        add_never_cache_headers(response)
        return response


def history_url(obj, user) -> str:
    """The record's change-history page (its model's `get_history_url()`), when the user may see it
    (else ""); a model without one has no history page."""
    get_history_url = getattr(obj, "get_history_url", None)
    if get_history_url is None or not has_capability(user, Capability.VIEW_HISTORY):
        return ""
    return get_history_url()


class RecordHistoryView(
    LoginRequiredMixin, CapabilityRequiredMixin, QueryParamsGuardMixin, ScopedQuerysetMixin, DetailView
):
    """变更记录 of one record: who, when, via what, old → new, personal data masked. The record must
    be inside the user's region (else 404); city administrators search everything on /audit/.
    Each app routes its records here in its own urls.py: `RecordHistoryView.as_view(model=Enterprise)`."""

    required_capability = Capability.VIEW_HISTORY
    template_name = "portal/record_history.html"

    def scoped_queryset(self) -> QuerySet:
        return self.model.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["events"] = record_history(self.object, self.request.user)
        context["title"] = f"{self.object} · 变更记录"
        return context


class SearchFormMixin:
    """A log search page: its parameters are parsed by `search_form_class`; invalid ones are
    ignored, named on the page and answered 400."""

    search_form_class: type | None = None
    search_form = None

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        form = self.search_form
        if form is not None and form.is_bound and not form.is_valid():
            return _invalid_filters(self.request, response, filter_errors_message(form))
        return response


class LogSearchView(LoginRequiredMixin, CapabilityRequiredMixin, QueryParamsGuardMixin, SearchFormMixin, TemplateView):
    """A log for city administrators, searched by `search_form_class` (its `filtered()`), newest
    pages without a count."""

    required_capability = Capability.VIEW_AUDIT
    paginate_by = 50
    title = ""
    select_related = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.search_form = self.search_form_class(self.request.GET or None)
        page = CountlessPaginator(form.filtered().select_related(self.select_related), self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(title=self.title, form=form, page_obj=page, querystring=params.urlencode())
        return context


class AuditSearchView(LogSearchView):
    """The whole change log for city administrators: filter by table, actor, via, dates, record."""

    search_form_class = AuditSearchForm
    template_name = "portal/audit_search.html"
    title = "变更日志"
    select_related = "actor"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["events"] = describe_events(context["page_obj"].object_list, self.request.user)
        return context


class AccessLogSearchView(LogSearchView):
    """The access log (reveals and exports) for city administrators."""

    search_form_class = AccessLogSearchForm
    template_name = "portal/access_log.html"
    title = "访问日志"
    select_related = "user"


# --- Searchable pickers: related records chosen from the user's region (portal/widgets.py) -------


class AutocompleteView(LoginRequiredMixin, CapabilityRequiredMixin, View):
    """JSON for a searchable picker: `{"results": [{"id", "label", "detail"}]}`, at most
    `max_results` rows of `model.objects.visible_to(user)` whose `search_fields` match `q`.

    Each app declares its own subclass and URL (the floor never names the apps' models). One query
    per request, whatever is typed; rows of another district are never offered. `?id=` returns the
    named rows (still scoped), so a picker can show the label of a value it was given."""

    required_capability: Capability | None = Capability.VIEW_DATA
    model: type[Model] | None = None
    search_fields: tuple[str, ...] = ()  # lookups: "name__icontains", "credit_code__istartswith"
    select_related: tuple[str, ...] = ()
    max_results = 20
    max_query_length = 64

    def get_queryset(self) -> QuerySet:
        assert self.model is not None, "AutocompleteView needs a model"  # noqa: S101 (a programming error)
        manager: Any = self.model._default_manager  # a RegionScopedQuerySet manager
        return manager.visible_to(self.request.user).select_related(*self.select_related)

    def search(self, queryset: QuerySet, text: str) -> QuerySet:
        condition = Q()
        for lookup in self.search_fields:
            condition |= Q(**{lookup: text})
        return queryset.filter(condition)

    def label(self, obj) -> str:
        return str(obj)

    def detail(self, obj) -> str:
        """A second, muted line that tells apart rows with the same label (a region, a code)."""
        return ""

    def get(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        ids = [value for value in request.GET.getlist("id") if value.isdigit()][: self.max_results]
        text = request.GET.get("q", "").strip()[: self.max_query_length]
        if ids:
            queryset = queryset.filter(pk__in=ids)
        elif text:
            queryset = self.search(queryset, text)
        rows = queryset[: self.max_results]
        return JsonResponse(
            {"results": [{"id": obj.pk, "label": self.label(obj), "detail": self.detail(obj)} for obj in rows]}
        )


# --- Error pages and the favicon ----------------------------------------------------------------


def page_not_found(request, exception=None):
    """handler404: the portal's own page, in Chinese (also in DEBUG, see NotFoundPageMiddleware)."""
    return render(request, "404.html", status=404)


def server_error(request):
    """handler500: rendered without a request context (the error may lie in a context processor)."""
    return HttpResponseServerError(loader.get_template("500.html").render())


class FaviconView(View):
    """Browsers ask for /favicon.ico whatever the page says: answer with the static file itself
    (static/favicon.ico), cached for a day, so that no page logs a 404 for it."""

    public = True  # the permission matrix: open to everyone

    def get(self, request, *args, **kwargs):
        path = finders.find("favicon.ico")
        if path is None:
            raise Http404("favicon.ico")
        response = FileResponse(open(path, "rb"), content_type="image/x-icon")  # noqa: SIM115 - closed by Django
        patch_cache_control(response, public=True, max_age=24 * 60 * 60)
        return response
