"""Ledger pages: the dashboard (from snapshots), drill-down and gap lists (a snapshot's
per-enterprise facts, or the live rules), the statistics table, snapshots over time, and the
period workflow. Thin: parse, call, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import ListView, TemplateView

from assessments import exports, services
from assessments.choices import Dimension, PeriodStatus
from assessments.models import LedgerPeriod, LedgerRow, LedgerSnapshot
from assessments.rules import FIGURE_BY_NAME, GAPS, level_mismatch_organizations
from assessments.selectors import (
    EXPORT_HEADERS,
    annotate_page,
    current_campaigns,
    export_fact_rows,
    export_rows,
    figure_enterprises,
    group_filter,
    latest_snapshot,
    page_from_facts,
    parse_date,
    prefers_snapshot,
    snapshot_figure_facts,
    snapshot_has_facts,
    statistics_table,
)
from assessments.snapshots import LedgerLocked
from enterprises.choices import EnterpriseKind, Industry
from enterprises.models import Carrier, Enterprise
from organizations.models import PartyOrganization
from portal.models import Region
from portal.permissions import Capability, CapabilityRequiredMixin, has_capability
from portal.scoping import region_visible_to
from portal.views import CountlessPaginator

# The dashboard's columns: (figure, label, denominator for a rate or None).
DASHBOARD_COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    ("enterprises", "企业数", None),
    ("with_members", "有党员", None),
    ("org_covered", "组织覆盖", "with_members"),
    ("without_members", "无党员", None),
    ("work_covered", "工作覆盖", "without_members"),
    ("work_by_instructor", "指导员", None),
    ("work_by_joint", "联合组织", None),
    ("standalone_due", "应建未建", None),
    ("fifty_no_members", "50人以上无党员", None),
    ("surveyed", "已排查", "enterprises"),
    ("clear_all", "四个清楚", "enterprises"),
)
DIMENSIONS = {
    "region": ("下级区域", Dimension.REGION),
    "kind": ("企业类型", Dimension.REGION_KIND),
    "industry": ("行业", Dimension.REGION_INDUSTRY),
    "above_scale": ("规模以上", Dimension.REGION_ABOVE_SCALE),
    "carrier": ("载体（园区、楼宇等）", Dimension.CARRIER),
}
GROUP_PARAMS = ("region", "carrier", "industry", "kind", "above_scale", "size_band", "legal_member")


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


class LedgerMixin(LoginRequiredMixin, CapabilityRequiredMixin):
    required_capability = Capability.VIEW_LEDGER

    def home_region(self) -> Region | None:
        """The user's own region (superusers: the root of the tree)."""
        user = self.request.user
        if user.jurisdiction_id:
            return user.jurisdiction
        if user.is_superuser:
            return Region.objects.filter(parent__isnull=True).order_by("path").first()
        return None

    def selected_region(self) -> Region | None:
        """?region=<code> within the user's subtree (outside it: 404), else the home region."""
        code = self.request.GET.get("region", "").strip()
        if not code:
            return self.home_region()
        return get_object_or_404(region_visible_to(self.request.user), code=code)

    def selected_snapshot(self) -> LedgerSnapshot | None:
        snapshot_id = self.request.GET.get("snapshot", "")
        if snapshot_id.isdigit():
            return get_object_or_404(LedgerSnapshot.objects.complete(), pk=int(snapshot_id))
        return latest_snapshot(parse_date(self.request.GET.get("as_of")))


