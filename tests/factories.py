"""factory_boy factories shared by every test module. Regions are built as a small real tree:
泰安市 (370900) with 泰山区 (370902) and 岱岳区 (370911), so "another district" is always at hand."""

from __future__ import annotations

import datetime as dt
import itertools

import factory
from django.contrib.auth import get_user_model

from enterprises.choices import CarrierKind, EnterpriseKind, RegistrationStatus
from enterprises.models import Carrier, Enterprise
from instructors.choices import InstructorSource
from instructors.models import Assignment, Instructor
from organizations.choices import Formation, MemberStatus, OrgLevel
from organizations.models import PartyMember, PartyOrganization
from portal.choices import RegionLevel, Role
from portal.models import Region
from portal.validators import credit_code_check_char

_serial = itertools.count(1)


def make_credit_code(serial: int | None = None, *, prefix: str = "91", region: str = "370902") -> str:
    """A valid GB 32100 credit code (correct check character) for a serial number."""
    n = next(_serial) if serial is None else serial
    body = f"{prefix}{region}{n:09d}"
    body = body[:17]
    return body + credit_code_check_char(body)


def region(code: str, name: str, level: str, parent: Region | None = None) -> Region:
    obj, _ = Region.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent": parent})
    return obj


def city() -> Region:
    return region("370900", "泰安市", RegionLevel.CITY)


def district(code: str = "370902", name: str = "泰山区") -> Region:
    return region(code, name, RegionLevel.DISTRICT, city())


def other_district() -> Region:
    return district("370911", "岱岳区")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.DISTRICT_STAFF
    jurisdiction = factory.LazyFunction(district)
    password = factory.django.Password("Portal-test-2026!")


class CarrierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Carrier

    name = factory.Sequence(lambda n: f"测试园区{n}")
    kind = CarrierKind.PARK
    region = factory.LazyFunction(district)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    credit_code = factory.LazyFunction(make_credit_code)
    name = factory.Sequence(lambda n: f"泰安测试企业{n}有限公司")
    kind = EnterpriseKind.LIMITED_COMPANY
    industry = "C"
    region = factory.LazyFunction(district)
    employee_count = 10
    registration_status = RegistrationStatus.EXISTING
    registered_on = dt.date(2018, 5, 1)


class PartyOrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyOrganization
        skip_postgeneration_save = True  # the hook only adds covered enterprises (M2M)

    name = factory.Sequence(lambda n: f"测试党支部{n}")
    level = OrgLevel.BRANCH
    formation = Formation.STANDALONE
    region = factory.LazyFunction(district)
    established_on = dt.date(2020, 7, 1)

    @factory.post_generation
    def covered(self, create, extracted, **kwargs):
        if create and extracted:
            self.covered_enterprises.add(*extracted)


class PartyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyMember

    name = factory.Sequence(lambda n: f"党员{n}")
    gender = "M"
    birth_date = dt.date(1985, 3, 1)
    education = "BACHELOR"
    status = MemberStatus.FULL
    joined_on = dt.date(2010, 7, 1)
    region = factory.LazyFunction(district)


class InstructorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instructor

    name = factory.Sequence(lambda n: f"指导员{n}")
    source = InstructorSource.GOVERNMENT_CADRE
    region = factory.LazyFunction(district)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    instructor = factory.SubFactory(InstructorFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    start_on = dt.date(2024, 1, 1)
