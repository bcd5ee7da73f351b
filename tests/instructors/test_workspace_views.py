"""The workspace pages of instructors and 派驻: the forms only for roles that may (commerce staff:
403 everywhere), another district's records 404, refusals beside their fields, the dispatch form
prefilled from the query string, an idempotent double submit, the list's load and export, and a
bounded number of queries."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from instructors.choices import InstructorSource
from instructors.models import Assignment, Instructor
from portal.choices import Role
from tests.factories import (
    AssignmentFactory,
    EnterpriseFactory,
    InstructorFactory,
    PartyMemberFactory,
    UserFactory,
)

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
def commerce(taishan):
    return UserFactory(username="taishan_commerce", role=Role.COMMERCE_STAFF, jurisdiction=taishan)


@pytest.fixture
def instructor(taishan):
    return InstructorFactory(name="王强", source=InstructorSource.COMMERCE_CADRE, region=taishan, phone="13912345678")


def _form_urls(instructor, assignment) -> list[str]:
    return [
        reverse("instructors:create"),
        reverse("instructors:update", args=[instructor.pk]),
        reverse("instructors:end", args=[instructor.pk]),
        reverse("instructors:dispatch"),
        reverse("instructors:assignment-end", args=[assignment.pk]),
    ]


def test_commerce_staff_get_403_on_every_instructor_form_and_see_no_button(commerce, instructor, taishan):
    assignment = AssignmentFactory(instructor=instructor, enterprise=EnterpriseFactory(region=taishan))
    client = _client(commerce)
    for url in _form_urls(instructor, assignment):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url
    page = client.get(assignment.enterprise.get_absolute_url()).content.decode()
    assert reverse("instructors:assignment-end", args=[assignment.pk]) not in page
    assert reverse("instructors:dispatch") not in page


def test_another_districts_staff_get_404_on_the_records_and_an_empty_picker(outsider, instructor, taishan):
    assignment = AssignmentFactory(instructor=instructor, enterprise=EnterpriseFactory(region=taishan))
    client = _client(outsider)
    for url in _form_urls(instructor, assignment)[1:3] + _form_urls(instructor, assignment)[4:]:
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("instructors:autocomplete"), {"q": "王"}).json() == {"results": []}
    response = client.post(
        reverse("instructors:assignment-end", args=[assignment.pk]), {"ended_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 404
    assignment.refresh_from_db()
    assert assignment.end_on is None


def test_the_instructor_picker_shows_the_source_and_the_current_load(staff, instructor, taishan):
    for _ in range(3):
        AssignmentFactory(instructor=instructor, enterprise=EnterpriseFactory(region=taishan))
    AssignmentFactory(
        instructor=instructor, enterprise=EnterpriseFactory(region=taishan), end_on=dt.date(2024, 6, 30)
    )  # ended: not counted
    InstructorFactory(name="王离", region=taishan, ended_on=dt.date(2025, 1, 1))  # left: not offered
    results = _client(staff).get(reverse("instructors:autocomplete"), {"q": "王"}).json()["results"]
    assert [row["label"] for row in results] == ["王强（工商干部，已联系3户）"]


def test_add_an_instructor_then_a_double_submit_creates_one(staff, taishan):
    client = _client(staff)
    html = client.get(reverse("instructors:create")).content.decode()
    data = {
        "name": "李红",
        "source": InstructorSource.RETIRED_CADRE,
        "region": taishan.pk,
        "phone": "13800001111",
        "form_token": _token(html),
    }
    first = client.post(reverse("instructors:create"), data)
    created = Instructor.objects.get(name="李红")
    assert first.status_code == 302 and first["Location"] == created.get_absolute_url()
    second = client.post(reverse("instructors:create"), data)
    assert second["Location"] == created.get_absolute_url()
    assert Instructor.objects.filter(name="李红").count() == 1


def test_the_edit_form_never_shows_the_phone_in_clear(staff, instructor):
    html = _client(staff).get(reverse("instructors:update", args=[instructor.pk])).content.decode()
    assert "13912345678" not in html
    assert "当前：*******5678；留空则不修改" in html


def test_the_dispatch_form_is_prefilled_from_the_query_string(staff, instructor, taishan):
    first, second = EnterpriseFactory(region=taishan), EnterpriseFactory(region=taishan)
    url = f"{reverse('instructors:dispatch')}?enterprise={first.pk}&enterprise={second.pk}&instructor={instructor.pk}"
    html = _client(staff).get(url).content.decode()
    assert re.search(rf'<option value="{first.pk}" selected>', html)
    assert re.search(rf'<option value="{second.pk}" selected>', html)
    assert re.search(rf'<option value="{instructor.pk}" selected>王强（工商干部，已联系0户）</option>', html)
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in html


def test_a_dispatch_refused_shows_every_reason_beside_the_field_and_saves_nothing(staff, instructor, taishan):
    good = EnterpriseFactory(region=taishan)
    with_members = EnterpriseFactory(region=taishan, name="泰安有党员有限公司")
    PartyMemberFactory(workplace=with_members, region=taishan)
    PartyMemberFactory(workplace=with_members, region=taishan)
    client = _client(staff)
    html = client.get(reverse("instructors:dispatch")).content.decode()
    response = client.post(
        reverse("instructors:dispatch"),
        {
            "instructor": instructor.pk,
            "enterprise": [good.pk, with_members.pk],
            "start_on": timezone.localdate().isoformat(),
            "form_token": _token(html),
        },
    )
    assert response.status_code == 200
    errors = re.search(r'id="enterprise-errors"[^>]*>(.*?)</', response.content.decode(), re.S)
    assert errors and "“泰安有党员有限公司”已有党员（2名），应组建党组织或纳入联合党组织，不派驻指导员" in errors.group(
        1
    )
    assert not Assignment.objects.exists()


def test_dispatch_to_one_enterprise_lands_on_its_page_and_a_double_submit_dispatches_once(staff, instructor, taishan):
    enterprise = EnterpriseFactory(region=taishan)
    client = _client(staff)
    html = client.get(reverse("instructors:dispatch")).content.decode()
    data = {
        "instructor": instructor.pk,
        "enterprise": [enterprise.pk],
        "start_on": timezone.localdate().isoformat(),
        "form_token": _token(html),
    }
    first = client.post(reverse("instructors:dispatch"), data)
    assert first.status_code == 302 and first["Location"] == enterprise.get_absolute_url()
    second = client.post(reverse("instructors:dispatch"), data)
    assert second["Location"] == enterprise.get_absolute_url()
    assert Assignment.objects.filter(enterprise=enterprise).count() == 1
    page = client.get(enterprise.get_absolute_url()).content.decode()
    assert "结束派驻" in page and "派驻指导员 1 名" in page


def test_ending_an_assignment_from_the_enterprise_page(staff, instructor, taishan):
    today = timezone.localdate()
    enterprise = EnterpriseFactory(region=taishan)
    assignment = AssignmentFactory(instructor=instructor, enterprise=enterprise, start_on=today - dt.timedelta(days=9))
    client = _client(staff)
    end_url = reverse("instructors:assignment-end", args=[assignment.pk])
    assert end_url in client.get(enterprise.get_absolute_url()).content.decode()
    html = client.get(end_url).content.decode()
    assert f'value="{today:%Y-%m-%d}"' in html and "历史台账快照不变" in html
    response = client.post(end_url, {"ended_on": today.isoformat(), "reason": "调整", "form_token": _token(html)})
    assert response.status_code == 302 and response["Location"] == enterprise.get_absolute_url()
    assignment.refresh_from_db()
    assert assignment.end_on == today - dt.timedelta(days=1)
    page = client.get(enterprise.get_absolute_url()).content.decode()
    assert end_url not in page


def test_the_list_shows_each_instructors_load_and_exports_the_filtered_list(staff, instructor, taishan, daiyue):
    InstructorFactory(name="岱岳指导员", region=daiyue)
    InstructorFactory(name="李红", region=taishan, source=InstructorSource.VETERAN)
    for _ in range(2):
        AssignmentFactory(instructor=instructor, enterprise=EnterpriseFactory(region=taishan))
    client = _client(staff)
    html = client.get(reverse("instructors:list")).content.decode()
    assert "新增党建工作指导员" in html and "导出当前筛选结果" in html
    assert "岱岳指导员" not in html
    response = client.get(reverse("instructors:list"), {"source": InstructorSource.COMMERCE_CADRE, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][:6] == ("姓名", "来源", "单位及职务", "一岗双责", "所属区域", "当前联系企业数")
    assert [(row[0], row[5]) for row in rows[1:]] == [("王强", "2")]


def test_the_list_and_the_detail_make_a_bounded_number_of_queries(
    staff, instructor, taishan, django_assert_max_num_queries
):
    for _ in range(15):
        other = InstructorFactory(region=taishan)
        AssignmentFactory(instructor=other, enterprise=EnterpriseFactory(region=taishan))
        AssignmentFactory(instructor=instructor, enterprise=EnterpriseFactory(region=taishan))
    client = _client(staff)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("instructors:list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(instructor.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("instructors:dispatch")).status_code == 200
