"""The 第一书记, 培训 and 工作津贴 pages: lists with the add button, export and breadcrumb; create
and edit forms with errors beside their fields and pickers scoped to the region; the history link;
404 outside the region, 403 without the capability; a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from instructors.choices import TrainingAudience
from instructors.models import FirstSecretaryAppointment, Stipend, Training
from portal.choices import Role
from tests.factories import InstructorFactory, PartyOrganizationFactory, UserFactory

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
def org(taishan):
    return PartyOrganizationFactory(name="泰山科技党支部", region=taishan)


@pytest.fixture
def instructor(taishan):
    return InstructorFactory(name="王指导", region=taishan)


@pytest.fixture
def commerce(taishan):
    return UserFactory(username="taishan_commerce", role=Role.COMMERCE_STAFF, jurisdiction=taishan)


LISTS = {
    "instructors:first-secretary-list": "instructors:first-secretary-create",
    "instructors:training-list": "instructors:training-create",
    "instructors:stipend-list": "instructors:stipend-create",
}


def test_list_pages_show_the_add_button_export_and_breadcrumb(staff):
    client = _client(staff)
    for list_name, create_name in LISTS.items():
        html = client.get(reverse(list_name)).content.decode()
        assert reverse(create_name) in html and "export=xlsx" in html and 'class="breadcrumb"' in html


def test_commerce_staff_get_403_on_every_page(commerce, org):
    client = _client(commerce)
    for list_name, create_name in LISTS.items():
        assert client.get(reverse(list_name)).status_code == 403
        assert client.get(reverse(create_name)).status_code == 403


def test_a_first_secretary_is_appointed_and_the_edit_page_never_shows_the_phone(staff, org):
    client = _client(staff)
    url = reverse("instructors:first-secretary-create")
    data = {
        "organization": org.pk,
        "name": "李书记",
        "employer": "区商务局副局长",
        "phone": "13800001111",
        "start_on": "2024-03-01",
        "end_on": "",
        "form_token": _token(client.get(url).content.decode()),
    }
    response = client.post(url, data)
    appointment = FirstSecretaryAppointment.objects.get()
    assert response["Location"] == reverse("instructors:first-secretary-update", args=[appointment.pk])
    html = client.get(response["Location"]).content.decode()
    assert "13800001111" not in html
    assert reverse("instructors:first-secretary-history", args=[appointment.pk]) in html
    assert reverse("instructors:first-secretary-end", args=[appointment.pk]) in html
    client.post(response["Location"], {**data, "phone": "", "name": "李书记（更正）", "form_token": _token(html)})
    appointment.refresh_from_db()
    assert appointment.name == "李书记（更正）" and appointment.phone == "13800001111"
    client.post(
        reverse("instructors:first-secretary-end", args=[appointment.pk]), {"ended_on": "2025-03-01", "reason": "期满"}
    )
    appointment.refresh_from_db()
    assert appointment.end_on == dt.date(2025, 3, 1)
    assert "李书记（更正）" in client.get(reverse("instructors:first-secretary-list")).content.decode()


def test_an_organization_of_another_district_is_a_form_error_beside_the_field(staff, daiyue):
    foreign = PartyOrganizationFactory(region=daiyue)
    html = (
        _client(staff)
        .post(
            reverse("instructors:first-secretary-create"),
            {"organization": foreign.pk, "name": "李书记", "start_on": "2024-03-01"},
        )
        .content.decode()
    )
    assert re.search(r'id="organization-errors"><p class="error">所选记录不存在或不在您的管辖区域内</p>', html)
    assert not FirstSecretaryAppointment.objects.exists()


def test_another_districts_staff_get_404_on_the_edit_pages(outsider, org, instructor, taishan):
    appointment = FirstSecretaryAppointment.objects.create(
        organization=org, name="李书记", start_on=dt.date(2024, 1, 1)
    )
    training = Training.objects.create(
        title="培训",
        audience=TrainingAudience.SECRETARY,
        region=taishan,
        held_on=dt.date(2024, 5, 1),
        hours=4,
        participant_count=3,
    )
    stipend = Stipend.objects.create(instructor=instructor, year=2024, month=5, amount=500)
    client = _client(outsider)
    for url in (
        reverse("instructors:first-secretary-update", args=[appointment.pk]),
        reverse("instructors:first-secretary-end", args=[appointment.pk]),
        reverse("instructors:training-update", args=[training.pk]),
        reverse("instructors:stipend-update", args=[stipend.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for list_name in LISTS:
        assert "泰山" not in client.get(reverse(list_name)).content.decode()


def test_a_training_and_a_stipend_are_recorded_with_errors_beside_their_fields(staff, taishan, instructor):
    client = _client(staff)
    url = reverse("instructors:training-create")
    data = {
        "title": "党建指导员业务培训",
        "audience": TrainingAudience.INSTRUCTOR,
        "region": taishan.pk,
        "held_on": "2024-05-10",
        "hours": "0",
        "participant_count": "",
        "instructors": [instructor.pk],
        "trainees": "",
    }
    html = client.post(url, data).content.decode()
    assert re.search(r'id="hours-errors"><p class="error">学时应大于 0</p>', html)
    client.post(url, {**data, "hours": "3.5"})
    training = Training.objects.get()
    assert training.participant_count == 1 and list(training.instructors.all()) == [instructor]
    assert (
        reverse("instructors:training-history", args=[training.pk])
        in client.get(training.get_absolute_url()).content.decode()
    )

    url = reverse("instructors:stipend-create")
    data = {"instructor": instructor.pk, "year": "2024", "month": "5", "amount": "-1", "paid_on": ""}
    html = client.post(url, data).content.decode()
    assert re.search(r'id="amount-errors"><p class="error">金额应大于 0</p>', html)
    client.post(url, {**data, "amount": "800.50"})
    assert Stipend.objects.get().amount == Decimal("800.50")


def test_the_stipend_export_is_the_users_region_only(staff, instructor, daiyue):
    Stipend.objects.create(instructor=instructor, year=2024, month=5, amount=Decimal("800.50"))
    Stipend.objects.create(instructor=InstructorFactory(name="岱岳指导", region=daiyue), year=2024, month=5, amount=600)
    response = _client(staff).get(reverse("instructors:stipend-list"), {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=3, values_only=True))
    assert [(row[0], row[1], row[2]) for row in rows] == [("王指导", "2024-05", "800.50")]


def test_the_pages_run_a_bounded_number_of_queries(staff, org, taishan, django_assert_max_num_queries):
    for n in range(30):
        instructor = InstructorFactory(region=taishan)
        Stipend.objects.create(instructor=instructor, year=2024, month=1 + n % 12, amount=100 + n)
        FirstSecretaryAppointment.objects.create(organization=org, name=f"书记{n}", start_on=dt.date(2024, 1, 1))
        training = Training.objects.create(
            title=f"培训{n}",
            audience=TrainingAudience.INSTRUCTOR,
            region=taishan,
            held_on=dt.date(2024, 5, 1),
            hours=4,
            participant_count=3,
        )
        training.instructors.add(instructor)
    client = _client(staff)
    stipend = Stipend.objects.first()
    appointment = FirstSecretaryAppointment.objects.first()
    for url in (
        *(reverse(name) for name in LISTS),
        *(reverse(name) for name in LISTS.values()),
        reverse("instructors:stipend-update", args=[stipend.pk]),
        reverse("instructors:training-update", args=[training.pk]),
        reverse("instructors:first-secretary-update", args=[appointment.pk]),
    ):
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200, url


def test_the_two_teams_lists_are_reached_from_the_instructor_list_by_tabs(staff):
    """第一书记, 培训 and 工作津贴 are one click from 指导员 in the navigation, and back."""
    client = _client(staff)
    names = (
        "instructors:list",
        "instructors:first-secretary-list",
        "instructors:training-list",
        "instructors:stipend-list",
    )
    for name in names:
        html = client.get(reverse(name)).content.decode()
        for other in names:
            assert f'href="{reverse(other)}"' in html, (name, other)
        assert 'aria-current="page"' in html
