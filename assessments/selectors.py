"""Reads shared by the ledger pages, the API, the exports and the tasks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from assessments.choices import Dimension, SnapshotStatus
from assessments.models import LedgerRow, LedgerSnapshot
from assessments.rules import FIGURES, annotate_ledger, base_annotations
from enterprises.models import Enterprise
from portal.models import Region


def ledger_enterprises(user, as_of: dt.date) -> QuerySet:
    """The user's enterprises, annotated with every per-enterprise figure."""
    return annotate_ledger(Enterprise.objects.visible_to(user), as_of)


def figure_enterprises(queryset: QuerySet, figure: str, as_of: dt.date) -> QuerySet:
    """Enterprises of `queryset` counted in `figure`: what is behind a number on a dashboard."""
    from assessments.rules import FIGURE_BY_NAME

    return queryset.alias(**base_annotations(as_of)).filter(FIGURE_BY_NAME[figure].rule)


def latest_snapshot(as_of: dt.date | None = None) -> LedgerSnapshot | None:
    """The newest complete nightly snapshot on or before `as_of` (or the newest of all)."""
    snapshots = LedgerSnapshot.objects.complete().nightly()
    if as_of is not None:
        snapshots = snapshots.filter(as_of__lte=as_of)
    return snapshots.order_by("-as_of").first()


def snapshot_rows(user, snapshot: LedgerSnapshot, dimension: str = Dimension.REGION) -> QuerySet:
    """Rows of a snapshot the user may see (their region subtree)."""
    return LedgerRow.objects.visible_to(user).filter(snapshot=snapshot, dimension=dimension)


def snapshot_mismatches(snapshot: LedgerSnapshot, regions: Iterable[Region] | None = None) -> list[str]:
    """Differences between a snapshot's region rows and the live per-enterprise rules, counted
    again now with one aggregate per region (empty when they agree)."""
    if snapshot.status != SnapshotStatus.COMPLETE:
        return [f"{snapshot} 未完成"]
    rows = LedgerRow.objects.filter(snapshot=snapshot, dimension=Dimension.REGION).select_related("region")
    if regions is not None:
        rows = rows.filter(region__in=list(regions))
    problems = []
    live_base = Enterprise.objects.in_scope().alias(**base_annotations(snapshot.as_of))
    aggregates = {figure.name: Count("pk", filter=figure.rule) for figure in FIGURES}
    for row in rows:
        subtree = Region.objects.filter(path__startswith=row.region.path).values("id")
        live = live_base.filter(region__in=subtree).aggregate(**aggregates)
        for figure in FIGURES:
            stored = getattr(row, figure.name)
            if live[figure.name] != stored:
                problems.append(f"{row.region.name} {figure.label}：快照 {stored}，实时 {live[figure.name]}")
    return problems


def region_filter(queryset: QuerySet, region: Region | None) -> QuerySet:
    if region is None:
        return queryset
    return queryset.filter(region__in=Region.objects.filter(path__startswith=region.path).values("id"))


__all__ = [
    "Q",
    "figure_enterprises",
    "latest_snapshot",
    "ledger_enterprises",
    "region_filter",
    "snapshot_mismatches",
    "snapshot_rows",
]
