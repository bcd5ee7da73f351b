"""python manage.py import_register FILE --source registration|annual_report [--dry-run] [--user NAME]

Checks the file, prints the preview summary and, without --dry-run, applies it (as the web's
"confirm" does). --dry-run changes nothing at all: every write happens in a transaction that is
rolled back. The import is attributed to --user (default: the first superuser by id) and limited to
that user's jurisdiction. Exits with status 1 and a one-line Chinese reason when the file cannot be
used at all (not a spreadsheet, hostile, no header found).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from enterprises import selectors, services
from enterprises.choices import ImportSource, ImportStatus
from enterprises.models import RegisterImport
from portal.spreadsheets import SpreadsheetError, check_file


class _DryRunRollback(Exception):
    pass


class Command(BaseCommand):
    help = "导入登记名单或年检名单（.xlsx / .csv）：校验、预览摘要，不加 --dry-run 时写入"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source", required=True, choices=ImportSource.values)
        parser.add_argument("--dry-run", action="store_true", help="只校验并打印摘要，不做任何修改")
        parser.add_argument("--user", help="操作人用户名（默认：第一个超级用户），决定管辖范围和变更记录")
        parser.add_argument("--confirm-warnings", action="store_true", help="导入校验位不符的代码（视为已核实）")
        parser.add_argument("--report-year", type=int, help="“已报送”对应的年报年度（默认：去年）")
        parser.add_argument("--problems", type=int, default=20, help="打印的问题行数上限（默认 20）")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            check_file(path, max_bytes=services._max_bytes())
        except SpreadsheetError as exc:
            raise CommandError(str(exc)) from exc
        user = self._user(options["user"])
        try:
            if options["dry_run"]:
                self._dry_run(path, user, options)
            else:
                self._import(path, user, options)
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError(_one_line(exc)) from exc

    def _user(self, username: str | None):
        users = get_user_model().objects
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"用户不存在：{username}")
            return user
        user = users.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError("没有超级用户：请用 --user 指定操作人")
        return user

    def _dry_run(self, path: Path, user, options) -> None:
        try:
            with transaction.atomic():
                register_import = RegisterImport.objects.create(
                    source=options["source"],
                    file=str(path),
                    original_name=path.name,
                    sha256=_sha256(path),
                    size=path.stat().st_size,
                    region=services.import_region_for(user),
                    uploaded_by=user,
                )
                register_import = services.register_import_validate(
                    register_import_id=register_import.pk, path=path, report_year=options["report_year"]
                )
                self._report(register_import, options["problems"])
                raise _DryRunRollback
        except _DryRunRollback:
            pass
        if register_import.status == ImportStatus.FAILED:
            raise CommandError(register_import.failure_reason)
        self.stdout.write("（试运行：未做任何修改）")

    def _import(self, path: Path, user, options) -> None:
        register_import = services.register_import_create_from_path(
            path=path, source=options["source"], acting_user=user
        )
        register_import = services.register_import_validate(
            register_import_id=register_import.pk, report_year=options["report_year"]
        )
        if register_import.status == ImportStatus.FAILED:
            raise CommandError(register_import.failure_reason)
        self._report(register_import, options["problems"])
        services.register_import_confirm(
            register_import=register_import,
            acting_user=user,
            confirm_warnings=options["confirm_warnings"],
            enqueue=False,
        )
        register_import = services.register_import_apply(register_import_id=register_import.pk)
        if register_import.status == ImportStatus.FAILED:
            raise CommandError(register_import.failure_reason)
        self.stdout.write(selectors.summary_lines(register_import)[-1])
        self.stdout.write(f"导入批次编号：{register_import.pk}")

    def _report(self, register_import: RegisterImport, limit: int) -> None:
        for line in selectors.summary_lines(register_import):
            self.stdout.write(line)
        shown = selectors.problems(register_import)[:limit]
        for problem in shown:
            level = "错误" if problem.severity == "error" else "警告"
            self.stdout.write(f"  第 {problem.row_number} 行 [{problem.column}] {level}：{problem.message}")
        total = selectors.problems(register_import).count()
        if total > limit:
            self.stdout.write(f"  ……共 {total} 条问题，完整列表见导入页面的错误报告")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _one_line(exc: Exception) -> str:
    messages = getattr(exc, "messages", None) or [str(exc)]
    return "；".join(str(m) for m in messages).replace("\n", " ")
