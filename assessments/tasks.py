"""Thin Celery tasks for the ledger: ISO dates in, one service call, retries owned here."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from assessments import snapshots


@shared_task(
    name="assessments.tasks.take_snapshot",
    autoretry_for=(Exception,),
    dont_autoretry_for=(snapshots.LedgerLocked,),
    retry_backoff=60,
    max_retries=3,
)
def take_snapshot(as_of: str | None = None, reason: str = "") -> int:
    """The nightly snapshot (beat), and the one after a confirmed import or bulk change
    (`send_task("assessments.tasks.take_snapshot", kwargs={"reason": ...})`). Snapshots whose run
    died are redone first."""
    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    snapshots.redo_stale()
    return snapshots.take_snapshot(as_of=day, reason=reason or "定时统计").pk
