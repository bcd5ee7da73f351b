"""Reads shared by the ledger pages, the API, the exports and the tasks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from assessments.choices import Dimension, SnapshotStatus
from assessments.filtersets import LedgerFactFilterSet, LedgerFilterSet
from assessments.models import LedgerEnterpriseFact, LedgerPeriod, LedgerRow, LedgerSnapshot
from assessments.rules import FIGURE_BY_NAME, FIGURES, annotate_ledger, filter_figure
from assessments.snapshots import live_totals
from enterprises.models import Enterprise, SurveyCampaign
from portal.choices import RegionLevel
from portal.models import Region, User


def parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def figure_enterprises(queryset: QuerySet, figure: str, as_of: dt.date) -> QuerySet:
    """Enterprises of `queryset` counted in `figure`: what is behind a number on a dashboard."""
    return filter_figure(queryset, figure, as_of)


def annotate_page(enterprises: Iterable[Enterprise], as_of: dt.date) -> list[Enterprise]:
    """The enterprises of one page, in the same order, with every per-enterprise figure (one query)."""
    ids = [enterprise.pk for enterprise in enterprises]
    rows = annotate_ledger(Enterprise.objects.filter(pk__in=ids), as_of).select_related("region", "carrier")
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def current_campaigns(region: Region | None) -> list:
    """The current survey campaigns that concern `region` (its own, an ancestor's or a descendant's)."""
    if region is None:
        return []
    campaigns = SurveyCampaign.objects.filter(is_current=True).select_related("region")
    return [c for c in campaigns if region.path.startswith(c.region.path) or c.region.path.startswith(region.path)]


def latest_snapshot(as_of: dt.date | None = None) -> LedgerSnapshot | None:
    """The newest complete nightly snapshot on or before `as_of` (or the newest of all)."""
    snapshots = LedgerSnapshot.objects.complete().nightly()
    if as_of is not None:
        snapshots = snapshots.filter(as_of__lte=as_of)
    return snapshots.order_by("-as_of").first()


def snapshot_mismatches(snapshot: LedgerSnapshot, regions: Iterable[Region] | None = None) -> list[str]:
    """Differences between a snapshot's region rows and the figures counted again now (empty when
    they agree: nothing changed since the snapshot was taken)."""
    if snapshot.status != SnapshotStatus.COMPLETE:
        return [f"{snapshot} 未完成"]
    rows = LedgerRow.objects.filter(snapshot=snapshot, dimension=Dimension.REGION).select_related("region")
    if regions is not None:
        rows = rows.filter(region__in=list(regions))
    problems = []
    for row in rows:
        live = live_totals(Enterprise.objects.in_scope().in_region(row.region), snapshot.as_of)
        for figure in FIGURES:
            stored = getattr(row, figure.name)
            if live[figure.name] != stored:
                problems.append(f"{row.region.name} {figure.label}：快照 {stored}，实时 {live[figure.name]}")
    return problems


def collect_period_problems(period: LedgerPeriod) -> list[str]:
    """校核 (a read): the snapshot is complete, its figures are consistent with each other, and
    the live per-enterprise rules still give the same numbers (nothing changed since 重新统计)."""
    snapshot = period.snapshots.first()
    if snapshot is None:
        return ["尚未统计，请先重新统计"]
    problems = []
    # Any: the figure columns are added to LedgerRow per FIGURES, unseen by the type checker.
    row: Any = LedgerRow.objects.filter(snapshot=snapshot, dimension=Dimension.REGION, region=period.region).first()
    if row is None:
        return ["快照中没有本区域的数据"]
    if row.with_members + row.without_members != row.enterprises:
        problems.append("有党员企业与无党员企业之和不等于企业总数")
    if row.org_covered > row.with_members or row.work_covered > row.without_members:
        problems.append("覆盖数大于应覆盖数")
    if row.standalone + row.joint_only + row.no_org != row.enterprises:
        problems.append("单独建立、联合建立、未建立党组织的企业之和不等于单位数")
    if row.no_org_due + row.no_org_few + row.no_org_none != row.no_org:
        problems.append("未建立党组织的企业分类之和不等于未建立党组织数")
    problems += snapshot_mismatches(snapshot, regions=[period.region])
    return problems


def group_filter(queryset: QuerySet, filters: dict) -> QuerySet:
    """A ledger line's group keys (LedgerFilterSet) applied to enterprises (live lists)."""
    return LedgerFilterSet(filters, queryset=queryset).qs


# --- The enterprises behind a snapshot's number: its per-enterprise facts --------------------------

# Whose gap lists default to the newest snapshot (a whole city live takes seconds); districts
# default to live data, which is what staff fixing gaps want.
SNAPSHOT_FIRST_LEVELS = frozenset({RegionLevel.PROVINCE, RegionLevel.CITY})


def prefers_snapshot(user: User) -> bool:
    if user.is_superuser:
        return True
    jurisdiction = getattr(user, "jurisdiction", None)
    return jurisdiction is not None and jurisdiction.level in SNAPSHOT_FIRST_LEVELS


