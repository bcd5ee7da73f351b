"""Ledger test worlds: enterprises with complete basic data (so 四个清楚 (1) holds unless a test
blanks a field), streets under the shared districts, survey campaigns."""

from __future__ import annotations

import datetime as dt

import factory

from enterprises.models import SurveyCampaign, SurveyVisit
from portal.choices import RegionLevel
from portal.models import Region
from tests.factories import EnterpriseFactory, district, region


def street(code: str = "370902001000", name: str = "财源街道", parent: Region | None = None) -> Region:
    return region(code, name, RegionLevel.STREET, parent or district())


class CompleteEnterpriseFactory(EnterpriseFactory):
    address = factory.Sequence(lambda n: f"泰山区测试路{n}号")
    legal_representative = "张三"


class SurveyCampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyCampaign

    name = factory.Sequence(lambda n: f"拉网式排查{n}")
    region = factory.LazyFunction(district)
    starts_on = dt.date(2026, 3, 1)
    deadline = dt.date(2026, 9, 30)
    is_current = True


class SurveyVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyVisit

    campaign = factory.SubFactory(SurveyCampaignFactory)
    enterprise = factory.SubFactory(CompleteEnterpriseFactory)
    visited_on = dt.date(2026, 4, 1)
