"""Register import end to end through the services, on real files written by demo.registers:
exact counts against the generator's truth, idempotent re-import, jurisdiction, provenance, audit."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from django.db import OperationalError, connections
from django.test import TestCase

from enterprises import services
from enterprises.choices import EnterpriseKind, ImportRowAction, ImportStatus, ProblemSeverity, RegistrationStatus
from enterprises.importing import apply as applying
from enterprises.importing.rows import _check_ok
from enterprises.models import Carrier, Enterprise, RegisterImport, RegisterImportProblem, RegisterImportRow
from enterprises.selectors import missing_enterprises, summary_lines
from portal import spreadsheets
from portal.models import AuditEvent
from portal.validators import credit_code_check_ok
from tests.enterprises.helpers import (
    confirm_and_apply,
    expected_messy,
    generated,
    norm_code,
    run_import,
    validate,
)
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def test_clean_register_stores_every_row(register_files, city_importer, ledger_tasks):
    result = run_import(register_files.clean_xlsx, city_importer)

    assert result.status == ImportStatus.APPLIED
    assert result.total_rows == register_files.rows
    assert result.new_count == register_files.rows
    assert result.rejected_count == 0
    assert Enterprise.objects.count() == register_files.rows
    assert Enterprise.objects.filter(last_import=result).count() == register_files.rows
    written = generated(register_files.rows)
    first = Enterprise.objects.select_related("region", "carrier").get(credit_code=written[0].credit_code)
    assert first.name == written[0].name
    assert (first.region.name, first.region.code) == (written[0].district, written[0].district_code)
    assert first.registered_on == written[0].registered_on
    assert first.employee_count == written[0].employee_count
    assert first.legal_representative == written[0].legal_representative
    assert first.address == written[0].address
    individuals = sum(1 for e in written if e.kind == "个体工商户")
    assert Enterprise.objects.filter(kind=EnterpriseKind.INDIVIDUAL).count() == individuals
    cancelled = sum(1 for e in written if e.registration_status == "注销")
    assert Enterprise.objects.filter(registration_status=RegistrationStatus.CANCELLED).count() == cancelled
    assert ledger_tasks == [("assessments.tasks.take_snapshot_task", {"reason": f"register_import:{result.pk}"})]


def test_reimporting_the_same_file_changes_nothing_and_says_so(register_files, city_importer, ledger_tasks):
    first = run_import(register_files.clean_xlsx, city_importer)
    audit_before = AuditEvent.objects.filter(table_name="enterprises_enterprise").count()
    stamps = dict(Enterprise.objects.values_list("credit_code", "updated_at"))

    second = validate(register_files.clean_xlsx, city_importer)
    assert (second.new_count, second.changed_count, second.unchanged_count) == (0, 0, register_files.rows)
    lines = summary_lines(second)
    assert "与库中数据一致：确认导入不会产生任何变更" in lines
    assert any(line.startswith("同一文件（摘要相同）已于") for line in lines)
    second = confirm_and_apply(second, city_importer)

    assert second.summary["applied"] == {"created": 0, "updated": 0, "skipped": 0}
    assert AuditEvent.objects.filter(table_name="enterprises_enterprise").count() == audit_before
    assert dict(Enterprise.objects.values_list("credit_code", "updated_at")) == stamps
    assert Enterprise.objects.filter(last_import=first).count() == register_files.rows
    # The same data as CSV (dates as text, numbers as text) is the same register.
    third = validate(register_files.clean_csv, city_importer)
    assert third.unchanged_count == register_files.rows


def test_messy_register_exact_counts_against_the_generator_truth(register_files, city_importer, ledger_tasks):
    expected = expected_messy(register_files.rows)
    header_row = register_files.truth.header_row
    assert register_files.truth.faults == expected.faults
    assert register_files.truth.duplicate_of == expected.truth.duplicate_of

    preview = validate(register_files.messy_xlsx, city_importer)

    assert preview.status == ImportStatus.VALIDATED
    assert preview.summary["header_row"] == header_row
    assert preview.total_rows == register_files.rows
    assert preview.rejected_count == len(expected.rejected)
    assert preview.warning_count == len(expected.pending)
    assert preview.new_count == expected.stored
    assert preview.summary["rows_with_warnings"] == len(expected.warned)
    errors = RegisterImportProblem.objects.filter(register_import=preview, severity=ProblemSeverity.ERROR)
    assert {p.row_number for p in errors} == {i + header_row for i in expected.rejected}
    for index in set(expected.faults.get("blank_required", [])) & expected.rejected:
        problem = errors.get(row_number=index + header_row)
        assert problem.code == "blank"
        assert problem.column in ("统一社会信用代码", "企业名称", "所属区县")
        assert problem.message.endswith("为空")
    for index in expected.faults.get("duplicate_code", []):
        problem = errors.get(row_number=index + header_row)
        assert problem.code == "duplicate"
        assert f"{index + header_row}" in problem.message
    for index in expected.faults.get("bad_check_char", []):
        problem = RegisterImportProblem.objects.get(register_import=preview, row_number=index + header_row)
        assert (problem.severity, problem.code) == (ProblemSeverity.WARNING, "check_char")
        assert "校验位不符" in problem.message

    applied = confirm_and_apply(preview, city_importer)

    assert applied.summary["applied"] == {"created": expected.stored, "updated": 0, "skipped": len(expected.pending)}
    assert Enterprise.objects.count() == expected.stored
    stored_codes = set(Enterprise.objects.values_list("credit_code", flat=True))
    for index, row in enumerate(expected.rows, start=1):
        code = norm_code(row[0])
        assert (code in stored_codes) == (index not in expected.rejected | expected.pending), index
    # Faults that are only spelling are repaired, not rejected.
    written = generated(register_files.rows)
    for kind in ("fullwidth", "lowercase_code", "stray_spaces"):
        for index in expected.faults.get(kind, []):
            assert written[index - 1].credit_code in stored_codes
    for index in expected.faults.get("stray_spaces", []):
        assert Enterprise.objects.get(credit_code=written[index - 1].credit_code).name == written[index - 1].name
    for index in expected.faults.get("date_as_text", []):
        enterprise = written[index - 1]
        assert Enterprise.objects.get(credit_code=enterprise.credit_code).registered_on == enterprise.registered_on
    for index in expected.faults.get("fullwidth", []):
        enterprise = written[index - 1]
        assert Enterprise.objects.get(credit_code=enterprise.credit_code).employee_count == enterprise.employee_count
    # Text in the employee column: read when it says a number ("约20人"), left empty when not ("不详").
    for index in expected.faults.get("text_in_number", []):
        enterprise = written[index - 1]
        cell = expected.rows[index - 1][6]
        stored = Enterprise.objects.get(credit_code=enterprise.credit_code).employee_count
        assert stored == (enterprise.employee_count if any(c.isdigit() for c in cell) else None), cell


def test_confirmed_check_character_warnings_are_imported_and_marked(register_files, city_importer, ledger_tasks):
    expected = expected_messy(register_files.rows)
    applied = run_import(register_files.messy_xlsx, city_importer, confirm_warnings=True)

    assert applied.summary["applied"]["created"] == expected.stored + len(expected.pending)
    confirmed = Enterprise.objects.filter(credit_code_check_confirmed=True)
    assert confirmed.count() == len(expected.pending)
    for enterprise in confirmed:
        enterprise.full_clean()  # valid because confirmed


def test_messy_csv_gives_the_same_outcome_as_the_xlsx(register_files, city_importer):
    xlsx = validate(register_files.messy_xlsx, city_importer)
    csv = validate(register_files.messy_csv, city_importer)
    fields = ("total_rows", "new_count", "rejected_count", "warning_count")
    assert [getattr(csv, f) for f in fields] == [getattr(xlsx, f) for f in fields]


def test_rows_of_other_districts_are_rejected_with_the_reason(register_files, taishan_importer, ledger_tasks):
    own = sum(1 for e in generated(register_files.rows) if e.district == "泰山区")

    result = run_import(register_files.clean_xlsx, taishan_importer)

    assert result.new_count == own
    assert result.rejected_count == register_files.rows - own
    assert set(Enterprise.objects.values_list("region__name", flat=True)) == {"泰山区"}
    problem = RegisterImportProblem.objects.filter(register_import=result, code="jurisdiction").first()
    assert problem.column == "所属区县"
    assert "不在您的管辖范围（泰山区）内" in problem.message


def test_an_enterprise_stored_in_another_district_is_not_taken_over(taian, taishan_importer, tmp_path):
    outsider_enterprise = EnterpriseFactory(region=taian["岱岳区"], name="岱岳企业")
    path = _write_xlsx(
        tmp_path / "r.xlsx", [[outsider_enterprise.credit_code, "改名企业", "有限责任公司", "", "泰山区"]]
    )

    result = validate(path, taishan_importer)

    assert result.rejected_count == 1
    problem = RegisterImportProblem.objects.get(register_import=result)
    assert problem.code == "jurisdiction"
    assert "不在您的管辖范围内" in problem.message and "岱岳区" not in problem.message


def test_a_changed_row_updates_only_what_changed_and_shows_old_and_new(taian, city_importer, tmp_path, ledger_tasks):
    enterprise = EnterpriseFactory(region=taian["泰山区"], name="泰安旧名有限公司", employee_count=10, address="老地址")
    unchanged = EnterpriseFactory(region=taian["泰山区"], name="泰安不变有限公司", employee_count=5)
    path = _write_xlsx(
        tmp_path / "r.xlsx",
        [
            [enterprise.credit_code, "泰安新名有限公司", "有限责任公司", "制造业", "泰山区", "", 12],
            [unchanged.credit_code, "泰安不变有限公司", "有限责任公司", "制造业", "泰山区", "", 5],
        ],
    )

    preview = validate(path, city_importer)

    assert (preview.new_count, preview.changed_count, preview.unchanged_count) == (0, 1, 1)
    row = RegisterImportRow.objects.get(register_import=preview, action=ImportRowAction.CHANGED)
    assert row.changes == {"name": ["泰安旧名有限公司", "泰安新名有限公司"], "employee_count": [10, 12]}

    confirm_and_apply(preview, city_importer)

    enterprise.refresh_from_db()
    assert (enterprise.name, enterprise.employee_count, enterprise.address) == ("泰安新名有限公司", 12, "老地址")
    assert enterprise.last_import_id == preview.pk
    unchanged.refresh_from_db()
    assert unchanged.last_import_id is None
    event = AuditEvent.objects.get(table_name="enterprises_enterprise", action="U")
    assert event.object_id == str(enterprise.pk)
    assert (event.actor_id, event.via, event.context) == (city_importer.pk, "import", f"register_import:{preview.pk}")
    assert event.changes["name"] == ["泰安旧名有限公司", "泰安新名有限公司"]


def test_every_created_row_is_audited_to_the_importer(register_files, city_importer, ledger_tasks):
    result = run_import(register_files.clean_xlsx, city_importer)
    events = AuditEvent.objects.filter(table_name="enterprises_enterprise")
    assert events.count() == register_files.rows
    assert set(events.values_list("actor_id", "via", "action", "context")) == {
        (city_importer.pk, "import", "I", f"register_import:{result.pk}")
    }


def test_enterprises_missing_from_a_registration_list_are_listed_not_removed(taian, city_importer, tmp_path):
    kept = EnterpriseFactory(region=taian["泰山区"])
    gone = EnterpriseFactory(region=taian["泰山区"])
    path = _write_xlsx(tmp_path / "r.xlsx", [[kept.credit_code, kept.name, "有限责任公司", "", "泰山区"]])

    result = run_import(path, city_importer)

    assert result.summary["missing_from_register"] == 1
    assert list(missing_enterprises(result)) == [gone]
    assert Enterprise.objects.filter(pk=gone.pk).exists()


def test_unknown_carriers_are_created_in_the_rows_district_on_confirm(register_files, city_importer, ledger_tasks):
    preview = validate(register_files.clean_xlsx, city_importer)
    names = {c["name"] for c in preview.summary["new_carriers"]}
    assert "泰山科技金融大厦" in names
    assert Carrier.objects.count() == 0  # the preview writes nothing

    confirm_and_apply(preview, city_importer)

    building = Carrier.objects.get(name="泰山科技金融大厦")
    assert (building.region.name, building.kind) == ("泰山区", "BUILDING")
    assert Carrier.objects.get(name="天平湖创新创业园").kind == "PARK"
    assert Enterprise.objects.filter(carrier=building).exists()
    assert all(e.region_id == e.carrier.region_id for e in Enterprise.objects.exclude(carrier=None)[:200])


def test_a_crashed_apply_is_retried_without_duplicates(register_files, city_importer, ledger_tasks, monkeypatch):
    preview = validate(register_files.clean_xlsx, city_importer)
    services.register_import_confirm(register_import=preview, acting_user=city_importer, enqueue=False)

    real_apply_rows = applying.apply_rows

    def crash_after_upsert(**kwargs):
        real_apply_rows(**kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(applying, "apply_rows", crash_after_upsert)
    with pytest.raises(OperationalError):
        services.register_import_apply(register_import_id=preview.pk)
    assert Enterprise.objects.count() == 0  # nothing half-done
    assert RegisterImport.objects.get(pk=preview.pk).status == ImportStatus.APPLYING
    assert ledger_tasks == []

    monkeypatch.setattr(applying, "apply_rows", real_apply_rows)
    with TestCase.captureOnCommitCallbacks(execute=True):
        retried = services.register_import_apply(register_import_id=preview.pk)
    again = services.register_import_apply(register_import_id=preview.pk)

    assert retried.status == again.status == ImportStatus.APPLIED
    assert Enterprise.objects.count() == register_files.rows
    assert retried.summary["applied"]["created"] == register_files.rows
    assert len(ledger_tasks) == 1


def test_a_validation_run_again_starts_over(register_files, city_importer):
    preview = validate(register_files.messy_xlsx, city_importer)
    rows, problems = preview.rows.count(), preview.problems.count()
    again = services.register_import_validate(register_import_id=preview.pk, report_year=2024)
    assert (again.rows.count(), again.problems.count()) == (rows, problems)
    assert again.rejected_count == preview.rejected_count


def test_annual_report_status_gives_the_report_year_and_never_moves_it_back(taian, city_importer, tmp_path):
    header = ["统一社会信用代码", "企业名称", "所属区县", "年报状态"]
    filed = EnterpriseFactory(region=taian["泰山区"], annual_report_year=None)
    later = EnterpriseFactory(region=taian["泰山区"], annual_report_year=2025)
    unfiled = EnterpriseFactory(region=taian["泰山区"], annual_report_year=2022)
    rows = [
        [filed.credit_code, filed.name, "泰山区", "已报送"],
        [later.credit_code, later.name, "泰山区", "已报送"],
        [unfiled.credit_code, unfiled.name, "泰山区", "未报送"],
    ]
    path = _write_xlsx(tmp_path / "a.xlsx", rows, header=header)

    run_import(path, city_importer, source="annual_report")

    assert Enterprise.objects.get(pk=filed.pk).annual_report_year == 2024
    assert Enterprise.objects.get(pk=later.pk).annual_report_year == 2025
    assert Enterprise.objects.get(pk=unfiled.pk).annual_report_year == 2022


def test_header_variants_gbk_csv_title_rows_and_an_unknown_column(taian, city_importer, tmp_path):
    rows = generated(20)
    lines = ["泰安市市场监管局 企业名单", "导出时间：2024年12月31日", ""]
    lines.append("序号,社会信用代码,单位名称,市场主体类型,所属行业,区县,从业人数,成立日期,备注")
    for i, e in enumerate(rows, start=1):
        day = e.registered_on
        lines.append(
            f"{i},{e.credit_code.lower()},{e.name},{e.kind},{e.industry},{e.district},{e.employee_count},"
            f"{day.year}/{day.month}/{day.day},"
        )
    path = tmp_path / "gbk.csv"
    path.write_bytes("\r\n".join(lines).encode("gbk"))

    result = run_import(path, city_importer)

    assert result.summary["header_row"] == 4
    assert result.new_count == 20
    assert set(result.summary["unknown_columns"]) == {"序号", "备注"}
    unknown = RegisterImportProblem.objects.filter(register_import=result, code="unknown_column")
    assert {p.row_number for p in unknown} == {4}
    stored = Enterprise.objects.get(credit_code=rows[0].credit_code)
    assert (stored.name, stored.registered_on, stored.employee_count) == (
        rows[0].name,
        rows[0].registered_on,
        rows[0].employee_count,
    )


def test_a_file_without_a_recognizable_header_fails_with_the_reason(taian, city_importer, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    result = validate(path, city_importer)
    assert result.status == ImportStatus.FAILED
    assert "未找到表头" in result.failure_reason
    assert result.rows.count() == 0


def test_dates_numbers_and_kinds_in_their_real_spellings(taian, city_importer, tmp_path):
    header = ["信用代码", "名称", "企业类型", "行业", "所属区县", "从业人员", "注册日期"]
    codes = [e.credit_code for e in generated(6)]
    rows = [
        [codes[0], "甲", "有限责任公司（外商投资、非独资）", "F 批发和零售业", "泰山区", "１２", 43831],
        [codes[1], "乙", "个体工商户", "批发和零售业", "370902", "1,200", "2020年1月2日"],
        [codes[2], "丙", "股份有限公司（非上市、自然人投资或控股）", "制造业", "泰安市泰山区", "约20人", "2020.01.02"],
        [codes[3], "丁", "奇怪类型", "不存在的行业", "泰山区", "不详", "去年"],
    ]
    path = _write_xlsx(tmp_path / "r.xlsx", rows, header=header)

    result = run_import(path, city_importer)

    assert result.new_count == 4
    got = {e.credit_code: e for e in Enterprise.objects.all()}
    assert (got[codes[0]].kind, got[codes[0]].industry, got[codes[0]].employee_count) == ("FOREIGN_INVESTED", "F", 12)
    assert got[codes[0]].registered_on == dt.date(2020, 1, 1)
    assert (got[codes[1]].kind, got[codes[1]].employee_count) == ("INDIVIDUAL", 1200)
    assert got[codes[1]].registered_on == dt.date(2020, 1, 2)
    assert (got[codes[2]].kind, got[codes[2]].employee_count) == ("JOINT_STOCK", 20)
    assert got[codes[2]].registered_on == dt.date(2020, 1, 2)
    assert (got[codes[3]].kind, got[codes[3]].industry, got[codes[3]].employee_count) == ("OTHER", "", None)
    warned = set(RegisterImportProblem.objects.filter(register_import=result).values_list("row_number", "code"))
    assert warned == {(4, "number"), (5, "kind"), (5, "industry"), (5, "number"), (5, "date")}


def test_imports_are_invisible_to_another_district(register_files, taishan_importer, outsider):
    result = validate(register_files.clean_xlsx, taishan_importer)
    assert not RegisterImport.objects.visible_to(outsider).filter(pk=result.pk).exists()
    assert RegisterImport.objects.visible_to(taishan_importer).filter(pk=result.pk).exists()


def _write_xlsx(path, rows, *, header=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        header or ["统一社会信用代码", "企业名称", "企业类型", "行业", "所属区县", "所属园区/楼宇", "从业人员数"]
    )
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_an_apply_after_a_crash_that_emptied_the_staging_fails_cleanly(register_files, city_importer, ledger_tasks):
    preview = validate(register_files.clean_xlsx, city_importer)
    services.register_import_confirm(register_import=preview, acting_user=city_importer, enqueue=False)
    RegisterImportRow.objects.filter(register_import=preview).delete()  # what a crash does to UNLOGGED tables

    result = services.register_import_apply(register_import_id=preview.pk)

    assert result.status == ImportStatus.FAILED
    assert "预览数据已丢失" in result.failure_reason
    assert Enterprise.objects.count() == 0
    assert ledger_tasks == []


def test_the_fast_check_character_agrees_with_the_validator():
    for enterprise in generated(500):
        code = enterprise.credit_code
        for last in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            candidate = code[:17] + last
            assert _check_ok(candidate) == credit_code_check_ok(candidate)


def test_a_redelivered_validation_leaves_a_running_one_alone(register_files, city_importer):
    register_import = services.register_import_create_from_path(
        path=register_files.clean_csv, source="registration", acting_user=city_importer
    )
    other = connections.create_connection("default")  # stands for the worker already validating
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(7301, %s)", [register_import.pk])
        result = services.register_import_validate(register_import_id=register_import.pk)
        assert result.status == ImportStatus.UPLOADED
        assert result.rows.count() == 0
    finally:
        # Unlock before closing: a closed connection's server process lets go of its locks only
        # when it has exited, which may be after the next statement here (a flaky test).
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(7301, %s)", [register_import.pk])
        other.close()
    assert services.register_import_validate(register_import_id=register_import.pk).status == ImportStatus.VALIDATED


def test_a_streamed_sheet_gives_the_same_preview(register_files, city_importer, monkeypatch):
    expected = expected_messy(register_files.rows)
    monkeypatch.setattr(spreadsheets, "STREAMING_SHEET_BYTES", 0)  # as for a sheet too big for memory

    preview = validate(register_files.messy_xlsx, city_importer)

    assert (preview.total_rows, preview.new_count, preview.rejected_count, preview.warning_count) == (
        register_files.rows,
        expected.stored,
        len(expected.rejected),
        len(expected.pending),
    )
    header_row = register_files.truth.header_row
    errors = RegisterImportProblem.objects.filter(register_import=preview, severity=ProblemSeverity.ERROR)
    assert {p.row_number for p in errors} == {i + header_row for i in expected.rejected}