class DashboardView(LedgerMixin, TemplateView):
    """台账看板: figures by sub-region (or kind, industry, carrier ...) with rates and ranking."""

    template_name = "assessments/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        region = self.selected_region()
        snapshot = self.selected_snapshot()
        by = self.request.GET.get("by", "region")
        if by not in DIMENSIONS:
            by = "region"
        total, rows = None, []
        if snapshot is not None and region is not None:
            visible = LedgerRow.objects.visible_to(self.request.user).filter(snapshot=snapshot)
            total = visible.filter(dimension=Dimension.REGION, region=region).select_related("region").first()
            dimension = DIMENSIONS[by][1]
            if dimension == Dimension.REGION:
                group = visible.filter(dimension=dimension, region__parent=region).select_related("region")
            elif dimension == Dimension.CARRIER:
                group = visible.filter(dimension=dimension, region__path__startswith=region.path).select_related(
                    "carrier", "region"
                )
            else:
                group = visible.filter(dimension=dimension, region=region).select_related("region")
            rows = [self._line(row, by, snapshot) for row in group]
            rows.sort(key=lambda line: (line["overall"] is None, -(line["overall"] or 0), line["label"]))
        today = timezone.localdate()
        campaigns = [
            {"campaign": c, "days_left": (c.deadline - today).days, "overdue": (today - c.deadline).days}
            for c in current_campaigns(region)
        ]
        context.update(
            campaigns=campaigns,
            title="覆盖台账",
            snapshot=snapshot,
            snapshots=LedgerSnapshot.objects.complete().nightly().order_by("-as_of")[:60],
            region=region,
            home=self.home_region(),
            by=by,
            dimensions=[(key, label) for key, (label, _d) in DIMENSIONS.items()],
            columns=DASHBOARD_COLUMNS,
            total=self._line(total, "total", snapshot) if total else None,
            rows=rows,
            gaps=GAPS,
        )
        return context

    def _line(self, row: LedgerRow, by: str, snapshot: LedgerSnapshot) -> dict:
        """One dashboard line: its label, its filter for drill-down links (the snapshot's own
        per-enterprise facts, so the list has exactly the number's length), counts and rates."""
        params = {"snapshot": snapshot.pk, "as_of": snapshot.as_of.isoformat(), "region": row.region.code}
        if by == "region" or by == "total":
            label = row.region.name
        elif by == "carrier":
            # A carrier's row counts its enterprises wherever they are registered: no region key.
            label, params["carrier"] = (row.carrier.name if row.carrier else "—"), row.carrier_id
            del params["region"]
        elif by == "kind":
            label, params["kind"] = EnterpriseKind(row.kind).label if row.kind else "—", row.kind
        elif by == "industry":
            label = Industry(row.industry).label if row.industry else "未填行业"
            params["industry"] = row.industry
        else:
            label, params["above_scale"] = ("规模以上" if row.above_scale else "规模以下"), row.above_scale
        query = "&".join(f"{k}={v}" for k, v in params.items() if v not in (None, ""))
        cells = []
        for figure, _label, denominator in DASHBOARD_COLUMNS:
            value = getattr(row, figure)
            rate = _rate(value, getattr(row, denominator)) if denominator else None
            cells.append({"figure": figure, "value": value, "rate": rate, "query": f"figure={figure}&{query}"})
        overall = _rate(row.org_covered + row.work_covered, row.enterprises)
        return {"label": label, "row": row, "cells": cells, "overall": overall, "query": query}


