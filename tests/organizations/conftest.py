"""Fixtures of the staff-workspace tests: a street of 泰山区, its current survey campaign, and
commerce-bureau staff (who never reach a member or organization form)."""

from __future__ import annotations

import datetime as dt

import pytest

from enterprises.models import SurveyCampaign
from portal.choices import RegionLevel, Role
from tests.factories import UserFactory, region


@pytest.fixture
def street(taishan):
    return region("370902001000", "泰前街道", RegionLevel.STREET, taishan)


@pytest.fixture
def campaign(taishan):
    return SurveyCampaign.objects.create(
        name="2026年拉网式排查",
        region=taishan,
        starts_on=dt.date(2026, 1, 1),
        deadline=dt.date(2026, 12, 31),
        is_current=True,
    )


@pytest.fixture
def commerce(taishan):
    return UserFactory(username="taishan_commerce", role=Role.COMMERCE_STAFF, jurisdiction=taishan)
