"""Register import and regions: a refusal never says where another district's enterprise is
registered; a blank 所属区县 is read from the credit code's registering-authority code (GB 32100
characters 3–8) when that is one of the uploader's districts; the preview counts the rows that land
without a street (未落实到街道). Small registers are written here, cell by cell."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter
from django.test import TestCase
from django.urls import reverse

from enterprises import services
from enterprises.choices import ImportRowAction, ImportSource, ImportStatus, ProblemSeverity
from enterprises.models import Enterprise, RegisterImport, RegisterImportProblem, RegisterImportRow
from enterprises.selectors import summary_lines
from portal.choices import RegionLevel, Role
from tests.factories import EnterpriseFactory, UserFactory, city, district, make_credit_code, other_district, region

pytestmark = pytest.mark.django_db

HEADER = ["统一社会信用代码", "企业名称", "企业类型", "行业", "所属区县"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def taishan_commerce(db):
    return UserFactory(username="taishan_commerce_r", role=Role.COMMERCE_STAFF, jurisdiction=district())


@pytest.fixture
def daiyue_commerce(db):
    return UserFactory(username="daiyue_commerce_r", role=Role.COMMERCE_STAFF, jurisdiction=other_district())


@pytest.fixture
def city_commerce(db):
    district(), other_district()
    return UserFactory(username="city_commerce_r", role=Role.COMMERCE_STAFF, jurisdiction=city())


def _xlsx(path: Path, rows: list[list]) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("企业名录")
    sheet.write_row(0, 0, HEADER)
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, row)
    workbook.close()
    return path


def _csv(path: Path, rows: list[list]) -> Path:
    lines = [",".join(HEADER)] + [",".join(str(cell) for cell in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _preview(path: Path, user) -> RegisterImport:
    created = services.register_import_create_from_path(path=path, source=ImportSource.REGISTRATION, acting_user=user)
    preview = services.register_import_validate(register_import_id=created.pk, report_year=2024)
    assert preview.status == ImportStatus.VALIDATED, preview.failure_reason
    return preview


def _apply(preview: RegisterImport, user) -> RegisterImport:
    services.register_import_confirm(register_import=preview, acting_user=user, confirm_warnings=False, enqueue=False)
    with TestCase.captureOnCommitCallbacks(execute=False):  # no ledger refresh needed here
        return services.register_import_apply(register_import_id=preview.pk)


def _problem(preview: RegisterImport, row_number: int) -> RegisterImportProblem:
    return RegisterImportProblem.objects.get(register_import=preview, row_number=row_number, column="所属区县")


# --- a refusal does not locate another district's enterprise -----------------------------------


def test_an_enterprise_of_another_district_is_refused_without_naming_where_it_is_registered(
    client, tmp_path, taishan_commerce
):
    manzhuang = region("370911106000", "满庄镇", RegionLevel.STREET, other_district())
    elsewhere = EnterpriseFactory(region=manzhuang, name="满庄企业有限公司")
    path = _xlsx(
        tmp_path / "r.xlsx", [[elsewhere.credit_code, "想改的名字有限公司", "有限责任公司", "制造业", "泰山区"]]
    )

    preview = _preview(path, taishan_commerce)

    assert preview.rejected_count == 1
    problem = _problem(preview, 2)
    assert (problem.severity, problem.code) == (ProblemSeverity.ERROR, "jurisdiction")
    assert "不在您的管辖范围内" in problem.message
    assert "满庄镇" not in problem.message and "岱岳区" not in problem.message
    client.force_login(taishan_commerce)
    page = client.get(reverse("enterprises:import-detail", args=[preview.pk])).content.decode()
    assert "不在您的管辖范围内" in page
    assert "满庄镇" not in page and "岱岳区" not in page and "满庄企业" not in page
    api = client.get(f"/api/v1/register-imports/{preview.pk}/").content.decode()
    assert "满庄镇" not in api and "岱岳区" not in api
    assert Enterprise.objects.get(pk=elsewhere.pk).name == "满庄企业有限公司"


def test_another_districts_staff_cannot_open_the_preview(client, tmp_path, taishan_commerce, daiyue_commerce):
    path = _xlsx(tmp_path / "r.xlsx", [[make_credit_code(), "泰山企业有限公司", "有限责任公司", "制造业", "泰山区"]])
    preview = _preview(path, taishan_commerce)
    client.force_login(daiyue_commerce)
    assert client.get(reverse("enterprises:import-detail", args=[preview.pk])).status_code == 404


# --- a blank 所属区县 read from the credit code --------------------------------------------------


def test_a_blank_district_is_taken_from_the_credit_codes_registering_authority_with_a_warning(
    client, tmp_path, taishan_commerce
):
    code = make_credit_code(region="370902")
    path = _csv(tmp_path / "r.csv", [[code, "空区县企业有限公司", "有限责任公司", "制造业", ""]])

    preview = _preview(path, taishan_commerce)

    assert (preview.new_count, preview.rejected_count) == (1, 0)
    problem = _problem(preview, 2)
    assert (problem.severity, problem.code) == (ProblemSeverity.WARNING, "district_from_code")
    assert problem.message == "所属区县为空，已按统一社会信用代码第3-8位登记机关代码确定为“泰山区”"
    assert problem.value == "370902"
    assert RegisterImportRow.objects.get(register_import=preview).district_id == district().pk
    client.force_login(taishan_commerce)
    page = client.get(reverse("enterprises:import-detail", args=[preview.pk])).content.decode()
    assert "已按统一社会信用代码第3-8位登记机关代码确定为“泰山区”" in page

    _apply(preview, taishan_commerce)
    assert Enterprise.objects.get(credit_code=code).region == district()


def test_a_blank_district_whose_code_is_not_one_of_the_users_districts_is_rejected_with_the_reason(
    tmp_path, taishan_commerce
):
    daiyue_code = make_credit_code(region="370911")
    unknown_code = make_credit_code(region="110105")
    path = _xlsx(
        tmp_path / "r.xlsx",
        [
            [daiyue_code, "岱岳登记的企业有限公司", "有限责任公司", "制造业", ""],
            [unknown_code, "外地登记的企业有限公司", "有限责任公司", "制造业", ""],
            ["不是代码", "代码也坏的企业有限公司", "有限责任公司", "制造业", ""],
        ],
    )

    preview = _preview(path, taishan_commerce)

    assert (preview.new_count, preview.rejected_count) == (0, 3)
    outside = _problem(preview, 2)
    assert outside.severity == ProblemSeverity.ERROR
    assert outside.message == (
        "所属区县为空，且统一社会信用代码第3-8位登记机关代码“370911”不是您管辖范围内的区县，请填写所属区县"
    )
    assert "岱岳区" not in outside.message
    assert "“110105”不是您管辖范围内的区县" in _problem(preview, 3).message
    assert _problem(preview, 4).message == "所属区县为空"
    assert not Enterprise.objects.exists()


def test_a_city_wide_importer_gets_any_of_its_districts_from_the_code(tmp_path, city_commerce):
    code = make_credit_code(region="370911")
    city_code = make_credit_code(region="370900")
    path = _xlsx(
        tmp_path / "r.xlsx",
        [
            [code, "岱岳空区县企业有限公司", "有限责任公司", "制造业", ""],
            [city_code, "市局登记的企业有限公司", "有限责任公司", "制造业", ""],
        ],
    )

    preview = _preview(path, city_commerce)

    assert (preview.new_count, preview.rejected_count) == (1, 1)
    assert "确定为“岱岳区”" in _problem(preview, 2).message
    # 370900 is the city itself, not a district: the row cannot be placed, so it is refused.
    assert "“370900”不是您管辖范围内的区县" in _problem(preview, 3).message


# --- rows that land without a street ------------------------------------------------------------


def test_the_preview_counts_the_rows_that_land_without_a_street(client, tmp_path, taishan_commerce):
    taishan = district()
    caiyuan = region("370902001000", "财源街道", RegionLevel.STREET, taishan)
    placed = EnterpriseFactory(region=caiyuan, name="已落实街道企业有限公司")
    unplaced = EnterpriseFactory(region=taishan, name="只到区县企业有限公司")
    elsewhere = EnterpriseFactory(region=other_district(), name="岱岳企业有限公司")
    path = _xlsx(
        tmp_path / "r.xlsx",
        [
            [placed.credit_code, placed.name, "有限责任公司", "制造业", "泰山区"],  # keeps its street
            [unplaced.credit_code, unplaced.name, "有限责任公司", "制造业", "泰山区"],  # still district only
            [make_credit_code(), "新登记企业有限公司", "有限责任公司", "制造业", "泰山区"],  # new: district only
            [make_credit_code(region="370902"), "空区县新企业有限公司", "有限责任公司", "制造业", ""],  # idem
            [elsewhere.credit_code, "别区企业有限公司", "有限责任公司", "制造业", "泰山区"],  # rejected
        ],
    )

    preview = _preview(path, taishan_commerce)

    assert preview.rejected_count == 1
    assert preview.summary["without_street"] == 3
    assert "未落实到街道（只登记到区县，待落实到街道）：3 行" in summary_lines(preview)
    staged = RegisterImportRow.objects.filter(register_import=preview).exclude(action=ImportRowAction.REJECTED)
    assert staged.get(credit_code=placed.credit_code).region_id == caiyuan.pk
    client.force_login(taishan_commerce)
    page = client.get(reverse("enterprises:import-detail", args=[preview.pk])).content.decode()
    assert 'data-count="without-street">3<' in page
    assert "未落实到街道" in page


def test_a_register_fully_placed_in_streets_shows_none_without_a_street(client, tmp_path, taishan_commerce):
    caiyuan = region("370902001000", "财源街道", RegionLevel.STREET, district())
    placed = EnterpriseFactory(region=caiyuan)
    path = _xlsx(tmp_path / "r.xlsx", [[placed.credit_code, placed.name, "有限责任公司", "制造业", "泰山区"]])

    preview = _preview(path, taishan_commerce)

    assert preview.summary["without_street"] == 0
    assert not any("未落实到街道" in line for line in summary_lines(preview))
    client.force_login(taishan_commerce)
    page = client.get(reverse("enterprises:import-detail", args=[preview.pk])).content.decode()
    assert 'data-count="without-street">0<' in page
