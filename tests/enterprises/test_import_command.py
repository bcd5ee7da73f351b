"""`python manage.py import_register`: --dry-run changes nothing, without it the file is applied,
an unusable file exits non-zero with a one-line Chinese reason."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from enterprises.models import Enterprise, RegisterImport, RegisterImportProblem, RegisterImportRow
from portal.models import AuditEvent
from tests.enterprises.helpers import expected_messy

pytestmark = pytest.mark.django_db


def _call(*args) -> str:
    out = StringIO()
    call_command("import_register", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_dry_run_prints_the_summary_and_changes_nothing(register_files, city_importer):
    expected = expected_messy(register_files.rows)
    audit_before = AuditEvent.objects.count()

    output = _call(register_files.messy_xlsx, "--source", "registration", "--dry-run", "--user", city_importer.username)

    assert f"新增 {expected.stored}" in output
    assert f"拒绝 {len(expected.rejected)}" in output
    assert f"校验位待确认 {len(expected.pending)}" in output
    assert "试运行" in output
    assert "第 " in output and "行 [" in output
    assert Enterprise.objects.count() == 0
    assert RegisterImport.objects.count() == 0
    assert RegisterImportRow.objects.count() == 0
    assert RegisterImportProblem.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


def test_without_dry_run_the_file_is_applied_and_attributed(register_files, city_importer, ledger_tasks):
    output = _call(register_files.clean_csv, "--source", "registration", "--user", city_importer.username)

    assert f"新建 {register_files.rows}" in output
    register_import = RegisterImport.objects.get()
    assert register_import.status == "APPLIED"
    assert register_import.uploaded_by == city_importer == register_import.confirmed_by
    assert len(register_import.sha256) == 64
    assert Enterprise.objects.count() == register_files.rows

    again = _call(register_files.clean_csv, "--source", "registration", "--user", city_importer.username)
    assert "新建 0，更新 0" in again
    assert f"未变 {register_files.rows}" in again


def test_the_default_user_is_the_first_superuser(register_files, taian, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.cn", "Portal-test-2026!")
    output = _call(register_files.clean_csv, "--source", "registration", "--dry-run")
    assert f"新增 {register_files.rows}" in output


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("notes.txt", b"hello", "仅支持 .xlsx 和 .csv"),
        ("fake.xlsx", b"not a zip at all", "不是有效的 .xlsx"),
        ("nohead.csv", b"a,b\n1,2\n", "未找到表头"),
    ],
)
def test_an_unusable_file_fails_with_a_one_line_reason(tmp_path, city_importer, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    for dry_run in ((), ("--dry-run",)):
        with pytest.raises(CommandError) as exc:
            _call(path, "--source", "registration", "--user", city_importer.username, *dry_run)
        assert reason in str(exc.value)
        assert "\n" not in str(exc.value)
    assert Enterprise.objects.count() == 0


def test_the_command_exits_non_zero_from_the_shell(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "import_register", str(path), "--source", "registration", "--dry-run"],
        capture_output=True,
        text=True,
        env={"DEBUG": "true", "PATH": "/usr/bin:/bin", **_db_env()},
        check=False,
    )
    assert result.returncode == 1
    assert "仅支持 .xlsx 和 .csv" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _db_env() -> dict:
    """The same servers as this test run: the embedded one's URL too (settings always hold one)."""
    env = {k: v for k, v in os.environ.items() if k in ("CELERY_BROKER_URL", "HOME")}
    env["DATABASE_URL"] = settings.DATABASE_URL
    return env
