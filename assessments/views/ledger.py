"""Ledger pages: the dashboard (from snapshots), drill-down and gap lists (a snapshot's
per-enterprise facts, or the live rules), the statistics table, snapshots over time. Thin: parse,
call, render."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import ListView, TemplateView

from assessments import exports
from assessments.choices import Dimension, SnapshotStatus
from assessments.forms import LedgerParamsInvalid, parse_ledger_params
from assessments.models import LedgerRow, LedgerSnapshot
from assessments.rules import FIGURE_BY_NAME, GAPS, level_mismatch_organizations
from assessments.selectors import (
    FigureList,
    current_campaigns,
    figure_list,
    group_filter,
    latest_snapshot,
    prefers_snapshot,
)
from assessments.statistics import statistics_table
from enterprises.choices import EnterpriseKind, Industry
from enterprises.models import Carrier, Enterprise
from organizations.models import PartyOrganization
from portal.choices import RegionLevel
from portal.models import Region
from portal.permissions import Capability, CapabilityRequiredMixin, has_capability
from portal.scoping import home_region, region_visible_to
from portal.spreadsheets import xlsx_download
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


def unplaced_label(region: Region) -> str:
    """The line of a region's breakdown counting enterprises registered at the region itself."""
    return "未落实到街道" if region.level == RegionLevel.DISTRICT else "区直属/未落实到下级"


def bad_request(request, exc: LedgerParamsInvalid):
    """400 with the Chinese reasons, never a 500 for a malformed parameter."""
    return render(
        request,
        "assessments/bad_request.html",
        {"title": "请求参数有误", "problems": exc.messages},
        status=400,
    )


class LedgerMixin(LoginRequiredMixin, CapabilityRequiredMixin):
    required_capability = Capability.VIEW_LEDGER

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except LedgerParamsInvalid as exc:
            return bad_request(request, exc)

    @cached_property
    def params(self) -> dict:
        """The request's ledger parameters, parsed (LedgerParamsInvalid: answered 400)."""
        return parse_ledger_params(self.request.GET)

    def selected_region(self) -> Region | None:
        """?region=<code> within the user's subtree (outside it: 404), else the home region."""
        code = self.params["region"]
        if not code:
            return home_region(self.request.user)
        return get_object_or_404(region_visible_to(self.request.user), code=code)

    def selected_snapshot(self) -> LedgerSnapshot | None:
        if self.params["snapshot"]:
            snapshots = LedgerSnapshot.objects.complete().select_related("period", "period__submitted_by")
            return get_object_or_404(snapshots, pk=int(self.params["snapshot"]))
        as_of = self.params["as_of"]
        return latest_snapshot(dt.date.fromisoformat(as_of) if as_of else None)


