"""Taking a ledger snapshot: every figure, every grouping, in one set-based statement.

The per-enterprise SQL is the ORM's own (`rules.base_annotations` on Enterprise, compiled by
Django), wrapped in one GROUPING SETS aggregate whose `count(*) FILTER (...)` conditions are the
same `rules.FIGURES` compiled against the wrapped columns. Region rows are then rolled up the
tree through `Region.path` (a few thousand regions). The number of statements does not depend on
the number of enterprises.

Idempotent and restartable (STYLE.md rule 6): the snapshot of (as_of, period) is first marked
RUNNING (committed), then its rows are deleted and re-inserted and it is marked COMPLETE in one
transaction. A run that died leaves it RUNNING (or FAILED) with its previous rows: `redo_stale()`
takes it again.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import BooleanField, Case, F, IntegerField, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from assessments.choices import Dimension, SnapshotStatus
from assessments.models import LedgerPeriod, LedgerRow, LedgerSnapshot
from assessments.rules import (
    BASE_FLAGS,
    COUNTS,
    FIGURES,
    SIZE_50,
    SIZE_100,
    SIZE_SMALL,
    SUMS,
    base_annotations,
    count_annotations,
)
from enterprises.models import Enterprise
from portal.models import Region

logger = logging.getLogger(__name__)

# A RUNNING snapshot older than this is taken to have died.
STALE_AFTER = timedelta(hours=2)

# (dimension, grouping columns besides region_id / carrier_id)
REGION_DIMENSIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (Dimension.REGION, ()),
    (Dimension.REGION_KIND, ("kind",)),
    (Dimension.REGION_INDUSTRY, ("industry",)),
    (Dimension.REGION_ABOVE_SCALE, ("above_scale",)),
    (Dimension.REGION_SIZE, ("size_band",)),
    (Dimension.REGION_LEGAL, ("legal_member",)),
)
KEY_COLUMNS = ("kind", "industry", "above_scale", "size_band", "legal_member")
FIGURE_COLUMNS = tuple(figure.name for figure in FIGURES)
SUM_COLUMNS = tuple(name for name, _source, _label in SUMS)


class LedgerLocked(Exception):
    """The period was submitted (上报): its figures no longer change."""


def enterprise_rows(as_of: dt.date, region: Region | None = None) -> QuerySet:
    """The per-enterprise rows a snapshot aggregates: in-scope enterprises with their grouping
    keys, base facts and counts (the ORM's SQL for rules.base_annotations)."""
    queryset = Enterprise.objects.in_scope()
    if region is not None:
        queryset = queryset.in_region(region)
    queryset = queryset.annotate(**base_annotations(as_of)).annotate(**count_annotations(as_of))
    return (
        queryset.annotate(
            size_band=Case(
                When(employees_100=True, then=Value(SIZE_100)),
                When(employees_50=True, then=Value(SIZE_50)),
                default=Value(SIZE_SMALL),
            ),
            legal_member=F("legal_representative_is_member"),
        )
        .order_by()
        .values(
            "region_id",
            "carrier_id",
            "kind",
            "industry",
            "above_scale",
            "size_band",
            "legal_member",
            "employee_count",
            *BASE_FLAGS,
            *COUNTS,
        )
    )


def _figure_conditions() -> list[tuple[str, str, list]]:
    """Each figure's rule compiled against the wrapped per-enterprise columns `e."<name>"`."""
    # Column names are the constants of assessments.rules, never input.
    columns = {name: RawSQL(f'e."{name}"', (), output_field=BooleanField()) for name in BASE_FLAGS}  # noqa: S611
    columns.update({name: RawSQL(f'e."{name}"', (), output_field=IntegerField()) for name in COUNTS})  # noqa: S611
    query = Enterprise.objects.annotate(**columns).query
    compiler = query.get_compiler(connection=connection)
    compiled = []
    for figure in FIGURES:
        sql, params = query.build_where(figure.rule).as_sql(compiler, connection)
        compiled.append((figure.name, sql, list(params)))
    return compiled


def snapshot_sql(snapshot_id: int, as_of: dt.date, region: Region | None = None) -> tuple[str, list]:
    """One INSERT ... SELECT writing every row of a snapshot."""
    inner_sql, inner_params = enterprise_rows(as_of, region).query.sql_with_params()
    params: list = list(inner_params)
    aggregates = []
    for name, condition, condition_params in _figure_conditions():
        aggregates.append(f'count(*) FILTER (WHERE {condition}) AS "{name}"')
        params.extend(condition_params)
    for name, source, _label in SUMS:
        aggregates.append(f'coalesce(sum(e."{source}"), 0) AS "{name}"')
    grouping_sets = ", ".join(
        "(" + ", ".join(("region_id", *columns)) + ")" for _dimension, columns in REGION_DIMENSIONS
    )
    grouping_sets += ", (carrier_id)"
    # GROUPING() bitmask over (carrier_id, kind, industry, above_scale, size_band, legal_member):
    # a bit is 1 when the column is *not* part of the row's grouping set.
    tag_cases = []
    all_keys = ("carrier_id", *KEY_COLUMNS)
    for dimension, columns in REGION_DIMENSIONS:
        mask = sum(1 << (len(all_keys) - 1 - i) for i, key in enumerate(all_keys) if key not in columns)
        tag_cases.append(f"WHEN {mask} THEN '{dimension}'")
    tag = f"CASE GROUPING({', '.join(all_keys)}) {' '.join(tag_cases)} ELSE '{Dimension.CARRIER}' END"
    figures = (*FIGURE_COLUMNS, *SUM_COLUMNS)
    sums = ", ".join(f'sum(g."{name}")' for name in figures)
    plain = ", ".join(f'g."{name}"' for name in figures)
    names = ", ".join(f'"{name}"' for name in figures)
    keys = ", ".join(f"g.{key}" for key in KEY_COLUMNS)
    scope = ""
    if region is not None:
        scope = "AND a.path LIKE %s"
    # Built from code constants and Django's compiled SQL; every value is a bound parameter.
    sql = f"""
WITH g AS (
    SELECT {tag} AS dimension, region_id, carrier_id, {", ".join(KEY_COLUMNS)}, {", ".join(aggregates)}
    -- OFFSET 0 keeps the per-enterprise row a fence: each fact is evaluated once per enterprise,
    -- not once per FILTER of every grouping set.
    FROM ({inner_sql} OFFSET 0) AS e
    GROUP BY GROUPING SETS ({grouping_sets})
)
INSERT INTO {LedgerRow._meta.db_table}
    (snapshot_id, dimension, region_id, carrier_id, {", ".join(KEY_COLUMNS)}, {names})
SELECT %s, g.dimension, a.id, NULL, {keys}, {sums}
FROM g
JOIN portal_region r ON r.id = g.region_id
CROSS JOIN LATERAL unnest(string_to_array(rtrim(r.path, '/'), '/')) AS ancestor(code)
JOIN portal_region a ON a.code = ancestor.code
WHERE g.dimension <> '{Dimension.CARRIER}' {scope}
GROUP BY g.dimension, a.id, {keys}
UNION ALL
SELECT %s, g.dimension, c.region_id, g.carrier_id, {keys}, {plain}
FROM g
JOIN enterprises_carrier c ON c.id = g.carrier_id
WHERE g.dimension = '{Dimension.CARRIER}'
"""  # noqa: S608
    params.append(snapshot_id)
    if region is not None:
        params.append(region.path + "%")
    params.append(snapshot_id)
    return sql, params


def take_snapshot(*, as_of: dt.date, period: LedgerPeriod | None = None, reason: str = "") -> LedgerSnapshot:
    """Compute (or recompute) the snapshot of (as_of, period): identical rows every time."""
    if period is not None and period.is_locked:
        raise LedgerLocked(f"{period} 已上报，数据已锁定")
    with transaction.atomic():
        snapshot, _created = LedgerSnapshot.objects.select_for_update().get_or_create(
            as_of=as_of, period=period, defaults={"reason": reason[:128]}
        )
        snapshot.status = SnapshotStatus.RUNNING
        snapshot.reason = reason[:128]
        snapshot.started_at = timezone.now()
        snapshot.failure_reason = ""
        snapshot.save(update_fields=["status", "reason", "started_at", "failure_reason"])
    started = time.perf_counter()
    try:
        with transaction.atomic():
            # Serialise concurrent runs of the same snapshot: the second waits, then redoes it.
            LedgerSnapshot.objects.select_for_update().filter(pk=snapshot.pk).get()
            if period is not None:
                LedgerPeriod.objects.select_for_update().filter(pk=period.pk).get()
                period.refresh_from_db(fields=["status"])
                if period.is_locked:
                    raise LedgerLocked(f"{period} 已上报，数据已锁定")
            LedgerRow.objects.filter(snapshot=snapshot)._raw_delete(connection.alias)
            sql, params = snapshot_sql(snapshot.pk, as_of, period.region if period is not None else None)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                row_count = cursor.rowcount
            snapshot.status = SnapshotStatus.COMPLETE
            snapshot.computed_at = timezone.now()
            snapshot.duration_ms = int((time.perf_counter() - started) * 1000)
            snapshot.row_count = row_count
            snapshot.save(update_fields=["status", "computed_at", "duration_ms", "row_count"])
    except Exception as exc:
        LedgerSnapshot.objects.filter(pk=snapshot.pk).update(
            status=SnapshotStatus.FAILED, failure_reason=str(exc)[:2000]
        )
        raise
    logger.info("ledger snapshot %s as of %s: %s rows in %s ms", snapshot.pk, as_of, row_count, snapshot.duration_ms)
    return snapshot


def redo_stale(*, now: dt.datetime | None = None) -> list[LedgerSnapshot]:
    """Take again every snapshot whose run died (FAILED, or RUNNING for longer than STALE_AFTER)."""
    now = now or timezone.now()
    stale = LedgerSnapshot.objects.filter(status=SnapshotStatus.FAILED) | LedgerSnapshot.objects.filter(
        status=SnapshotStatus.RUNNING, started_at__lt=now - STALE_AFTER
    )
    redone = []
    for snapshot in stale.select_related("period", "period__region").order_by("as_of"):
        if snapshot.period is not None and snapshot.period.is_locked:
            continue
        redone.append(take_snapshot(as_of=snapshot.as_of, period=snapshot.period, reason="重做未完成的统计"))
    return redone
