"""The Celery task (the name the register importer sends) and the management command."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from assessments.choices import SnapshotStatus
from assessments.models import LedgerSnapshot
from assessments.tasks import take_snapshot, take_snapshot_task
from tests.assessments.world import build_world

pytestmark = pytest.mark.django_db


def test_task_is_registered_under_the_name_the_importer_sends():
    assert take_snapshot_task.name == "assessments.tasks.take_snapshot_task"
    schedule = settings.CELERY_BEAT_SCHEDULE["ledger-nightly-snapshot"]
    assert schedule["task"] == "assessments.tasks.take_snapshot_task"


def test_a_message_queued_under_the_old_task_name_still_takes_the_snapshot():
    assert take_snapshot.name == "assessments.tasks.take_snapshot"
    pk = take_snapshot.apply(kwargs={"as_of": "2026-06-30", "reason": "旧名称"}).get()
    assert LedgerSnapshot.objects.get(pk=pk).reason == "旧名称"


def test_task_takes_todays_snapshot_by_default():
    build_world()
    pk = take_snapshot_task.apply(kwargs={"reason": "登记名单导入确认"}).get()
    snapshot = LedgerSnapshot.objects.get(pk=pk)
    assert snapshot.as_of == timezone.localdate()
    assert snapshot.reason == "登记名单导入确认"
    assert snapshot.status == SnapshotStatus.COMPLETE
    assert snapshot.row_count > 0


def test_task_with_an_iso_date():
    pk = take_snapshot_task.apply(kwargs={"as_of": "2026-06-30"}).get()
    assert LedgerSnapshot.objects.get(pk=pk).as_of == dt.date(2026, 6, 30)


def test_compute_ledger_command():
    build_world()
    out = StringIO()
    call_command("compute_ledger", as_of="2026-06-30", stdout=out)
    assert "台账快照 2026-06-30" in out.getvalue()
    assert LedgerSnapshot.objects.get(as_of=dt.date(2026, 6, 30)).status == SnapshotStatus.COMPLETE
