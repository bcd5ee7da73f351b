"""Generic base views: every list and detail starts from `visible_to(request.user)` (one mechanism)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import LoginView, LogoutView
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from portal.permissions import Capability, CapabilityRequiredMixin


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
    def count(self) -> int:  # type: ignore[override]
        if not hasattr(self, "_capped_count"):
            self._capped_count = self.object_list[: self.cap + 1].count()
        return self._capped_count


class ScopedQuerysetMixin:
    model = None

    def get_queryset(self) -> QuerySet:
        return self.scoped_queryset()

    def scoped_queryset(self) -> QuerySet:
        return self.model.objects.visible_to(self.request.user)


class ScopedListView(LoginRequiredMixin, CapabilityRequiredMixin, ScopedQuerysetMixin, FilterView):
    """A filterable, paginated list of the user's region subtree."""

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

    def personal_context(self, obj) -> dict:
        from django.urls import reverse

        from portal.services import can_reveal, masked

        revealed = self.revealed
        values = masked(obj)
        if revealed:
            values.update(revealed)
        context = {f"{name}_display": value for name, value in values.items()}
        context.update(
            revealed=bool(revealed),
            can_reveal=can_reveal(self.request.user) and any(getattr(obj, name) for name in values),
            reveal_url=reverse(self.reveal_url_name, args=[obj.pk]) if self.reveal_url_name else "",
            history_url=history_url(obj, self.request.user),
        )
        return context


class RevealMixin:
    """Put first on a subclass of a detail view that uses PersonalDataMixin: POST only, needs
    REVEAL_PERSONAL, shows the record's personal data in clear (same template) and logs the read
    (portal.services.personal_data_reveal). An object outside the region answers 404."""

    required_capability = Capability.REVEAL_PERSONAL
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        from django.utils.cache import add_never_cache_headers

        from portal.middleware import client_ip
        from portal.services import personal_data_reveal, personal_fields

        self.object = self.get_object()
        self.revealed = personal_data_reveal(
            user=request.user, obj=self.object, fields=personal_fields(type(self.object)), ip=client_ip(request)
        )
        response = self.render_to_response(self.get_context_data(object=self.object))
        add_never_cache_headers(response)
        return response


def history_url(obj, user) -> str:
    """The record's change-history page, when the user may see it (else "")."""
    from django.urls import NoReverseMatch, reverse

    from portal.permissions import has_capability

    if not has_capability(user, Capability.VIEW_HISTORY):
        return ""
    try:
        return reverse(f"portal:history-{obj._meta.model_name}", args=[obj.pk])
    except NoReverseMatch:
        return ""


class RecordHistoryView(LoginRequiredMixin, CapabilityRequiredMixin, ScopedQuerysetMixin, DetailView):
    """变更记录 of one record: who, when, via what, old → new, personal data masked. The record must
    be inside the user's region (else 404); city administrators search everything on /audit/.
    `model_label` ("enterprises.Enterprise") keeps portal from importing the apps above it."""

    required_capability = Capability.VIEW_HISTORY
    template_name = "portal/record_history.html"
    model_label = ""

    def scoped_queryset(self) -> QuerySet:
        from django.apps import apps

        return apps.get_model(self.model_label).objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        from portal.history import record_history

        context = super().get_context_data(**kwargs)
        context["events"] = record_history(self.object, self.request.user)
        context["title"] = f"{self.object} · 变更记录"
        return context


class AuditSearchView(LoginRequiredMixin, CapabilityRequiredMixin, TemplateView):
    """The whole change log for city administrators: filter by table, actor, via, dates, record."""

    required_capability = Capability.VIEW_AUDIT
    template_name = "portal/audit_search.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        from portal.history import AuditSearchForm, describe_events

        context = super().get_context_data(**kwargs)
        form = AuditSearchForm(self.request.GET or None)
        queryset = form.filtered()
        page = CountlessPaginator(queryset.select_related("actor"), self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(
            title="变更日志",
            form=form,
            page_obj=page,
            events=describe_events(page.object_list, self.request.user),
            querystring=params.urlencode(),
        )
        return context


class AccessLogSearchView(LoginRequiredMixin, CapabilityRequiredMixin, TemplateView):
    """The access log (reveals and exports) for city administrators."""

    required_capability = Capability.VIEW_AUDIT
    template_name = "portal/access_log.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        from portal.history import AccessLogSearchForm

        context = super().get_context_data(**kwargs)
        form = AccessLogSearchForm(self.request.GET or None)
        page = CountlessPaginator(form.filtered().select_related("user"), self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(title="访问日志", form=form, page_obj=page, querystring=params.urlencode())
        return context