class FigureEnterpriseListView(LedgerMixin, ListView):
    """The enterprises behind a number: ?figure=<name> plus the line's group keys. Also the five
    gap lists (figure fixed by the URL). Exported with ?export=xlsx, from the same source.

    Two sources, and the page says which:
    * a snapshot (?snapshot=<id>, what the dashboard links carry): the enterprises whose facts in
      that snapshot hold the figure — the list behind a number is exactly as long as the number;
    * live (?live=1, or no snapshot): the rules evaluated now, as of ?as_of= (default today).
    Gap lists default to the newest snapshot for city-wide users (live would take seconds) and to
    live data for districts. A snapshot whose facts were pruned falls back to live, with a notice.
    """

    template_name = "assessments/enterprise_list.html"
    paginate_by = 50
    paginator_class = CountlessPaginator
    gap: str | None = None

    def dispatch(self, request, *args, **kwargs):
        self.gap = kwargs.get("gap")
        self.snapshot, self.notice = None, ""
        return super().dispatch(request, *args, **kwargs)

    def figure_name(self) -> str:
        name = self.gap or self.request.GET.get("figure", "")
        if name not in FIGURE_BY_NAME or (self.gap and not FIGURE_BY_NAME[name].gap):
            raise Http404("没有这个指标")
        return name

    def choose_source(self) -> None:
        """Set self.snapshot (None: live) and self.notice from the request."""
        params = self.request.GET
        if params.get("live") == "1":
            return
        snapshot_id = params.get("snapshot", "")
        if snapshot_id.isdigit():
            snapshot = get_object_or_404(LedgerSnapshot.objects.complete(), pk=int(snapshot_id))
        elif self.gap and prefers_snapshot(self.request.user):
            snapshot = latest_snapshot()
            if snapshot is None:
                return
        else:
            return
        if snapshot_has_facts(snapshot):
            self.snapshot = snapshot
        else:
            self.notice = f"{snapshot.as_of:%Y-%m-%d} 快照的企业明细已清理，以下按实时数据逐户计算。"

    def as_of(self) -> dt.date:
        if self.snapshot is not None:
            return self.snapshot.as_of
        return parse_date(self.request.GET.get("as_of")) or timezone.localdate()

    def get_queryset(self):
        user, params, figure = self.request.user, self.request.GET, self.figure_name()
        self.choose_source()
        if self.snapshot is not None:
            # Paged over the snapshot's facts (region, then enterprise id): a city-wide page needs
            # no sort of the enterprises themselves, and the count is the facts' exact count.
            facts = snapshot_figure_facts(user, self.snapshot, figure, params)
            return facts.order_by("region__path", "enterprise_id")
        scoped = group_filter(Enterprise.objects.visible_to(user), params, user)
        enterprises = figure_enterprises(scoped, figure, self.as_of())
        return enterprises.select_related("region", "carrier").order_by("region__path", "name", "pk")

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        if self.snapshot is not None:
            return Paginator(queryset, per_page, orphans, allow_empty_first_page, **kwargs)
        return super().get_paginator(queryset, per_page, orphans, allow_empty_first_page, **kwargs)

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def export(self):
        if not has_capability(self.request.user, Capability.EXPORT):
            raise PermissionDenied("您的角色无权导出")
        figure = FIGURE_BY_NAME[self.figure_name()]
        user, params = self.request.user, self.request.GET
        self.choose_source()
        if self.snapshot is not None:
            rows = export_fact_rows(user, self.snapshot, figure.name, params)
            title = f"{figure.label}（截至 {self.as_of():%Y-%m-%d} 统计）"
        else:
            scoped = group_filter(Enterprise.objects.visible_to(user), params, user)
            rows = export_rows(scoped, figure.name, self.as_of())
            title = f"{figure.label}（截至 {self.as_of():%Y-%m-%d}，实时）"
        content, count = exports.list_workbook(title, EXPORT_HEADERS, rows)
        detail = params.dict() | {"source": f"snapshot:{self.snapshot.pk}" if self.snapshot else "live"}
        exports.log_export(self.request, f"ledger:{figure.name}", count, params=detail)
        return exports.xlsx_response(content, f"{figure.label}-{self.as_of():%Y%m%d}.xlsx")

    def source_links(self) -> dict:
        """The toggle between the snapshot and live data, keeping the other filters."""
        params = self.request.GET.copy()
        for key in ("page", "export", "live", "snapshot"):
            params.pop(key, None)
        live = params.copy()
        live["live"] = "1"
        links = {"live_query": live.urlencode(), "snapshot_query": None}
        if self.snapshot is None:
            latest = latest_snapshot()
            if latest is not None and not self.notice:
                params["snapshot"] = str(latest.pk)
                links.update(snapshot_query=params.urlencode(), snapshot_as_of=latest.as_of)
        return links

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        figure = FIGURE_BY_NAME[self.figure_name()]
        params = self.request.GET.copy()
        params.pop("page", None)
        params.pop("export", None)
        if self.snapshot is not None:
            rows = page_from_facts(context["object_list"], self.request.user)
        else:
            rows = annotate_page(context["object_list"], self.as_of())
        context.update(
            object_list=rows,
            rows=rows,
            title=figure.label,
            figure=figure,
            as_of=self.as_of(),
            snapshot=self.snapshot,
            notice=self.notice,
            querystring=params.urlencode(),
            capped=CountlessPaginator.cap,
            gaps=GAPS,
            gap=self.gap,
            industries=Industry.choices,
            carriers=Carrier.objects.visible_to(self.request.user).order_by("name")[:500],
            regions=region_visible_to(self.request.user).order_by("path")[:500],
            params=self.request.GET,
            can_export=has_capability(self.request.user, Capability.EXPORT),
            **self.source_links(),
        )
        return context