class DashboardView(LedgerMixin, TemplateView):
    """台账看板: figures by sub-region (or kind, industry, carrier ...) with rates and ranking."""

    template_name = "assessments/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        region = self.selected_region()
        snapshot = self.selected_snapshot()
        by = self.params["by"] or "region"
        total, rows, unplaced = None, [], None
        if snapshot is not None and region is not None:
            visible = LedgerRow.objects.visible_to(self.request.user).filter(snapshot=snapshot)
            total = visible.filter(dimension=Dimension.REGION, region=region).select_related("region").first()
            dimension = DIMENSIONS[by][1]
            if dimension == Dimension.REGION:
                group = visible.filter(dimension=dimension, region__parent=region).select_related("region")
            elif dimension == Dimension.CARRIER:
                group = visible.filter(dimension=dimension).in_region(region).select_related("carrier", "region")
            else:
                group = visible.filter(dimension=dimension, region=region).select_related("region")
            rows = [self._line(row, by, snapshot) for row in group]
            rows.sort(key=lambda line: (line["overall"] is None, -(line["overall"] or 0), line["label"]))
            if dimension == Dimension.REGION:
                # Enterprises registered at the region itself: with the rows above it adds up.
                row = (
                    visible.filter(dimension=Dimension.REGION_UNPLACED, region=region).select_related("region").first()
                )
                unplaced = self._line(row, "unplaced", snapshot) if row is not None else None
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
            home=home_region(self.request.user),
            by=by,
            dimensions=[(key, label) for key, (label, _d) in DIMENSIONS.items()],
            columns=DASHBOARD_COLUMNS,
            total=self._line(total, "total", snapshot) if total else None,
            rows=rows,
            unplaced=unplaced,
            gaps=GAPS,
        )
        return context

    def _line(self, row: LedgerRow, by: str, snapshot: LedgerSnapshot) -> dict:
        """One dashboard line: its label, its filter for drill-down links (the snapshot's own
        per-enterprise facts, so the list has exactly the number's length), counts and rates."""
        params = {"snapshot": snapshot.pk, "as_of": snapshot.as_of.isoformat(), "region": row.region.code}
        if by == "region" or by == "total":
            label = row.region.name
        elif by == "unplaced":
            label, params["unplaced"] = unplaced_label(row.region), 1
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
        return super().dispatch(request, *args, **kwargs)

    def figure_name(self) -> str:
        name = self.gap or self.params["figure"]
        if name not in FIGURE_BY_NAME or (self.gap and not FIGURE_BY_NAME[name].gap):
            raise Http404("没有这个指标")
        return name

    @cached_property
    def listing(self) -> FigureList:
        """The source, notice and queryset: the same selector as the API and the export."""
        self.selected_region()  # a region outside the user's subtree: 404, as if it did not exist
        prefer = bool(self.gap) and prefers_snapshot(self.request.user)
        return figure_list(
            user=self.request.user, figure=self.figure_name(), filters=self.params, prefer_snapshot=prefer
        )

    @property
    def snapshot(self) -> LedgerSnapshot | None:
        return self.listing.snapshot

    @property
    def notice(self) -> str:
        return self.listing.notice

    def as_of(self) -> dt.date:
        return self.listing.as_of

    def get_queryset(self):
        return self.listing.queryset

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        if self.snapshot is not None:
            return Paginator(queryset, per_page, orphans, allow_empty_first_page, **kwargs)
        return super().get_paginator(queryset, per_page, orphans, allow_empty_first_page, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.params["export"] == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def export(self):
        if not has_capability(self.request.user, Capability.EXPORT):
            raise PermissionDenied("您的角色无权导出")
        figure = FIGURE_BY_NAME[self.figure_name()]
        user, params = self.request.user, self.params
        if self.snapshot is not None:
            rows = exports.export_fact_rows(user, self.snapshot, figure.name, params)
            title = f"{figure.label}（截至 {self.as_of():%Y-%m-%d} 统计）"
        else:
            scoped = group_filter(Enterprise.objects.visible_to(user), params)
            rows = exports.export_rows(scoped, figure.name, self.as_of())
            title = f"{figure.label}（截至 {self.as_of():%Y-%m-%d}，实时）"
        content, count = exports.list_workbook(title, exports.EXPORT_HEADERS, rows)
        detail = {k: v for k, v in params.items() if v} | {
            "source": f"snapshot:{self.snapshot.pk}" if self.snapshot else "live"
        }
        filename = f"{figure.label}-{self.as_of():%Y%m%d}.xlsx"
        return xlsx_download(
            self.request, content, filename, target=f"ledger:{figure.name}", row_count=count, params=detail
        )

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
        rows = self.listing.rows(context["object_list"], self.request.user)
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
            params=self.params,
            unplaced_label=unplaced_label(self.selected_region()) if self.params["unplaced"] == "1" else "",
            can_export=has_capability(self.request.user, Capability.EXPORT),
            can_act=has_capability(self.request.user, Capability.EDIT_PARTY),
            **self.source_links(),
        )
        return context


class StatisticsTableView(LedgerMixin, TemplateView):
    """非公有制经济控制企业党建工作情况统计表, from a snapshot; ?export=xlsx for Excel."""

    template_name = "assessments/statistics.html"
    title = "非公有制经济控制企业党建工作情况统计表"

    def marked_title(self, snapshot: LedgerSnapshot | None) -> str:
        """A submitted period's table says so, on the page and in its Excel file alike."""
        period = snapshot.period if snapshot is not None else None
        if period is not None and period.is_locked:
            return f"{self.title}（已上报 · 锁定，{period.submitted_by} {period.submitted_at:%Y-%m-%d %H:%M} 上报）"
        return self.title

    def get(self, request, *args, **kwargs):
        if self.params["export"] == "xlsx":
            if not has_capability(request.user, Capability.EXPORT):
                raise PermissionDenied("您的角色无权导出")
            region, snapshot = self.selected_region(), self.selected_snapshot()
            if region is None or snapshot is None:
                raise Http404("没有可导出的统计数据")
            table = statistics_table(snapshot, region)
            title = self.marked_title(snapshot)
            content = exports.statistics_workbook(table, unit=region.name, as_of=snapshot.as_of, title=title)
            return xlsx_download(
                request,
                content,
                f"党内统计表-{region.name}-{snapshot.as_of:%Y%m%d}.xlsx",
                target=f"ledger-statistics:{region.code}:{snapshot.as_of}",
                row_count=len(table.lines),
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        region, snapshot = self.selected_region(), self.selected_snapshot()
        table = statistics_table(snapshot, region) if region and snapshot else None
        period = snapshot.period if snapshot is not None else None
        context.update(
            title=self.marked_title(snapshot),
            period=period,
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
                snapshot__status=SnapshotStatus.COMPLETE,
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
            running=LedgerSnapshot.objects.exclude(status=SnapshotStatus.COMPLETE).order_by("-as_of")[:10],
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
