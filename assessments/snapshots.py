"""Taking a ledger snapshot: every figure, every grouping, in one set-based statement.

The per-enterprise SQL joins the ORM's own SQL for `rules.fact_sources` (compiled by
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
from django.db.models import BooleanField, IntegerField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from assessments.choices import Dimension, SnapshotStatus
from assessments.models import LedgerPeriod, LedgerRow, LedgerSnapshot
from assessments.rules import BASE_FLAGS, BASES, FIGURES, SIZE_BAND, SUMS, fact_sources
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


# For the one big statement: JIT compiling hundreds of FILTER expressions costs more than it saves,
# and the per-group aggregation should hash in memory rather than sort on disk.
SESSION_SETTINGS = "SET LOCAL jit = off; SET LOCAL work_mem = '256MB'"


class LedgerLocked(Exception):
    """The period was submitted (上报): its figures no longer change."""


def _compiler():
    return Enterprise.objects.none().query.get_compiler(connection=connection)


def _compile_q(rule: Q, columns: dict[str, str]) -> tuple[str, list]:
    """SQL for `rule` where each name of `columns` is the given SQL (code constants, never input)
    and any other name is an Enterprise field of "enterprises_enterprise"."""
    annotations = {
        name: RawSQL(sql, (), output_field=BooleanField() if kind == "bool" else IntegerField())  # noqa: S611
        for name, (sql, kind) in columns.items()
    }
    query = Enterprise.objects.annotate(**annotations).query
    sql, params = query.build_where(rule).as_sql(query.get_compiler(connection=connection), connection)
    return sql, list(params)


def enterprise_rows_sql(
    as_of: dt.date, region: Region | None = None, enterprises: QuerySet | None = None
) -> tuple[str, list]:
    """One row per enterprise (in scope, in `region`, or of the `enterprises` queryset): its id,
    grouping keys, every base fact, the counts. The fact sources (Django's SQL for
    rules.fact_sources) are joined once; the base rules are compiled against their columns, absent
    rows counting as zero."""
    table = Enterprise._meta.db_table
    params: list = []
    joins = []
    fact_columns: dict[str, tuple[str, str]] = {}
    for source in fact_sources(as_of):
        source_sql, source_params = source.queryset.query.sql_with_params()
        joins.append(
            f'LEFT JOIN ({source_sql}) AS "f_{source.name}" ON "f_{source.name}"."{source.key}" = "{table}"."id"'
        )
        params.extend(source_params)
        for column in source.columns:
            fact_columns[column] = (f'coalesce("f_{source.name}"."{column}", 0)', "int")
    selected = [
        f'"{table}"."id" AS id',
        f'"{table}"."region_id" AS region_id',
        f'"{table}"."carrier_id" AS carrier_id',
        f'"{table}"."kind" AS kind',
        f'"{table}"."industry" AS industry',
        f'"{table}"."above_scale" AS above_scale',
        f'"{table}"."legal_representative_is_member" AS legal_member',
        f'"{table}"."employee_count" AS employee_count',
    ]
    select_params: list = []
    band_sql, band_params = SIZE_BAND.resolve_expression(Enterprise.objects.none().query).as_sql(
        _compiler(), connection
    )
    selected.append(f"{band_sql} AS size_band")
    select_params.extend(band_params)
    for base in BASES:
        sql, base_params = _compile_q(base.rule, fact_columns)
        selected.append(f'{sql} AS "{base.name}"')
        select_params.extend(base_params)
    for name, source_column in (
        ("full_members", "full_members"),
        ("probationary_members", "probationary_members"),
        ("active_instructors", "active_instructors"),
    ):
        selected.append(f'{fact_columns[source_column][0]} AS "{name}"')
    scope = Enterprise.objects.in_scope() if enterprises is None else enterprises
    if region is not None:
        scope = scope.in_region(region)
    where_sql, where_params = scope.query.where.as_sql(_compiler(), connection) if scope.query.where else ("TRUE", [])
    sql = f"""SELECT {", ".join(selected)} FROM "{table}" {" ".join(joins)} WHERE {where_sql}"""  # noqa: S608
    return sql, select_params + params + list(where_params)


def figure_conditions() -> list[tuple[str, str, list]]:
    """Each figure's rule compiled against the wrapped per-enterprise base facts `e."<name>"`."""
    columns = {name: (f'e."{name}"', "bool") for name in BASE_FLAGS}
    return [(figure.name, *_compile_q(figure.rule, columns)) for figure in FIGURES]


