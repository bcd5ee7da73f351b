"""记录组织生活 and 创先争优制度 (organizations/services.py): each rule with its Chinese message,
the region of every related record, the capability, and that nothing is deleted (void / retire)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from organizations import services
from organizations.choices import OrgLifeKind
from organizations.models import ExcellenceSystem, OrgLifeRecord
from portal.choices import Role
from portal.models import AuditEvent
from tests.factories import PartyMemberFactory, PartyOrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

HELD = dt.date(2025, 6, 28)


@pytest.fixture
def org(taishan):
    return PartyOrganizationFactory(name="泰山科技党支部", region=taishan, established_on=dt.date(2020, 7, 1))


@pytest.fixture
def members(org, taishan):
    own = [PartyMemberFactory(name=f"党员{i}", organization=org, region=taishan) for i in range(3)]
    guest = PartyMemberFactory(name="参加者", region=taishan)
    guest.participates_in.add(org)
    return [*own, guest]


def _life(org, user, **extra):
    fields = {
        "organization": org,
        "kind": OrgLifeKind.PARTY_LESSON,
        "held_on": HELD,
        "topic": "学习党章",
        "acting_user": user,
    }
    return services.life_record_create(**(fields | extra))


def _message(exc, field: str) -> list[str]:
    return exc.value.message_dict[field]


def test_a_party_lesson_with_attendees_counts_them_and_is_attributed(staff, org, members):
    record = _life(org, staff, attendees=members[:2], expected_count=4, notes=" 讲党课 ")
    assert record.attendance == 2 and record.expected_count == 4 and record.notes == "讲党课"
    assert set(record.attendees.all()) == set(members[:2])
    event = AuditEvent.objects.get(table_name="organizations_orgliferecord", object_id=str(record.pk), action="I")
    assert event.actor_id == staff.pk


def test_a_member_who_participates_there_may_attend(staff, org, members):
    record = _life(org, staff, attendees=[members[3]])
    assert list(record.attendees.all()) == [members[3]]


def test_the_date_may_not_be_in_the_future(staff, org, members):
    with pytest.raises(ValidationError) as exc:
        _life(org, staff, attendance=2, held_on=timezone.localdate() + dt.timedelta(days=1))
    assert _message(exc, "held_on") == ["日期不能晚于今天"]


def test_the_date_may_not_precede_the_organization(staff, org, members):
    with pytest.raises(ValidationError) as exc:
        _life(org, staff, attendance=2, held_on=dt.date(2020, 6, 30))
    assert _message(exc, "held_on") == ["日期不能早于党组织成立日期（2020-07-01）"]


def test_the_date_may_not_follow_the_dissolution(staff, org, members):
    org.dissolved_on = dt.date(2024, 12, 31)
    org.save()
    with pytest.raises(ValidationError) as exc:
        _life(org, staff, attendance=2, held_on=dt.date(2025, 1, 5))
    assert _message(exc, "held_on") == ["日期不能晚于党组织撤销日期（2024-12-31）"]


def test_attendance_may_not_exceed_the_members(staff, org, members):
    with pytest.raises(ValidationError) as exc:
        _life(org, staff, attendance=5)
    assert _message(exc, "attendance") == ["实到人数不能超过本党组织党员人数（4人）"]


def test_attendance_may_not_exceed_the_expected(staff, org, members):
    with pytest.raises(ValidationError) as exc:
        _life(org, staff, attendance=3, expected_count=2)
    assert _message(exc, "attendance") == ["实到人数不能超过应到人数"]


def test_attendance_may_not_be_below_the_attendees_picked(staff, org, members):
    with pytest.raises(ValidationError) as exc:
        _life(org, staff, attendees=members[:3], attendance=2)
    assert _message(exc, "attendance") == ["实到人数不能少于所选参加党员人数（3人）"]


def test_nobody_attending_is_refused(staff, org, members):
    with pytest.raises(ValidationError) as exc:
        _life(org, staff)
    assert _message(exc, "attendance") == ["请选择参加党员或填写实到人数"]


def test_an_attendee_of_another_organization_is_refused(staff, org, members, taishan):
    stranger = PartyMemberFactory(region=taishan, organization=PartyOrganizationFactory(region=taishan))
    with pytest.raises(ValidationError) as exc:
        _life(org, staff, attendees=[stranger])
    assert _message(exc, "attendees") == ["所选党员不在本党组织参加组织生活"]


def test_another_districts_staff_cannot_record_life_of_an_organization_outside_their_region(outsider, org, members):
    with pytest.raises(ValidationError) as exc:
        _life(org, outsider, attendance=2)
    assert _message(exc, "organization") == ["所选记录不存在或不在您的管辖区域内"]
    assert not OrgLifeRecord.objects.exists()


def test_an_attendee_of_another_district_is_out_of_scope(staff, org, members, daiyue):
    foreign = PartyMemberFactory(region=daiyue)
    foreign.participates_in.add(org)
    with pytest.raises(ValidationError) as exc:
        _life(org, staff, attendees=[foreign])
    assert _message(exc, "attendees") == ["所选记录不存在或不在您的管辖区域内"]


def test_commerce_staff_may_not_record_life(taishan, org, members):
    commerce = UserFactory(username="taishan_commerce", role=Role.COMMERCE_STAFF, jurisdiction=taishan)
    with pytest.raises(PermissionDenied, match="您的角色无权维护组织生活记录"):
        _life(org, commerce, attendance=2)


def test_a_record_is_corrected_then_voided_never_deleted(staff, outsider, org, members):
    record = _life(org, staff, attendees=members[:2])
    services.life_record_update(
        record=record,
        kind=OrgLifeKind.THEME_DAY,
        held_on=HELD,
        topic="主题党日",
        attendees=members[:3],
        acting_user=staff,
    )
    record.refresh_from_db()
    assert record.kind == OrgLifeKind.THEME_DAY and record.attendance == 3
    with pytest.raises(PermissionDenied, match="该组织生活记录不在您的管辖区域内"):
        services.life_record_void(record=record, voided_on=HELD, reason="重复录入", acting_user=outsider)
    with pytest.raises(ValidationError) as exc:
        services.life_record_void(record=record, voided_on=HELD, reason=" ", acting_user=staff)
    assert _message(exc, "reason") == ["请填写作废原因"]
    services.life_record_void(record=record, voided_on=HELD, reason="重复录入", acting_user=staff)
    record.refresh_from_db()
    assert record.voided_on == HELD and record.void_reason == "重复录入"
    with pytest.raises(ValidationError, match="已于 2025-06-28 作废，不能修改"):
        services.life_record_update(
            record=record, kind=OrgLifeKind.THEME_DAY, held_on=HELD, topic="x", attendance=1, acting_user=staff
        )


# --- 创先争优制度 ------------------------------------------------------------------------------------


def test_an_organization_keeps_at_least_one_excellence_system(staff, org):
    first = services.excellence_system_create(
        organization=org, name="党员先锋岗制度", adopted_on=dt.date(2024, 3, 1), acting_user=staff
    )
    with pytest.raises(ValidationError) as exc:
        services.excellence_system_end(system=first, ended_on=dt.date(2025, 1, 1), acting_user=staff)
    assert _message(exc, "ended_on") == ["每个党组织至少保留一项在执行的创先争优制度，请先新增新制度再停止此项"]
    services.excellence_system_create(
        organization=org, name="承诺践诺制度", adopted_on=dt.date(2025, 1, 1), acting_user=staff
    )
    services.excellence_system_end(system=first, ended_on=dt.date(2025, 1, 1), reason="合并", acting_user=staff)
    first.refresh_from_db()
    assert first.ended_on == dt.date(2025, 1, 1) and first.end_reason == "合并"
    assert ExcellenceSystem.objects.filter(organization=org).count() == 2


def test_an_excellence_system_is_dated_within_the_organization_and_retired_after_adoption(staff, org):
    with pytest.raises(ValidationError) as exc:
        services.excellence_system_create(
            organization=org, name="制度", adopted_on=dt.date(2019, 1, 1), acting_user=staff
        )
    assert _message(exc, "adopted_on") == ["建立日期不能早于党组织成立日期（2020-07-01）"]
    system = services.excellence_system_create(
        organization=org, name="制度", adopted_on=dt.date(2024, 3, 1), acting_user=staff
    )
    services.excellence_system_create(
        organization=org, name="新制度", adopted_on=dt.date(2024, 3, 1), acting_user=staff
    )
    with pytest.raises(ValidationError, match="停止执行日期不能早于建立日期"):
        services.excellence_system_end(system=system, ended_on=dt.date(2024, 1, 1), acting_user=staff)


def test_another_districts_staff_cannot_add_edit_or_retire_a_system(staff, outsider, org, taishan):
    with pytest.raises(ValidationError) as exc:
        services.excellence_system_create(organization=org, name="制度", adopted_on=HELD, acting_user=outsider)
    assert _message(exc, "organization") == ["所选记录不存在或不在您的管辖区域内"]
    system = services.excellence_system_create(organization=org, name="制度", adopted_on=HELD, acting_user=staff)
    with pytest.raises(PermissionDenied, match="该创先争优制度不在您的管辖区域内"):
        services.excellence_system_update(system=system, name="改", adopted_on=HELD, acting_user=outsider)
    commerce = UserFactory(username="taishan_commerce", role=Role.COMMERCE_STAFF, jurisdiction=taishan)
    with pytest.raises(PermissionDenied, match="您的角色无权维护创先争优制度"):
        services.excellence_system_update(system=system, name="改", adopted_on=HELD, acting_user=commerce)
