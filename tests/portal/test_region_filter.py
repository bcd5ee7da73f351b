"""The region filter: a district includes its streets; regions outside the user's scope are not offered."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.choices import RegionLevel
from tests.factories import EnterpriseFactory, region

pytestmark = pytest.mark.django_db


def test_filtering_by_district_includes_its_streets_and_excludes_the_rest(client, staff, taishan):
    street = region("370902001000", "岱庙街道", RegionLevel.STREET, taishan)
    other_street = region("370902002000", "财源街道", RegionLevel.STREET, taishan)
    in_street = EnterpriseFactory(region=street, name="岱庙街道企业")
    in_other = EnterpriseFactory(region=other_street, name="财源街道企业")
    client.force_login(staff)

    page = client.get(reverse("enterprises:list"), {"region": "370902"})
    assert {in_street, in_other} == set(page.context["object_list"])

    page = client.get(reverse("enterprises:list"), {"region": "370902001000"})
    assert list(page.context["object_list"]) == [in_street]


def test_a_region_outside_the_scope_is_not_a_valid_choice(client, staff, daiyue):
    EnterpriseFactory(region=daiyue)
    client.force_login(staff)
    response = client.get("/api/v1/enterprises/", {"region": "370911"})
    assert response.status_code == 400
    assert "region" in response.json()
