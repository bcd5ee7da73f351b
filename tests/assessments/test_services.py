"""The ledger period services check the capability themselves (a form, the API and a command get
the same answer) and attribute their changes to the acting user, whatever interface called them."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from assessments import services
from assessments.choices import PeriodStatus
from assessments.models import LedgerPeriod
from portal.choices import AuditVia, Role
from portal.models import AuditEvent
from tests.assessments.world import AS_OF, build_world
from tests.factories import UserFactory, city

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def world(taishan, daiyue):
    return build_world()  # a district whose ledger checks out, so a period can be checked and submitted


@pytest.fixture
def leader(taishan):
    return UserFactory(username="taishan_leader", role=Role.LEADER, jurisdiction=taishan)


def _period(staff, taishan, *, to: str = PeriodStatus.DRAFT) -> LedgerPeriod:
    period = services.period_create(region=taishan, name="2026年上半年", as_of=AS_OF, acting_user=staff)
    if to in (PeriodStatus.COMPUTED, PeriodStatus.CHECKED, PeriodStatus.SUBMITTED):
        period = services.period_compute(period=period, acting_user=staff)
    if to in (PeriodStatus.CHECKED, PeriodStatus.SUBMITTED):
        period = services.period_check(period=period, acting_user=staff)
    if to == PeriodStatus.SUBMITTED:
        period = services.period_submit(period=period, acting_user=staff)
    return period


def _status(period: LedgerPeriod) -> str:
    return LedgerPeriod.objects.get(pk=period.pk).status


def test_a_leader_cannot_create_a_period_and_nothing_is_stored(leader, taishan):
    with pytest.raises(PermissionDenied, match="无权统计上报台账"):
        services.period_create(region=taishan, name="领导的", as_of=AS_OF, acting_user=leader)
    assert not LedgerPeriod.objects.exists()


def test_a_leader_cannot_compute_a_period(staff, leader, taishan):
    period = _period(staff, taishan)
    with pytest.raises(PermissionDenied, match="无权统计上报台账"):
        services.period_compute(period=period, acting_user=leader)
    assert _status(period) == PeriodStatus.DRAFT


def test_a_leader_cannot_check_a_period(staff, leader, taishan):
    period = _period(staff, taishan, to=PeriodStatus.COMPUTED)
    with pytest.raises(PermissionDenied, match="无权统计上报台账"):
        services.period_check(period=period, acting_user=leader)
    assert _status(period) == PeriodStatus.COMPUTED


def test_a_leader_cannot_submit_a_period(staff, leader, taishan):
    period = _period(staff, taishan, to=PeriodStatus.CHECKED)
    with pytest.raises(PermissionDenied, match="无权统计上报台账"):
        services.period_submit(period=period, acting_user=leader)
    assert _status(period) == PeriodStatus.CHECKED


def test_district_staff_cannot_reopen_a_submitted_period(staff, taishan):
    period = _period(staff, taishan, to=PeriodStatus.SUBMITTED)
    with pytest.raises(PermissionDenied, match="只有市级管理员"):
        services.period_reopen(period=period, reason="数据有误需要更正", acting_user=staff)
    assert _status(period) == PeriodStatus.SUBMITTED


def test_staff_of_another_district_cannot_submit_this_districts_period(staff, taishan, daiyue):
    period = _period(staff, taishan, to=PeriodStatus.CHECKED)
    outsider = UserFactory(username="daiyue_staff", role=Role.DISTRICT_STAFF, jurisdiction=daiyue)
    with pytest.raises(LedgerPeriod.DoesNotExist):
        services.period_submit(period=period, acting_user=outsider)
    assert _status(period) == PeriodStatus.CHECKED


def test_a_period_submitted_from_the_command_is_attributed_to_its_user(staff, taishan):
    period = _period(staff, taishan, to=PeriodStatus.CHECKED)
    out = StringIO()

    call_command("ledger_period", "submit", str(period.pk), "--user", staff.username, stdout=out)

    assert "已上报" in out.getvalue()
    period.refresh_from_db()
    assert (period.status, period.submitted_by) == (PeriodStatus.SUBMITTED, staff)
    event = AuditEvent.objects.get(
        table_name="assessments_ledgerperiod", object_id=str(period.pk), context="period_submit"
    )
    assert (event.actor_id, event.via) == (staff.pk, AuditVia.SYSTEM)
    assert event.changes["status"] == [PeriodStatus.CHECKED, PeriodStatus.SUBMITTED]


def test_the_command_refuses_a_user_without_the_capability_with_the_services_message(staff, leader, taishan):
    period = _period(staff, taishan, to=PeriodStatus.CHECKED)
    with pytest.raises(CommandError, match="无权统计上报台账"):
        call_command("ledger_period", "submit", str(period.pk), "--user", leader.username, stdout=StringIO())
    assert _status(period) == PeriodStatus.CHECKED


def test_a_city_administrator_reopens_from_the_command_with_a_reason(staff, taishan):
    period = _period(staff, taishan, to=PeriodStatus.SUBMITTED)
    admin = UserFactory(username="city_admin", role=Role.CITY_ADMIN, jurisdiction=city())

    call_command(
        "ledger_period",
        "reopen",
        str(period.pk),
        "--user",
        admin.username,
        "--reason",
        "数据有误需要更正",
        stdout=StringIO(),
    )

    period.refresh_from_db()
    assert (period.status, period.reopened_by) == (PeriodStatus.COMPUTED, admin)
    event = AuditEvent.objects.get(
        table_name="assessments_ledgerperiod", object_id=str(period.pk), context="period_reopen"
    )
    assert (event.actor_id, event.via) == (admin.pk, AuditVia.SYSTEM)
