"""The workspace pages of carriers and enterprises (portal/workspace.py): the add / edit / end
actions only for roles that may, errors beside their fields, an idempotent double submit, the
export of the filtered list, and a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from enterprises.choices import CarrierKind, EnterpriseKind, RegistrationStatus
from enterprises.models import Carrier, Enterprise
from portal.choices import AccessKind, RegionLevel, Role
from portal.models import AccessLog
from tests.factories import CarrierFactory, EnterpriseFactory, UserFactory, district, make_credit_code, region

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _token(html: str) -> str:
    match = re.search(r'name="form_token" value="([0-9a-f]+)"', html)
    assert match, "the form carries no one-time token"
    return match.group(1)


@pytest.fixture
def street(taishan):
    return region("370902001000", "泰前街道", RegionLevel.STREET, taishan)


@pytest.fixture
def commerce(taishan):
    return UserFactory(username="taishan_commerce", role=Role.COMMERCE_STAFF, jurisdiction=taishan)


def _enterprise_post(street, token: str, **extra) -> dict:
    return {
        "credit_code": make_credit_code(901),
        "name": "泰安双击测试有限公司",
        "kind": EnterpriseKind.LIMITED_COMPANY,
        "region": street.pk,
        "registration_status": RegistrationStatus.EXISTING,
        "employee_count": "8",
        "form_token": token,
        **extra,
    }


def test_a_double_submitted_create_form_creates_one_enterprise(staff, street):
    client = _client(staff)
    token = _token(client.get(reverse("enterprises:create")).content.decode())
    first = client.post(reverse("enterprises:create"), _enterprise_post(street, token))
    second = client.post(reverse("enterprises:create"), _enterprise_post(street, token))
    enterprise = Enterprise.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == enterprise.get_absolute_url()
    page = client.get(second["Location"]).content.decode()
    assert "该表单已提交过，未重复保存" in page


def test_after_a_save_the_user_lands_on_the_record_with_a_success_message(staff, street):
    client = _client(staff)
    token = _token(client.get(reverse("enterprises:create")).content.decode())
    response = client.post(reverse("enterprises:create"), _enterprise_post(street, token), follow=True)
    enterprise = Enterprise.objects.get()
    assert response.redirect_chain[-1][0] == enterprise.get_absolute_url()
    assert "已新增：泰安双击测试有限公司" in response.content.decode()


def test_save_and_add_another_returns_to_an_empty_create_form(staff, street):
    client = _client(staff)
    token = _token(client.get(reverse("enterprises:create")).content.decode())
    response = client.post(reverse("enterprises:create"), {**_enterprise_post(street, token), "_addanother": "1"})
    assert response["Location"] == reverse("enterprises:create")


def test_errors_are_shown_beside_their_fields_and_summarised_at_the_top(staff, street):
    client = _client(staff)
    token = _token(client.get(reverse("enterprises:create")).content.decode())
    good = make_credit_code(902)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = client.post(reverse("enterprises:create"), _enterprise_post(street, token, credit_code=bad))
    html = response.content.decode()
    assert response.status_code == 200  # the form again, with its errors
    assert not Enterprise.objects.exists()
    beside = re.search(r'<div class="field-errors" id="credit_code-errors">(.*?)</div>', html, re.S)
    assert beside and "校验位不符" in beside.group(1)
    assert 'aria-describedby="credit_code-errors credit_code-help"' in html
    assert 'href="#id_credit_code"' in html  # the summary links to the field
    # the same token may be used again once the error is fixed
    confirmed = _enterprise_post(street, token, credit_code=bad, credit_code_check_confirmed="on")
    assert client.post(reverse("enterprises:create"), confirmed).status_code == 302
    assert Enterprise.objects.get().credit_code == bad


def test_a_posted_region_or_carrier_outside_the_users_region_is_a_form_error(staff, street, daiyue):
    foreign = CarrierFactory(region=daiyue)
    client = _client(staff)
    token = _token(client.get(reverse("enterprises:create")).content.decode())
    response = client.post(
        reverse("enterprises:create"), _enterprise_post(street, token, region=daiyue.pk, carrier=foreign.pk)
    )
    html = response.content.decode()
    assert response.status_code == 200  # the form again, with its errors
    assert html.count("所选记录不存在或不在您的管辖区域内") >= 2
    assert not Enterprise.objects.exists()


def test_commerce_staff_get_the_basic_data_form_without_carrier(commerce, taishan):
    enterprise = EnterpriseFactory(region=taishan)
    html = _client(commerce).get(reverse("enterprises:update", args=[enterprise.pk])).content.decode()
    assert 'name="name"' in html
    assert 'name="carrier"' not in html and 'name="legal_representative_is_member"' not in html


def test_another_districts_staff_get_404_for_the_edit_and_end_pages(outsider, taishan):
    enterprise = EnterpriseFactory(region=taishan)
    carrier = CarrierFactory(region=taishan)
    client = _client(outsider)
    for name, pk in (("update", enterprise.pk), ("deregister", enterprise.pk)):
        assert client.get(reverse(f"enterprises:{name}", args=[pk])).status_code == 404
    for name in ("carrier-update", "carrier-end"):
        assert client.get(reverse(f"enterprises:{name}", args=[carrier.pk])).status_code == 404


def test_the_enterprise_page_offers_edit_and_deregister_only_to_roles_that_may(staff, taishan):
    enterprise = EnterpriseFactory(region=taishan)
    leader = UserFactory(username="taishan_leader", role=Role.LEADER, jurisdiction=taishan)
    edit = reverse("enterprises:update", args=[enterprise.pk])
    assert edit in _client(staff).get(enterprise.get_absolute_url()).content.decode()
    assert edit not in _client(leader).get(enterprise.get_absolute_url()).content.decode()
    assert _client(leader).get(edit).status_code == 403


def test_deregister_confirmation_page_changes_the_status_and_keeps_the_row(staff, taishan):
    enterprise = EnterpriseFactory(region=taishan)
    client = _client(staff)
    url = reverse("enterprises:deregister", args=[enterprise.pk])
    page = client.get(url).content.decode()
    assert "确认对" in page and enterprise.name in page
    response = client.post(
        url,
        {
            "registration_status": RegistrationStatus.CANCELLED,
            "ended_on": "2026-03-01",
            "reason": "注销",
            "form_token": _token(page),
        },
    )
    assert response["Location"] == enterprise.get_absolute_url()
    enterprise.refresh_from_db()
    assert enterprise.registration_status == RegistrationStatus.CANCELLED
    assert enterprise.deregistered_on == dt.date(2026, 3, 1)


def test_carrier_create_edit_end_round_trip(staff, street):
    client = _client(staff)
    page = client.get(reverse("enterprises:carrier-create")).content.decode()
    response = client.post(
        reverse("enterprises:carrier-create"),
        {"name": "泰山数字楼宇", "kind": CarrierKind.BUILDING, "region": street.pk, "form_token": _token(page)},
    )
    carrier = Carrier.objects.get()
    assert response["Location"] == carrier.get_absolute_url()
    edit = client.get(reverse("enterprises:carrier-update", args=[carrier.pk])).content.decode()
    client.post(
        reverse("enterprises:carrier-update", args=[carrier.pk]),
        {"name": "泰山数字大厦", "kind": CarrierKind.BUILDING, "region": street.pk, "form_token": _token(edit)},
    )
    end = client.get(reverse("enterprises:carrier-end", args=[carrier.pk])).content.decode()
    client.post(
        reverse("enterprises:carrier-end", args=[carrier.pk]),
        {"ended_on": timezone.localdate().isoformat(), "reason": "楼宇改造", "form_token": _token(end)},
    )
    carrier.refresh_from_db()
    assert carrier.name == "泰山数字大厦" and carrier.ended_on == timezone.localdate()
    detail = client.get(carrier.get_absolute_url()).content.decode()
    assert "已停用" in detail and reverse("enterprises:carrier-end", args=[carrier.pk]) not in detail


def test_commerce_staff_see_no_add_carrier_button_and_get_403(commerce):
    client = _client(commerce)
    assert reverse("enterprises:carrier-create") not in client.get(reverse("enterprises:carrier-list")).content.decode()
    assert client.get(reverse("enterprises:carrier-create")).status_code == 403


def test_list_pages_show_the_add_button_export_and_breadcrumb(staff):
    html = _client(staff).get(reverse("enterprises:list")).content.decode()
    assert reverse("enterprises:create") in html
    assert "export=xlsx" in html
    assert 'class="breadcrumb"' in html


def test_the_export_is_the_filtered_list_of_the_users_region_and_is_logged(staff, taishan, daiyue):
    EnterpriseFactory(region=taishan, name="泰安甲有限公司", employee_count=5)
    EnterpriseFactory(region=taishan, name="泰安乙有限公司", employee_count=5)
    EnterpriseFactory(region=taishan, name="泰安丙商行", employee_count=5)
    EnterpriseFactory(region=daiyue, name="岱岳甲有限公司")
    response = _client(staff).get(reverse("enterprises:list"), {"q": "有限公司", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = sorted(row[0] for row in sheet.iter_rows(min_row=3, values_only=True))
    assert names == ["泰安乙有限公司", "泰安甲有限公司"]
    log = AccessLog.objects.get(kind=AccessKind.EXPORT)
    assert log.user == staff and log.detail["rows"] == 2


def test_commerce_staff_may_not_export(commerce):
    response = _client(commerce).get(reverse("enterprises:list"), {"export": "xlsx"})
    assert response.status_code == 403


def test_list_and_detail_pages_run_a_bounded_number_of_queries(staff, taishan, django_assert_max_num_queries):
    carrier = CarrierFactory(region=taishan)
    for n in range(30):
        EnterpriseFactory(region=taishan, carrier=carrier, name=f"泰安批量{n}有限公司")
    CarrierFactory.create_batch(20, region=taishan)
    client = _client(staff)
    enterprise = Enterprise.objects.first()
    for url in (
        reverse("enterprises:list"),
        reverse("enterprises:carrier-list"),
        carrier.get_absolute_url(),
        enterprise.get_absolute_url(),
        reverse("enterprises:update", args=[enterprise.pk]),
        reverse("enterprises:create"),
    ):
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200


def test_form_pages_show_no_django_blank_choice_dashes(client):
    """An empty choice reads 请选择 on every workspace form, never Django's "---------"."""
    staff = UserFactory(role=Role.DISTRICT_STAFF, jurisdiction=district())
    client.force_login(staff)
    for name in ("enterprises:create", "enterprises:carrier-create"):
        html = client.get(reverse(name)).content.decode()
        assert "---------" not in html
        assert "请选择" in html
