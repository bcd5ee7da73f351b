"""Thin Celery tasks for the ledger: ISO dates in, one service call, retries owned here.

The task is named after its service with a `_task` suffix (`snapshots.take_snapshot` →
`take_snapshot_task`)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from assessments import snapshots
from portal.audit import audit_context
from portal.choices import AuditVia

RETRIES = {
    "autoretry_for": (Exception,),
    "dont_autoretry_for": (snapshots.LedgerLocked,),
    "retry_backoff": 60,
    "max_retries": 3,
}


@shared_task(name="assessments.tasks.take_snapshot_task", **RETRIES)
def take_snapshot_task(as_of: str | None = None, reason: str = "") -> int:
    """The nightly snapshot (beat), and the one after a confirmed import or bulk change
    (`send_task("assessments.tasks.take_snapshot_task", kwargs={"reason": ...})`). Snapshots whose
    run died are redone first. Runs with no user: the snapshot is the system's (audit "system")."""
    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    with audit_context(actor_id=None, via=AuditVia.SYSTEM, context="take_snapshot_task"):  # no user: the system's
        snapshots.redo_stale()
        return snapshots.take_snapshot(as_of=day, reason=reason or "定时统计").pk


# The name before the rename: a beat entry or a `send_task` queued by the previous release still
# carries it (acks_late keeps it in the broker). Remove once no such message can be left.
@shared_task(name="assessments.tasks.take_snapshot", **RETRIES)
def take_snapshot(as_of: str | None = None, reason: str = "") -> int:
    return take_snapshot_task(as_of=as_of, reason=reason)
