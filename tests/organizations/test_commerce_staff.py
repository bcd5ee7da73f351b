"""Commerce-bureau staff keep enterprise basic data — the register, its imports, each enterprise's
coverage state — and nothing about people: no party organizations, no instructors, no members."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from instructors.models import Assignment, Instructor
from organizations.models import PartyOrganization
from portal.choices import Role
from tests.factories import (
    AssignmentFactory,
    EnterpriseFactory,
    InstructorFactory,
    PartyOrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def commerce(taishan):
    return UserFactory(username="taishan_commerce", role=Role.COMMERCE_STAFF, jurisdiction=taishan)


@pytest.fixture
def world(taishan):
    enterprise = EnterpriseFactory(region=taishan, name="泰山机械有限公司")
    organization = PartyOrganizationFactory(region=taishan, name="泰山机械党支部", covered=[enterprise])
    instructor = InstructorFactory(region=taishan, name="周指导", phone="13912345678")
    AssignmentFactory(instructor=instructor, enterprise=enterprise, start_on=dt.date(2026, 1, 1))
    return enterprise, organization, instructor


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _api(user) -> Client:
    token, _ = Token.objects.get_or_create(user=user)
    return Client(headers={"authorization": f"Token {token.key}"})


def test_commerce_staff_get_403_on_organization_and_instructor_pages_and_api(commerce, world):
    _, organization, instructor = world
    page, api = _signed_in(commerce), _api(commerce)
    for url in (
        "/organizations/",
        f"/organizations/{organization.pk}/",
        "/instructors/",
        f"/instructors/{instructor.pk}/",
    ):
        assert page.get(url).status_code == 403, url
    for url in (
        "/api/v1/organizations/",
        f"/api/v1/organizations/{organization.pk}/",
        "/api/v1/instructors/",
        f"/api/v1/instructors/{instructor.pk}/",
        "/api/v1/assignments/",
    ):
        assert api.get(url).status_code == 403, url


def test_commerce_staff_keep_the_register_imports_and_each_enterprises_coverage_state(commerce, world):
    enterprise, _, _ = world
    page = _signed_in(commerce)
    for url in ("/enterprises/", "/enterprises/carriers/", "/enterprises/imports/"):
        assert page.get(url).status_code == 200, url
    html = page.get(f"/enterprises/{enterprise.pk}/").content.decode()
    assert "泰山机械有限公司" in html and "覆盖情况" in html
    assert "周指导" not in html and "泰山机械党支部" not in html
    assert _api(commerce).get("/api/v1/enterprises/").status_code == 200


def test_party_organizations_and_instructors_are_invisible_to_commerce_staff_wherever_they_appear(
    commerce, staff, world
):
    for model in (PartyOrganization, Instructor, Assignment):
        assert model.objects.visible_to(commerce).count() == 0
        assert model.objects.visible_to(staff).count() == 1


def test_district_staff_and_leaders_still_see_organizations_and_instructors(staff, taishan, world):
    leader = UserFactory(username="taishan_leader", role=Role.LEADER, jurisdiction=taishan)
    for user in (staff, leader):
        assert "泰山机械党支部" in _signed_in(user).get("/organizations/").content.decode()
        assert "周指导" in _signed_in(user).get("/instructors/").content.decode()


def test_another_districts_staff_see_none_of_them(outsider, world):
    _, organization, instructor = world
    assert _signed_in(outsider).get(f"/organizations/{organization.pk}/").status_code == 404
    assert _signed_in(outsider).get(f"/instructors/{instructor.pk}/").status_code == 404
    assert _api(outsider).get("/api/v1/instructors/").json()["results"] == []
