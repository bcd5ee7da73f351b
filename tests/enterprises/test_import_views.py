"""The import pages and the API: upload → background validation (the real task code, run eagerly)
→ preview → confirm; scoping (404 outside the district) and capabilities (403 without IMPORT_REGISTER)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from django.contrib.humanize.templatetags.humanize import intcomma
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from enterprises.choices import ImportStatus
from enterprises.models import Enterprise, RegisterImport
from portal.celery import app
from portal.choices import Role
from portal.models import AccessLog
from tests.enterprises.helpers import expected_messy, run_import, validate
from tests.factories import EnterpriseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_celery():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def _upload(client, path, source="registration"):
    with path.open("rb") as fh:
        return client.post(reverse("enterprises:import-upload"), {"source": source, "file": fh})


def test_upload_preview_confirm_through_the_pages(
    client, register_files, city_importer, eager_celery, ledger_tasks, django_capture_on_commit_callbacks
):
    expected = expected_messy(register_files.rows)
    client.force_login(city_importer)

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, register_files.messy_xlsx)
    register_import = RegisterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("enterprises:import-detail", args=[register_import.pk])

    status = client.get(reverse("enterprises:import-status", args=[register_import.pk])).json()
    assert status == {"status": "VALIDATED", "status_display": "待确认", "progress": 100, "in_progress": False}
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "确认导入校验位不符的代码" in html
    assert f'data-count="rejected">{len(expected.rejected)}<' in html
    assert f'data-count="new">{intcomma(expected.stored)}<' in html
    assert "统一社会信用代码在本文件中重复" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("enterprises:import-confirm", args=[register_import.pk]), {"confirm_warnings": "on"}
        )
    assert response.status_code == 302
    register_import.refresh_from_db()
    assert register_import.status == ImportStatus.APPLIED
    assert register_import.confirmed_by == city_importer
    assert Enterprise.objects.count() == expected.stored + len(expected.pending)
    html = client.get(reverse("enterprises:import-detail", args=[register_import.pk])).content.decode()
    assert "本次新建或更新的企业" in html
    assert len(ledger_tasks) == 1


def test_a_hostile_upload_is_refused_on_the_form(client, city_importer, tmp_path):
    client.force_login(city_importer)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(b"not a zip")
    response = _upload(client, path)
    assert response.status_code == 200
    assert "不是有效的 .xlsx" in response.content.decode()
    assert RegisterImport.objects.count() == 0


def test_error_report_has_the_original_rows_a_reason_column_and_escapes_formulas(
    client, taian, city_importer, tmp_path
):
    path = tmp_path / "inject.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["统一社会信用代码", "企业名称", "所属区县"])
    for col, text in enumerate(["=1+1", '=HYPERLINK("http://evil")', "泰山区"]):
        sheet.write_string(1, col, text)  # text that looks like a formula, as other systems export it
    workbook.close()
    register_import = validate(path, city_importer)
    client.force_login(city_importer)

    response = client.get(reverse("enterprises:import-errors", args=[register_import.pk]))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    report = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(report.iter_rows(values_only=True))
    assert rows[0] == ("行号", "统一社会信用代码", "企业名称", "所属区县", "问题")
    assert rows[1][:4] == (2, "'=1+1", '\'=HYPERLINK("http://evil")', "泰山区")
    assert "统一社会信用代码" in rows[1][4]
    # The download is in the access log, with the number of rows it carries.
    logged = AccessLog.objects.get(target=f"register-import:{register_import.pk}:errors")
    assert logged.user == city_importer
    assert logged.detail["rows"] == 1
    assert AccessLog.objects.filter(kind="EXPORT").count() == 1  # the safety net did not log it again


def test_another_district_gets_404_everywhere(client, register_files, taishan_importer, outsider):
    register_import = validate(register_files.clean_xlsx, taishan_importer)
    client.force_login(outsider)
    for name in ("import-detail", "import-status", "import-errors"):
        assert client.get(reverse(f"enterprises:{name}", args=[register_import.pk])).status_code == 404
    assert client.post(reverse("enterprises:import-confirm", args=[register_import.pk])).status_code == 404
    listing = client.get(reverse("enterprises:import-list"))
    assert register_import.original_name not in listing.content.decode()
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get("/api/v1/register-imports/").json()["count"] == 0
    assert api.get(f"/api/v1/register-imports/{register_import.pk}/").status_code == 404
    register_import.refresh_from_db()
    assert register_import.status == ImportStatus.VALIDATED


def test_a_leader_may_look_but_not_upload_or_confirm(client, register_files, taishan_importer, taian):
    register_import = validate(register_files.clean_xlsx, taishan_importer)
    leader = UserFactory(username="leader", role=Role.LEADER, jurisdiction=taian["泰山区"])
    client.force_login(leader)
    assert client.get(reverse("enterprises:import-detail", args=[register_import.pk])).status_code == 200
    assert client.get(reverse("enterprises:import-upload")).status_code == 403
    assert client.post(reverse("enterprises:import-confirm", args=[register_import.pk])).status_code == 403


def test_the_list_page_runs_a_fixed_number_of_queries(
    client, register_files, city_importer, django_assert_max_num_queries
):
    for _ in range(3):
        validate(register_files.clean_csv, city_importer)
    client.force_login(city_importer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("enterprises:import-list"))
    assert response.status_code == 200


def test_the_api_uploads_previews_and_confirms(
    register_files, city_importer, eager_celery, ledger_tasks, django_capture_on_commit_callbacks
):
    api = APIClient()
    api.force_authenticate(city_importer)
    with django_capture_on_commit_callbacks(execute=True), register_files.messy_csv.open("rb") as fh:
        response = api.post("/api/v1/register-imports/", {"source": "registration", "file": fh}, format="multipart")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]

    detail = api.get(f"/api/v1/register-imports/{pk}/").json()
    expected = expected_messy(register_files.rows)
    assert (detail["status"], detail["rejected_count"], detail["new_count"]) == (
        "VALIDATED",
        len(expected.rejected),
        expected.stored,
    )
    problems = api.get(f"/api/v1/register-imports/{pk}/problems/").json()
    assert problems["count"] > 0
    assert set(problems["results"][0]) == {"row_number", "column", "severity", "code", "message", "value"}

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/register-imports/{pk}/confirm/", {"confirm_warnings": False}, format="json")
    assert response.status_code == 202
    assert api.get(f"/api/v1/register-imports/{pk}/").json()["status"] == "APPLIED"
    assert Enterprise.objects.count() == expected.stored
    again = api.post(f"/api/v1/register-imports/{pk}/confirm/", {}, format="json")
    assert again.status_code == 400


def test_the_api_refuses_an_upload_without_the_capability(register_files, taian, tmp_path):
    leader = UserFactory(username="leader2", role=Role.LEADER, jurisdiction=taian["泰山区"])
    api = APIClient()
    api.force_authenticate(leader)
    with register_files.clean_csv.open("rb") as fh:
        response = api.post("/api/v1/register-imports/", {"source": "registration", "file": fh}, format="multipart")
    assert response.status_code == 403


def test_the_preview_shows_changed_fields_old_to_new_and_enterprises_missing_from_the_list(
    client, taian, city_importer, tmp_path
):
    changed = EnterpriseFactory(region=taian["泰山区"], name="泰安旧名有限公司", employee_count=10)
    missing = EnterpriseFactory(region=taian["泰山区"], name="泰安不在名单有限公司")
    workbook = openpyxl.Workbook()
    workbook.active.append(["统一社会信用代码", "企业名称", "所属区县", "从业人员数"])
    workbook.active.append([changed.credit_code, "泰安新名有限公司", "泰山区", 12])
    path = tmp_path / "changed.xlsx"
    workbook.save(path)
    register_import = validate(path, city_importer)
    client.force_login(city_importer)

    html = client.get(reverse("enterprises:import-detail", args=[register_import.pk])).content.decode()

    assert "变更的企业（1）" in html
    assert '企业名称：<span class="muted">泰安旧名有限公司</span> → <strong>泰安新名有限公司</strong>' in html
    assert '从业人员数：<span class="muted">10</span> → <strong>12</strong>' in html
    assert "名单中没有的存续企业（1，待核实，不会删除）" in html
    assert missing.name in html


def test_a_file_over_the_size_limit_is_cut_off_while_uploading(client, city_importer, register_files, settings):
    settings.REGISTER_UPLOAD_MAX_BYTES = 10_000
    client.force_login(city_importer)
    response = _upload(client, register_files.clean_csv)
    assert response.status_code == 200
    assert "文件过大，上限" in response.content.decode()
    assert RegisterImport.objects.count() == 0
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.csv"))


def test_the_upload_still_checks_the_csrf_token(city_importer, register_files):
    client = Client(enforce_csrf_checks=True)
    client.force_login(city_importer)
    assert _upload(client, register_files.clean_csv).status_code == 403
    assert RegisterImport.objects.count() == 0


def test_an_imported_enterprise_links_to_its_import(client, register_files, city_importer, ledger_tasks):
    register_import = run_import(register_files.clean_csv, city_importer)
    enterprise = Enterprise.objects.first()
    client.force_login(city_importer)
    html = client.get(reverse("enterprises:detail", args=[enterprise.pk])).content.decode()
    assert reverse("enterprises:import-detail", args=[register_import.pk]) in html