def snapshot_sql(snapshot_id: int, as_of: dt.date, region: Region | None = None) -> tuple[str, list]:
    """One INSERT ... SELECT writing every row of a snapshot.

    fine: every figure counted per finest group (region, carrier, kind, industry, ...) in one
          hash aggregate over the per-enterprise rows;
    g:    the GROUPING SETS of the dimensions, summing the fine groups (far fewer rows than
          enterprises, so seven grouping sets cost little);
    then region rows are rolled up to every ancestor through Region.path, carrier rows kept.
    """
    inner_sql, inner_params = enterprise_rows_sql(as_of, region)
    params: list = list(inner_params)
    counts = []
    for name, condition, condition_params in figure_conditions():
        counts.append(f'count(*) FILTER (WHERE {condition}) AS "{name}"')
        params.extend(condition_params)
    for name, source, _label in SUMS:
        counts.append(f'coalesce(sum(e."{source}"), 0) AS "{name}"')
    figures = (*FIGURE_COLUMNS, *SUM_COLUMNS)
    all_keys = ("carrier_id", *KEY_COLUMNS)
    grouping_sets = ", ".join(
        "(" + ", ".join(("region_id", *columns)) + ")" for _dimension, columns in REGION_DIMENSIONS
    )
    grouping_sets += ", (carrier_id)"
    # GROUPING() bitmask over (carrier_id, kind, industry, above_scale, size_band, legal_member):
    # a bit is 1 when the column is *not* part of the row's grouping set.
    tag_cases = []
    for dimension, columns in REGION_DIMENSIONS:
        mask = sum(1 << (len(all_keys) - 1 - i) for i, key in enumerate(all_keys) if key not in columns)
        tag_cases.append(f"WHEN {mask} THEN '{dimension}'")
    tag = f"CASE GROUPING({', '.join(all_keys)}) {' '.join(tag_cases)} ELSE '{Dimension.CARRIER}' END"
    fine_sums = ", ".join(f'sum(fine."{name}") AS "{name}"' for name in figures)
    sums = ", ".join(f'sum(g."{name}")' for name in figures)
    plain = ", ".join(f'g."{name}"' for name in figures)
    names = ", ".join(f'"{name}"' for name in figures)
    keys = ", ".join(f"g.{key}" for key in KEY_COLUMNS)
    scope = ""
    if region is not None:
        scope = "AND a.path LIKE %s"
    # Built from code constants and Django's compiled SQL; every value is a bound parameter.
    sql = f"""
WITH fine AS (
    SELECT region_id, {", ".join(all_keys)}, {", ".join(counts)}
    -- OFFSET 0 keeps the per-enterprise row a fence: each fact is evaluated once per enterprise.
    FROM ({inner_sql} OFFSET 0) AS e
    GROUP BY region_id, {", ".join(all_keys)}
),
g AS (
    SELECT {tag} AS dimension, region_id, {", ".join(all_keys)}, {fine_sums}
    FROM fine
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


def live_totals(enterprises: QuerySet, as_of: dt.date) -> dict[str, int]:
    """Every figure counted now over `enterprises` (one pass, the snapshot's compilation)."""
    inner_sql, params = enterprise_rows_sql(as_of, enterprises=enterprises)
    counts = []
    for name, condition, condition_params in figure_conditions():
        counts.append(f'count(*) FILTER (WHERE {condition}) AS "{name}"')
        params.extend(condition_params)
    sql = f"SELECT {', '.join(counts)} FROM ({inner_sql} OFFSET 0) AS e"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(SESSION_SETTINGS)
        cursor.execute(sql, params)
        return dict(zip(FIGURE_COLUMNS, cursor.fetchone(), strict=True))


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
                cursor.execute(SESSION_SETTINGS)
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
        try:
            redone.append(take_snapshot(as_of=snapshot.as_of, period=snapshot.period, reason="重做未完成的统计"))
        except Exception:
            # Stays FAILED with its reason; one bad snapshot must not stop tonight's.
            logger.exception("ledger snapshot %s as of %s failed again", snapshot.pk, snapshot.as_of)
    return redone
