"""`python manage.py compute_ledger [--as-of DATE]`: take the ledger snapshot from the command line."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessments import snapshots


class Command(BaseCommand):
    help = "统计台账：生成（或重新生成）指定日期的台账快照"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="统计日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--reason", default="命令行统计")

    def handle(self, *args, as_of: str | None = None, reason: str = "", **options):
        try:
            day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{as_of}") from exc
        for redone in snapshots.redo_stale():
            self.stdout.write(f"已重做未完成的快照 {redone.as_of}")
        snapshot = snapshots.take_snapshot(as_of=day, reason=reason)
        self.stdout.write(
            self.style.SUCCESS(f"台账快照 {snapshot.as_of}：{snapshot.row_count} 行，用时 {snapshot.duration_ms} ms")
        )
