"""The write services of the instructors workspace: instructors created, edited and ended (never
deleted); 派驻 to enterprises without members, all or nothing; an assignment ended changes today's
work coverage but not a snapshot taken before; the capability and the region checks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessments import snapshots
from assessments.choices import Dimension
from assessments.models import LedgerRow
from assessments.rules import annotate_ledger, filter_figure
from enterprises.models import Enterprise
from instructors import services
from instructors.choices import InstructorSource
from instructors.models import Assignment, Instructor
from organizations.choices import MemberStatus
from portal.choices import Role
from portal.forms import OUT_OF_SCOPE
from portal.models import AuditEvent
from tests.factories import (
    AssignmentFactory,
    EnterpriseFactory,
    InstructorFactory,
    PartyMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def commerce(taishan):
    return UserFactory(username="taishan_commerce", role=Role.COMMERCE_STAFF, jurisdiction=taishan)


def _messages(exc, field: str) -> list[str]:
    return exc.value.message_dict[field]


def _work_covered(enterprise: Enterprise, day: dt.date) -> bool:
    return filter_figure(Enterprise.objects.filter(pk=enterprise.pk), "work_covered", day).exists()


# --- instructors -------------------------------------------------------------------------------


def test_district_staff_add_an_instructor_with_an_encrypted_phone_and_the_change_is_attributed(staff, taishan):
    instructor = services.instructor_create(
        name=" 王强 ",
        source=InstructorSource.COMMERCE_CADRE,
        dual_duty=True,
        employer="泰山区市场监管局科员",
        region=taishan,
        phone="13912345678",
        acting_user=staff,
    )
    assert instructor.name == "王强"
    assert Instructor.objects.get(phone_digest=instructor.phone_digest).pk == instructor.pk
    event = AuditEvent.objects.get(table_name="instructors_instructor", object_id=str(instructor.pk), action="I")
    assert event.actor_id == staff.pk


def test_dual_duty_needs_the_post_and_a_bad_phone_is_refused(staff, taishan):
    with pytest.raises(ValidationError) as exc:
        services.instructor_create(
            name="李明", source=InstructorSource.OTHER, dual_duty=True, region=taishan, acting_user=staff
        )
    assert _messages(exc, "employer") == ["一岗双责的指导员请填写所在单位及职务"]
    with pytest.raises(ValidationError) as exc:
        services.instructor_create(
            name="李明", source=InstructorSource.OTHER, region=taishan, phone="12345", acting_user=staff
        )
    assert _messages(exc, "phone") == ["电话号码格式不正确（手机 11 位，或区号-号码）"]


def test_an_instructor_cannot_be_put_in_another_district(staff, daiyue):
    with pytest.raises(ValidationError) as exc:
        services.instructor_create(name="赵六", source=InstructorSource.OTHER, region=daiyue, acting_user=staff)
    assert _messages(exc, "region") == ["所选区域不在您的管辖范围内"]


def test_editing_with_a_blank_phone_keeps_the_stored_phone(staff, taishan):
    instructor = InstructorFactory(region=taishan, phone="13912345678")
    services.instructor_update(
        instructor=instructor, name="王强", source=InstructorSource.VETERAN, region=taishan, phone="", acting_user=staff
    )
    instructor.refresh_from_db()
    assert instructor.phone == "13912345678" and instructor.source == InstructorSource.VETERAN


def test_ending_an_instructor_keeps_the_row_and_ends_their_active_assignments(staff, taishan):
    today = timezone.localdate()
    instructor = InstructorFactory(region=taishan)
    enterprise = EnterpriseFactory(region=taishan)
    AssignmentFactory(instructor=instructor, enterprise=enterprise, start_on=today - dt.timedelta(days=30))
    assert _work_covered(enterprise, today)
    services.instructor_end(instructor=instructor, ended_on=today, reason="调离", acting_user=staff)
    instructor.refresh_from_db()
    assert instructor.ended_on == today and instructor.end_reason == "调离"
    assert Assignment.objects.get().end_on == today - dt.timedelta(days=1)
    assert not _work_covered(enterprise, today)
    with pytest.raises(ValidationError) as exc:
        services.instructor_end(instructor=instructor, ended_on=today, acting_user=staff)
    assert _messages(exc, "ended_on") == [f"该指导员已于 {today:%Y-%m-%d} 结束工作"]


def test_commerce_staff_may_not_maintain_instructors_nor_dispatch(commerce, taishan):
    instructor = InstructorFactory(region=taishan)
    with pytest.raises(PermissionDenied, match="您的角色无权维护党建工作指导员"):
        services.instructor_create(name="王强", source=InstructorSource.OTHER, region=taishan, acting_user=commerce)
    with pytest.raises(PermissionDenied, match="您的角色无权派驻或结束派驻指导员"):
        services.assignment_dispatch(
            instructor=instructor,
            enterprises=[EnterpriseFactory(region=taishan)],
            start_on=timezone.localdate(),
            acting_user=commerce,
        )


def test_another_districts_staff_cannot_edit_or_end_an_instructor_nor_an_assignment(outsider, taishan):
    instructor = InstructorFactory(region=taishan)
    assignment = AssignmentFactory(instructor=instructor, enterprise=EnterpriseFactory(region=taishan))
    with pytest.raises(PermissionDenied, match="该指导员不在您的管辖区域内"):
        services.instructor_update(
            instructor=instructor, name="改名", source=InstructorSource.OTHER, region=taishan, acting_user=outsider
        )
    with pytest.raises(PermissionDenied, match="该指导员不在您的管辖区域内"):
        services.instructor_end(instructor=instructor, ended_on=timezone.localdate(), acting_user=outsider)
    with pytest.raises(PermissionDenied, match="该派驻不在您的管辖区域内"):
        services.assignment_end(assignment=assignment, ended_on=timezone.localdate(), acting_user=outsider)
    assignment.refresh_from_db()
    assert assignment.end_on is None


# --- dispatch ----------------------------------------------------------------------------------


def test_dispatch_to_an_enterprise_with_members_is_refused_with_the_reason_naming_it(staff, taishan):
    enterprise = EnterpriseFactory(region=taishan, name="泰安有党员有限公司")
    PartyMemberFactory(workplace=enterprise, region=taishan)
    PartyMemberFactory(workplace=enterprise, region=taishan, status=MemberStatus.PROBATIONARY)
    with pytest.raises(ValidationError) as exc:
        services.assignment_dispatch(
            instructor=InstructorFactory(region=taishan),
            enterprises=[enterprise],
            start_on=timezone.localdate(),
            acting_user=staff,
        )
    assert _messages(exc, "enterprise") == [
        "“泰安有党员有限公司”已有党员（2名），应组建党组织或纳入联合党组织，不派驻指导员"
    ]
    assert not Assignment.objects.exists()


def test_one_instructor_is_dispatched_to_several_enterprises_at_once_and_they_are_work_covered(staff, taishan):
    today = timezone.localdate()
    instructor = InstructorFactory(region=taishan)
    first, second = EnterpriseFactory(region=taishan), EnterpriseFactory(region=taishan)
    assert filter_figure(Enterprise.objects.all(), "no_members_no_instructor", today).count() == 2
    assignments = services.assignment_dispatch(
        instructor=instructor, enterprises=[first, second], start_on=today, acting_user=staff
    )
    assert {a.enterprise_id for a in assignments} == {first.pk, second.pk}
    assert _work_covered(first, today) and _work_covered(second, today)
    assert not filter_figure(Enterprise.objects.all(), "no_members_no_instructor", today).exists()
    assert services.instructor_loads(Instructor.objects.filter(pk=instructor.pk)).get().load == 2


def test_one_bad_enterprise_refuses_the_whole_dispatch_with_every_reason(staff, taishan):
    today = timezone.localdate()
    instructor = InstructorFactory(region=taishan)
    good = EnterpriseFactory(region=taishan)
    with_members = EnterpriseFactory(region=taishan, name="泰安甲有限公司")
    PartyMemberFactory(workplace=with_members, region=taishan)
    served = EnterpriseFactory(region=taishan, name="泰安乙有限公司")
    AssignmentFactory(instructor=instructor, enterprise=served, start_on=today - dt.timedelta(days=10))
    with pytest.raises(ValidationError) as exc:
        services.assignment_dispatch(
            instructor=instructor, enterprises=[good, with_members, served], start_on=today, acting_user=staff
        )
    assert _messages(exc, "enterprise") == [
        "“泰安甲有限公司”已有党员（1名），应组建党组织或纳入联合党组织，不派驻指导员",
        f"“泰安乙有限公司”已由指导员“{instructor.name}”派驻联系，不能重复派驻",
    ]
    assert Assignment.objects.count() == 1  # only the earlier one: nothing of this dispatch
    assert not _work_covered(good, today)


def test_another_instructor_may_serve_an_enterprise_already_served(staff, taishan):
    enterprise = EnterpriseFactory(region=taishan)
    AssignmentFactory(enterprise=enterprise, instructor=InstructorFactory(region=taishan))
    services.assignment_dispatch(
        instructor=InstructorFactory(region=taishan),
        enterprises=[enterprise],
        start_on=timezone.localdate(),
        acting_user=staff,
    )
    assert enterprise.assignments.count() == 2


def test_an_enterprise_or_an_instructor_of_another_district_is_out_of_scope(staff, taishan, daiyue):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.assignment_dispatch(
            instructor=InstructorFactory(region=taishan),
            enterprises=[EnterpriseFactory(region=daiyue)],
            start_on=today,
            acting_user=staff,
        )
    assert _messages(exc, "enterprise") == [OUT_OF_SCOPE]
    with pytest.raises(ValidationError) as exc:
        services.assignment_dispatch(
            instructor=InstructorFactory(region=daiyue),
            enterprises=[EnterpriseFactory(region=taishan)],
            start_on=today,
            acting_user=staff,
        )
    assert _messages(exc, "instructor") == [OUT_OF_SCOPE]
    assert not Assignment.objects.exists()


def test_an_ended_instructor_is_not_dispatched_and_the_end_may_not_precede_the_start(staff, taishan):
    today = timezone.localdate()
    gone = InstructorFactory(region=taishan, ended_on=today - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        services.assignment_dispatch(
            instructor=gone, enterprises=[EnterpriseFactory(region=taishan)], start_on=today, acting_user=staff
        )
    assert "结束工作，不能再派驻" in _messages(exc, "instructor")[0]
    with pytest.raises(ValidationError) as exc:
        services.assignment_dispatch(
            instructor=InstructorFactory(region=taishan),
            enterprises=[EnterpriseFactory(region=taishan)],
            start_on=today,
            end_on=today - dt.timedelta(days=1),
            acting_user=staff,
        )
    assert _messages(exc, "end_on") == ["派驻结束日期不能早于开始日期"]


# --- ending an assignment ----------------------------------------------------------------------


def test_ending_an_assignment_changes_todays_work_coverage_but_not_a_snapshot_taken_before(staff, taishan):
    today = timezone.localdate()
    enterprise = EnterpriseFactory(region=taishan)
    assignment = AssignmentFactory(
        instructor=InstructorFactory(region=taishan), enterprise=enterprise, start_on=today - dt.timedelta(days=60)
    )
    before = snapshots.take_snapshot(as_of=today, reason="结束派驻之前")
    row = LedgerRow.objects.get(snapshot=before, dimension=Dimension.REGION, region=taishan)
    assert row.work_covered == 1 and row.work_by_instructor == 1

    services.assignment_end(assignment=assignment, ended_on=today, reason="企业已发展党员", acting_user=staff)

    assignment.refresh_from_db()
    assert assignment.end_on == today - dt.timedelta(days=1) and assignment.end_reason == "企业已发展党员"
    assert not _work_covered(enterprise, today)
    assert _work_covered(enterprise, today - dt.timedelta(days=1))  # it served until yesterday
    live = annotate_ledger(Enterprise.objects.filter(pk=enterprise.pk), today).get()
    assert live.active_instructors == 0
    row.refresh_from_db()
    assert row.work_covered == 1 and row.work_by_instructor == 1  # the snapshot keeps its figure


def test_an_assignment_is_ended_once_not_in_the_future_and_after_its_start(staff, taishan):
    today = timezone.localdate()
    assignment = AssignmentFactory(
        instructor=InstructorFactory(region=taishan),
        enterprise=EnterpriseFactory(region=taishan),
        start_on=today - dt.timedelta(days=5),
    )
    with pytest.raises(ValidationError) as exc:
        services.assignment_end(assignment=assignment, ended_on=today + dt.timedelta(days=1), acting_user=staff)
    assert _messages(exc, "ended_on") == ["结束日期不能晚于今天"]
    with pytest.raises(ValidationError) as exc:
        services.assignment_end(assignment=assignment, ended_on=assignment.start_on, acting_user=staff)
    assert _messages(exc, "ended_on") == [f"结束日期应晚于派驻开始日期（{assignment.start_on:%Y-%m-%d}）"]
    services.assignment_end(assignment=assignment, ended_on=today - dt.timedelta(days=2), acting_user=staff)
    with pytest.raises(ValidationError) as exc:
        services.assignment_end(assignment=assignment, ended_on=today, acting_user=staff)
    assert _messages(exc, "ended_on") == [f"该派驻已于 {today - dt.timedelta(days=3):%Y-%m-%d} 结束"]