def snapshot_has_facts(snapshot: LedgerSnapshot) -> bool:
    """Whether the snapshot still holds its per-enterprise facts (older ones are pruned)."""
    return LedgerEnterpriseFact.objects.filter(snapshot=snapshot).exists()


def snapshot_figure_facts(user: User, snapshot: LedgerSnapshot, figure: str, params: Mapping[str, Any]) -> QuerySet:
    """The user's facts of `snapshot` counted in `figure`, narrowed to the line's group keys."""
    facts = LedgerEnterpriseFact.objects.visible_to(user).filter(snapshot=snapshot).holding(figure)
    return LedgerFactFilterSet(params, queryset=facts).qs


def _as_counted(enterprise: Enterprise, fact: LedgerEnterpriseFact | None) -> Enterprise:
    """Set the per-enterprise figures and counts on `enterprise` as the fact holds them."""
    for count in ("full_members", "probationary_members", "active_instructors"):
        setattr(enterprise, count, getattr(fact, count) if fact else 0)
    for name in FIGURE_BY_NAME:
        setattr(enterprise, name, bool(fact and fact.holds(name)))
    return enterprise


def annotate_page_from_facts(enterprises: Iterable[Enterprise], snapshot: LedgerSnapshot) -> list[Enterprise]:
    """The enterprises of one page with their figures as `snapshot` counted them (one query)."""
    rows = list(enterprises)
    facts = LedgerEnterpriseFact.objects.filter(snapshot=snapshot, enterprise_id__in=[e.pk for e in rows])
    by_id = {fact.enterprise_id: fact for fact in facts}
    return [_as_counted(enterprise, by_id.get(enterprise.pk)) for enterprise in rows]


def page_from_facts(facts: Iterable[LedgerEnterpriseFact], user: User) -> list[Enterprise]:
    """The enterprises of one page of facts, in the same order, with their figures as the snapshot
    counted them (one query). An enterprise deleted since, or no longer visible to the user, is
    left out."""
    facts = list(facts)
    enterprises = (
        Enterprise.objects.visible_to(user)
        .filter(pk__in=[fact.enterprise_id for fact in facts])
        .select_related("region", "carrier")
    )
    by_id = {enterprise.pk: enterprise for enterprise in enterprises}
    return [_as_counted(by_id[fact.enterprise_id], fact) for fact in facts if fact.enterprise_id in by_id]


# --- The list behind a figure: one choice of source, one filter, one order for page, API, export ---


@dataclass(frozen=True)
class FigureList:
    """The enterprises behind `figure`: from a snapshot's facts (`queryset` of
    LedgerEnterpriseFact, `snapshot` set) or live (`queryset` of Enterprise, as of `as_of`); both
    ordered by region, then enterprise id. `notice` says why the source is not the one asked for."""

    source: str  # "snapshot" | "live"
    snapshot: LedgerSnapshot | None
    notice: str
    queryset: QuerySet
    as_of: dt.date

    def rows(self, page: Iterable[Any], user: User) -> list[Enterprise]:
        """One page of `queryset` as enterprises with their per-enterprise figures (one query)."""
        if self.snapshot is not None:
            return page_from_facts(page, user)
        return annotate_page(page, self.as_of)


PRUNED_NOTICE = "{as_of:%Y-%m-%d} 快照的企业明细已清理，以下按实时数据逐户计算。"


def figure_list(*, user: User, figure: str, filters: dict, prefer_snapshot: bool = False) -> FigureList:
    """The one read behind every list of a figure (page, API, Excel export).

    Source: ?live=1 → live; ?snapshot=<id> → that complete snapshot (404 when there is none);
    otherwise the newest snapshot when `prefer_snapshot` (city-wide users' gap lists), else live.
    A snapshot whose facts were pruned falls back to live data as of its date, with a notice.
    `filters` are the parsed ledger parameters (assessments.forms.parse_ledger_params)."""
    snapshot, notice = None, ""
    if filters.get("live") != "1":
        if filters.get("snapshot"):
            snapshot = get_object_or_404(LedgerSnapshot.objects.complete(), pk=int(filters["snapshot"]))
        elif prefer_snapshot:
            snapshot = latest_snapshot()
    as_of_param = filters.get("as_of")
    as_of = dt.date.fromisoformat(as_of_param) if as_of_param else timezone.localdate()
    if snapshot is not None and not snapshot_has_facts(snapshot):
        notice = PRUNED_NOTICE.format(as_of=snapshot.as_of)
        as_of, snapshot = snapshot.as_of, None
    if snapshot is not None:
        facts = snapshot_figure_facts(user, snapshot, figure, filters)
        return FigureList("snapshot", snapshot, "", facts.order_by("region__path", "enterprise_id"), snapshot.as_of)
    scoped = group_filter(Enterprise.objects.visible_to(user), filters)
    enterprises = figure_enterprises(scoped, figure, as_of).select_related("region", "carrier")
    return FigureList("live", None, notice, enterprises.order_by("region__path", "pk"), as_of)
