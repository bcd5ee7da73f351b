"""Generic base views: every list and detail starts from `visible_to(request.user)` (one mechanism)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.mixins import LoginRequiredMixin
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


class HomeView(LoginRequiredMixin, CapabilityRequiredMixin, TemplateView):
    required_capability = None  # every signed-in user has a home page
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        from enterprises.models import Enterprise
        from instructors.models import Instructor
        from organizations.models import PartyMember, PartyOrganization

        user = self.request.user
        context = super().get_context_data(**kwargs)
        context["cards"] = [
            ("企业", Enterprise.objects.visible_to(user).in_scope().count(), "enterprises:list"),
            ("党员", PartyMember.objects.visible_to(user).count(), "organizations:member-list"),
            ("党组织", PartyOrganization.objects.visible_to(user).count(), "organizations:list"),
            ("党建工作指导员", Instructor.objects.visible_to(user).count(), "instructors:list"),
        ]
        return context