class StatisticsTableView(LedgerMixin, TemplateView):
    """非公有制经济控制企业党建工作情况统计表, from a snapshot; ?export=xlsx for Excel."""

    template_name = "assessments/statistics.html"
    title = "非公有制经济控制企业党建工作情况统计表"

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            if not has_capability(request.user, Capability.EXPORT):
                raise PermissionDenied("您的角色无权导出")
            region, snapshot = self.selected_region(), self.selected_snapshot()
            if region is None or snapshot is None:
                raise Http404("没有可导出的统计数据")
            table = statistics_table(snapshot, region)
            content = exports.statistics_workbook(table, unit=region.name, as_of=snapshot.as_of, title=self.title)
            exports.log_export(request, f"ledger-statistics:{region.code}:{snapshot.as_of}", len(table.lines))
            return exports.xlsx_response(content, f"党内统计表-{region.name}-{snapshot.as_of:%Y%m%d}.xlsx")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        region, snapshot = self.selected_region(), self.selected_snapshot()
        table = statistics_table(snapshot, region) if region and snapshot else None
        context.update(
            title=self.title,
            region=region,
            snapshot=snapshot,
            snapshots=LedgerSnapshot.objects.complete().nightly().order_by("-as_of")[:60],
            table=table,
            can_export=has_capability(self.request.user, Capability.EXPORT),
        )
        return context


class SnapshotTrendView(LedgerMixin, TemplateView):
    """快照与趋势: the selected region's figures in every complete nightly snapshot."""

    template_name = "assessments/trend.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        region = self.selected_region()
        rows = (
            LedgerRow.objects.visible_to(self.request.user)
            .filter(
                dimension=Dimension.REGION,
                region=region,
                snapshot__period__isnull=True,
                snapshot__status="COMPLETE",
            )
            .select_related("snapshot")
            .order_by("-snapshot__as_of")[:120]
        )
        lines = [
            {
                "row": row,
                "org_rate": _rate(row.org_covered, row.with_members),
                "work_rate": _rate(row.work_covered, row.without_members),
                "overall": _rate(row.org_covered + row.work_covered, row.enterprises),
                "surveyed_rate": _rate(row.surveyed, row.enterprises),
                "clear_rate": _rate(row.clear_all, row.enterprises),
            }
            for row in rows
        ]
        context.update(
            title="台账快照与趋势",
            region=region,
            lines=lines,
            running=LedgerSnapshot.objects.exclude(status="COMPLETE").order_by("-as_of")[:10],
        )
        return context


class LevelMismatchView(LedgerMixin, ListView):
    """组织设置预警: branches with over 50 members, general branches with over 100 (live)."""

    template_name = "assessments/level_mismatch.html"
    paginate_by = 50

    def get_queryset(self):
        organizations = PartyOrganization.objects.visible_to(self.request.user).select_related("region")
        return level_mismatch_organizations(organizations, timezone.localdate()).order_by("-member_total", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title="组织设置预警", gaps=GAPS)
        return context


class PeriodListView(LedgerMixin, TemplateView):
    """台账上报: periods of the user's districts, and their 重新统计 → 校核 → 上报 buttons."""

    template_name = "assessments/periods.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        periods = LedgerPeriod.objects.visible_to(self.request.user).select_related("region", "submitted_by")
        context.update(
            title="台账统计与上报",
            periods=periods[:100],
            can_manage=has_capability(self.request.user, Capability.MANAGE_LEDGER),
            home=self.home_region(),
            today=timezone.localdate(),
        )
        return context


class PeriodCreateView(LedgerMixin, View):
    required_capability = Capability.MANAGE_LEDGER

    def post(self, request):
        region = self.home_region()
        as_of = parse_date(request.POST.get("as_of"))
        name = (request.POST.get("name") or "").strip()
        if region is None or as_of is None or not name:
            messages.error(request, "请填写期间名称和统计截止日期")
        else:
            try:
                services.period_create(region=region, name=name, as_of=as_of, acting_user=request.user)
                messages.success(request, f"已创建台账期间：{name}")
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
        return HttpResponseRedirect(reverse("assessments:periods"))


class PeriodActionView(LedgerMixin, View):
    """POST /periods/<pk>/<compute|check|submit>/."""

    required_capability = Capability.MANAGE_LEDGER
    actions = {
        "compute": (services.period_compute, "已重新统计"),
        "check": (services.period_check, "已校核"),
        "submit": (services.period_submit, "已上报，数据已锁定"),
    }

    def post(self, request, pk: int, action: str):
        period = get_object_or_404(LedgerPeriod.objects.visible_to(request.user), pk=pk)
        if action not in self.actions:
            raise Http404("没有这个操作")
        service, done = self.actions[action]
        try:
            period = service(period=period, acting_user=request.user)
        except (ValidationError, LedgerLocked) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            if action == "check" and period.status != PeriodStatus.CHECKED:
                messages.error(request, f"校核未通过：{len(period.check_errors)} 个问题")
            else:
                messages.success(request, done)
        return HttpResponseRedirect(reverse("assessments:periods"))
