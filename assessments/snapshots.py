"""Taking a ledger snapshot (the write service): every figure, every grouping, in a few set-based
statements compiled by `assessments.ledger_sql`.

The per-enterprise SQL joins the ORM's own SQL for `rules.fact_sources` (compiled by Django); one
INSERT ... SELECT writes it as the snapshot's per-enterprise facts (LedgerEnterpriseFact: grouping
keys, counts, and every `rules.FIGURES` rule compiled into one bit of `figures`). The grouped rows
are then counted FROM those facts in one GROUPING SETS aggregate, and region rows rolled up the
tree through `Region.path` (a few thousand regions). So every number of a snapshot is, by
construction, the count of the facts behind it: the drill-down lists those facts. The number of
statements does not depend on the number of enterprises.

Idempotent and restartable (STYLE.md rule 6): the snapshot of (as_of, period) is first marked
RUNNING (committed); then, in one transaction, its rows are deleted and re-inserted, its facts are
written into a new table that replaces the snapshot's partition of the fact table (the previous
facts are dropped with it), and it is marked COMPLETE. A run that died leaves it RUNNING (or
FAILED) with its previous facts and rows: `redo_stale()` takes it again.

Retention: the same transaction drops the fact partitions of older snapshots (`prune_facts`):
facts are kept for the newest complete snapshot of each period and of the nightly series, and for
every snapshot of a submitted period. Rows are never pruned (trends and "as of" views need them);
a drill-down into a pruned snapshot falls back to the live rules and says so.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from assessments.choices import PeriodStatus, SnapshotStatus
from assessments.ledger_sql import (
    FACT_TABLE,
    FIGURE_COLUMNS,
    SESSION_SETTINGS,
    enterprise_rows_sql,
    figure_conditions,
    snapshot_sql,
)
from assessments.models import LedgerPeriod, LedgerRow, LedgerSnapshot

logger = logging.getLogger(__name__)

# A RUNNING snapshot older than this is taken to have died.
STALE_AFTER = timedelta(hours=2)


class LedgerLocked(Exception):
    """The period was submitted (上报): its figures no longer change."""


# Facts are kept for the newest complete snapshot of each period (NULL: the nightly ones) and for
# every snapshot of a submitted period; older snapshots keep their rows, not their facts. The
# partitions of any other snapshot (or of one deleted since) are listed for dropping.
PRUNE_SQL = f"""
WITH keep AS (
    (SELECT DISTINCT ON (s.period_id) s.id
     FROM {LedgerSnapshot._meta.db_table} s
     WHERE s.status = '{SnapshotStatus.COMPLETE}'
     ORDER BY s.period_id, s.as_of DESC, s.id DESC)
    UNION
    SELECT s.id
    FROM {LedgerSnapshot._meta.db_table} s JOIN {LedgerPeriod._meta.db_table} p ON p.id = s.period_id
    WHERE p.status = '{PeriodStatus.SUBMITTED}'
)
SELECT c.relname
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = '{FACT_TABLE}'::regclass
  AND NOT EXISTS (SELECT FROM keep WHERE c.relname = '{FACT_TABLE}_' || keep.id)
ORDER BY c.relname
"""  # noqa: S608
# One pruning at a time (two snapshots finishing together would drop the same partitions).
PRUNE_LOCK = 7_314_001
_PARTITION = re.compile(rf"^{FACT_TABLE}_\d+$")


def prune_facts() -> int:
    """Drop the fact partitions of every snapshot not kept (PRUNE_SQL) in one statement; returns
    how many. Run inside the snapshot's transaction, after it is marked COMPLETE."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_advisory_xact_lock({PRUNE_LOCK}); {PRUNE_SQL}")
        names = [name for (name,) in cursor.fetchall() if _PARTITION.match(name)]
        if names:
            cursor.execute("DROP TABLE " + ", ".join(names))
    return len(names)


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
            statements = snapshot_sql(snapshot.pk, as_of, period.region if period is not None else None)
            row_count = 0
            with connection.cursor() as cursor:
                cursor.execute(SESSION_SETTINGS)
                for statement in statements:
                    cursor.execute(statement.sql, statement.params or None)
                    if statement.writes_rows:
                        row_count = cursor.rowcount
            snapshot.status = SnapshotStatus.COMPLETE
            snapshot.computed_at = timezone.now()
            snapshot.duration_ms = int((time.perf_counter() - started) * 1000)
            snapshot.row_count = row_count
            snapshot.save(update_fields=["status", "computed_at", "duration_ms", "row_count"])
            prune_facts()
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
