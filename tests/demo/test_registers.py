"""The register generator (demo.registers, manage.py make_register): deterministic, a smaller file is
the head of a larger one, valid and unique credit codes, headers the importer knows, and a messy
file's truth that says exactly what the importer rejects, holds back and warns about."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

import openpyxl
import pytest
from celery import current_app
from django.core.management import call_command
from django.core.management.base import CommandError

from demo import registers
from demo.geography import DISTRICT_CODES
from enterprises.choices import ImportSource, ImportStatus, ProblemSeverity
from enterprises.importing.columns import REQUIRED_KEYS, ColumnMap
from enterprises.models import Enterprise, RegisterImportProblem
from portal.choices import RegionLevel, Role
from portal.validators import credit_code_check_ok, credit_code_format_error
from tests.enterprises.helpers import expected_messy, generated, norm_code, run_import, validate
from tests.factories import UserFactory, city, region


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def ledger_tasks(monkeypatch):
    """The ledger refresh an applied import asks for, recorded instead of sent to a broker."""
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(current_app, "send_task", lambda name, kwargs=None, **kw: sent.append((name, kwargs)))
    return sent


@pytest.fixture
def taian(db):
    root = city()
    return {name: region(code, name, RegionLevel.DISTRICT, root) for name, code in DISTRICT_CODES} | {"泰安市": root}


@pytest.fixture
def city_importer(taian):
    return UserFactory(username="taian_commerce", role=Role.COMMERCE_STAFF, jurisdiction=taian["泰安市"])


@pytest.fixture
def taishan_importer(taian):
    return UserFactory(username="taishan_commerce", role=Role.COMMERCE_STAFF, jurisdiction=taian["泰山区"])


def _csv_rows(path, encoding="utf-8-sig") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.reader(fh))


def test_the_same_seed_writes_the_same_file_and_another_seed_another(tmp_path):
    registers.write_register(tmp_path / "a.csv", rows=300, messy=True)
    registers.write_register(tmp_path / "b.csv", rows=300, messy=True)
    registers.write_register(tmp_path / "c.csv", rows=300, messy=True, seed=7)

    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a.csv").read_bytes() != (tmp_path / "c.csv").read_bytes()


@pytest.mark.parametrize("list_kind", [registers.REGISTRATION, registers.ANNUAL_REPORT])
@pytest.mark.parametrize("messy", [False, True])
def test_the_first_rows_of_a_larger_file_are_the_smaller_file(tmp_path, list_kind, messy):
    small = registers.write_register(tmp_path / "small.csv", rows=400, list_kind=list_kind, messy=messy)
    large = registers.write_register(tmp_path / "large.csv", rows=4000, list_kind=list_kind, messy=messy)

    small_rows, large_rows = _csv_rows(tmp_path / "small.csv"), _csv_rows(tmp_path / "large.csv")
    assert len(small_rows) == 400 + small.header_row
    assert large_rows[: len(small_rows)] == small_rows
    head = {kind: [i for i in rows if i <= 400] for kind, rows in large.faults.items()}
    assert small.faults == {kind: rows for kind, rows in head.items() if rows}
    assert small.duplicate_of == {row: earlier for row, earlier in large.duplicate_of.items() if row <= 400}


def test_xlsx_and_csv_hold_the_same_rows_with_real_dates_and_numbers(tmp_path):
    registers.write_register(tmp_path / "r.xlsx", rows=50)
    registers.write_register(tmp_path / "r.csv", rows=50)

    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True)["登记名单"]
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    written = generated(50)
    assert tuple(cells[0]) == registers.HEADERS[registers.REGISTRATION]
    for row, enterprise in zip(cells[1:], written, strict=True):
        assert row[0] == enterprise.credit_code
        assert row[6] == enterprise.employee_count
        assert row[7].date() == enterprise.registered_on  # an Excel date, not text
    assert [r[0] for r in _csv_rows(tmp_path / "r.csv")[1:]] == [e.credit_code for e in written]


def test_credit_codes_are_valid_unique_and_in_their_district():
    districts = dict(DISTRICT_CODES)
    written = generated(20_000)

    assert len({e.credit_code for e in written}) == len(written)
    for enterprise in written:
        code = enterprise.credit_code
        assert credit_code_format_error(code) is None, code
        assert credit_code_check_ok(code), code
        assert code[2:8] == enterprise.district_code == districts[enterprise.district]
        assert code[:2] == ("92" if enterprise.kind == "个体工商户" else "93" if "合作社" in enterprise.kind else "91")


def test_the_registers_look_like_a_real_city():
    written = generated(20_000)

    individuals = sum(e.kind == "个体工商户" for e in written) / len(written)
    assert 0.55 < individuals < 0.65
    assert {e.district for e in written} == {name for name, _code in DISTRICT_CODES}
    counts = sorted(e.employee_count for e in written)
    assert counts[len(counts) // 2] <= 5 < counts[-1]  # most are small, a few are large
    assert sum(e.employee_count >= 50 for e in written) > 100
    assert all(e.address.startswith(f"山东省泰安市{e.district}") for e in written)
    assert {e.registration_status for e in written} >= {"存续", "在业", "注销"}


@pytest.mark.parametrize("list_kind", [registers.REGISTRATION, registers.ANNUAL_REPORT])
def test_every_header_is_one_the_importer_recognizes(list_kind):
    columns = ColumnMap.from_header(list(registers.HEADERS[list_kind]))

    assert columns.unknown == []
    assert columns.duplicate == []
    assert set(REQUIRED_KEYS) <= set(columns.index)


def test_a_messy_file_has_a_title_row_and_about_two_percent_faulty_rows(tmp_path):
    truth = registers.write_register(tmp_path / "m.xlsx", rows=5000, messy=True)

    sheet = openpyxl.load_workbook(tmp_path / "m.xlsx")["登记名单"]
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:K1"]
    assert sheet["A1"].value == registers.TITLES[registers.REGISTRATION]
    assert sheet["A2"].value == "统一社会信用代码"
    faulty = [i for rows in truth.faults.values() for i in rows]
    assert len(faulty) == len(set(faulty))  # one fault per row
    assert 0.01 < len(faulty) / 5000 < 0.03
    assert set(truth.faults) == set(registers.FAULTS)
    for row, earlier in truth.duplicate_of.items():
        assert earlier < row
        assert sheet.cell(row + 2, 1).value == sheet.cell(earlier + 2, 1).value


def test_the_truths_duplicates_are_every_repeated_code_in_the_file():
    expected = expected_messy(5000)
    by_code = defaultdict(list)
    for index, row in enumerate(expected.rows, start=1):
        if row[0]:
            by_code[norm_code(row[0])].append(index)
    repeated = {i for rows in by_code.values() if len(rows) > 1 for i in rows}

    assert repeated == set(expected.truth.duplicate_of) | set(expected.truth.duplicate_of.values())


@pytest.mark.django_db
def test_the_messy_truth_is_what_the_importer_rejects_holds_back_and_warns_about(tmp_path, taian, city_importer):
    truth = registers.write_register(tmp_path / "m.xlsx", rows=2500, messy=True)
    expected = expected_messy(2500)
    assert truth.faults == expected.faults

    preview = validate(tmp_path / "m.xlsx", city_importer)

    problems = defaultdict(set)
    for row_number, severity, code in RegisterImportProblem.objects.filter(register_import=preview).values_list(
        "row_number", "severity", "code"
    ):
        problems[(severity, code)].add(row_number - truth.header_row)
    district = registers.HEADERS[registers.REGISTRATION].index("所属区县")
    district_from_code = {i for i in truth.rows_with("blank_required") if expected.rows[i - 1][district] is None}
    assert problems[(ProblemSeverity.ERROR, "blank")] == truth.rows_with("blank_required") - district_from_code
    assert problems[(ProblemSeverity.WARNING, "district_from_code")] == district_from_code
    assert problems[(ProblemSeverity.ERROR, "duplicate")] == set(truth.duplicate_of) | set(truth.duplicate_of.values())
    assert problems[(ProblemSeverity.WARNING, "check_char")] == truth.rows_with("bad_check_char")
    assert problems[(ProblemSeverity.WARNING, "number")] == truth.rows_with("text_in_number")
    assert set(problems) == {
        (ProblemSeverity.ERROR, "blank"),
        (ProblemSeverity.ERROR, "duplicate"),
        (ProblemSeverity.WARNING, "check_char"),
        (ProblemSeverity.WARNING, "number"),
        (ProblemSeverity.WARNING, "district_from_code"),
    }
    assert (preview.rejected_count, preview.warning_count, preview.new_count) == (
        len(expected.rejected),
        len(expected.pending),
        expected.stored,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_a_chinese_encoded_csv_round_trips_through_the_importer(tmp_path, taian, city_importer, encoding):
    path = tmp_path / "r.csv"
    registers.write_register(path, rows=300, encoding=encoding)
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
    path.read_bytes().decode(encoding)  # really that encoding

    result = run_import(path, city_importer)

    assert (result.status, result.new_count, result.rejected_count) == (ImportStatus.APPLIED, 300, 0)
    stored = {e.credit_code: e for e in Enterprise.objects.select_related("region", "carrier")}
    for enterprise in generated(300):
        got = stored[enterprise.credit_code]
        assert (got.name, got.region.name, got.employee_count, got.registered_on, got.address) == (
            enterprise.name,
            enterprise.district,
            enterprise.employee_count,
            enterprise.registered_on,
            enterprise.address,
        )
        assert (got.carrier.name if got.carrier else "") == enterprise.carrier


@pytest.mark.django_db
def test_the_annual_report_list_gives_the_report_year_of_the_registered_enterprises(
    tmp_path, taian, city_importer, ledger_tasks
):
    registers.write_register(tmp_path / "reg.xlsx", rows=400)
    registers.write_register(tmp_path / "annual.csv", rows=400, list_kind=registers.ANNUAL_REPORT)
    run_import(tmp_path / "reg.xlsx", city_importer)

    result = run_import(tmp_path / "annual.csv", city_importer, source=ImportSource.ANNUAL_REPORT)

    assert ledger_tasks[-1] == ("assessments.tasks.take_snapshot_task", {"reason": f"register_import:{result.pk}"})

    filed = {e.credit_code for e in generated(400) if e.report_status == "已报送"}
    assert (result.new_count, result.changed_count, result.unchanged_count, result.rejected_count) == (
        0,
        len(filed),
        400 - len(filed),
        0,
    )
    assert set(Enterprise.objects.filter(annual_report_year=2024).values_list("credit_code", flat=True)) == filed
    assert Enterprise.objects.count() == 400


@pytest.mark.django_db
def test_a_district_importer_of_a_generated_register_stores_only_their_district(tmp_path, taian, taishan_importer):
    registers.write_register(tmp_path / "r.xlsx", rows=300)

    result = run_import(tmp_path / "r.xlsx", taishan_importer)

    own = {e.credit_code for e in generated(300) if e.district == "泰山区"}
    assert set(Enterprise.objects.values_list("credit_code", flat=True)) == own
    assert result.rejected_count == 300 - len(own)
    assert not Enterprise.objects.filter(region__name="岱岳区").exists()


def test_make_register_writes_the_file_and_the_truth(tmp_path):
    out = io.StringIO()
    call_command(
        "make_register",
        "-n",
        "1000",
        "-o",
        str(tmp_path / "m.csv"),
        "--messy",
        "--encoding",
        "gbk",
        "--truth",
        str(tmp_path / "t.json"),
        stdout=out,
    )

    assert "1,000 行数据" in out.getvalue()
    truth = registers.RegisterTruth.from_json(json.loads((tmp_path / "t.json").read_text(encoding="utf-8")))
    assert truth == expected_messy(1000).truth
    rows = _csv_rows(tmp_path / "m.csv", encoding="gbk")
    assert rows[0] == [registers.TITLES[registers.REGISTRATION]]
    assert len(rows) == 1000 + truth.header_row


def test_make_register_refuses_an_unknown_file_type(tmp_path):
    with pytest.raises(CommandError, match=r"\.xlsx 或 \.csv"):
        call_command("make_register", "-n", "10", "-o", str(tmp_path / "r.txt"))
