"""第一书记, 培训, 工作津贴 (instructors/services.py): each rule with its Chinese message, every
related record in the user's region, the capability, and end / correct instead of delete."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from instructors import services
from instructors.choices import TrainingAudience
from instructors.models import FirstSecretaryAppointment, Stipend, Training
from portal.choices import Role
from portal.models import AuditEvent
from tests.factories import InstructorFactory, PartyOrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

START = dt.date(2024, 3, 1)


@pytest.fixture
def org(taishan):
    return PartyOrganizationFactory(name="泰山科技党支部", region=taishan, established_on=dt.date(2020, 7, 1))


@pytest.fixture
def instructor(taishan):
    return InstructorFactory(name="王指导", region=taishan)


@pytest.fixture
def commerce(taishan):
    return UserFactory(username="taishan_commerce", role=Role.COMMERCE_STAFF, jurisdiction=taishan)


def _message(exc, field: str) -> list[str]:
    return exc.value.message_dict[field]


# --- 第一书记 ------------------------------------------------------------------------------------------


def test_a_first_secretary_is_appointed_with_the_phone_encrypted_at_rest(staff, org):
    appointment = services.first_secretary_create(
        organization=org, name=" 李书记 ", employer="区商务局", phone="13800001111", start_on=START, acting_user=staff
    )
    assert appointment.name == "李书记"
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM instructors_firstsecretaryappointment WHERE id = %s", [appointment.pk])
        stored = cursor.fetchone()[0]
    assert "13800001111" not in stored
    appointment.refresh_from_db()
    assert appointment.phone == "13800001111"
    event = AuditEvent.objects.get(
        table_name="instructors_firstsecretaryappointment", object_id=str(appointment.pk), action="I"
    )
    assert event.actor_id == staff.pk


def test_a_first_secretary_update_without_a_phone_keeps_the_stored_number(staff, org):
    appointment = services.first_secretary_create(
        organization=org, name="李书记", phone="13800001111", start_on=START, acting_user=staff
    )
    services.first_secretary_update(
        appointment=appointment, organization=org, name="李书记", start_on=START, phone=None, acting_user=staff
    )
    appointment.refresh_from_db()
    assert appointment.phone == "13800001111"


def test_a_first_secretary_phone_must_be_a_phone_number(staff, org):
    with pytest.raises(ValidationError) as exc:
        services.first_secretary_create(organization=org, name="李书记", phone="12", start_on=START, acting_user=staff)
    assert "phone" in exc.value.message_dict


def test_a_first_secretary_starts_within_the_organization_and_not_in_the_future(staff, org):
    with pytest.raises(ValidationError) as exc:
        services.first_secretary_create(
            organization=org, name="李书记", start_on=dt.date(2019, 1, 1), acting_user=staff
        )
    assert _message(exc, "start_on") == ["任职开始日期不能早于党组织成立日期（2020-07-01）"]
    with pytest.raises(ValidationError) as exc:
        services.first_secretary_create(
            organization=org, name="李书记", start_on=timezone.localdate() + dt.timedelta(days=1), acting_user=staff
        )
    assert _message(exc, "start_on") == ["任职开始日期不能晚于今天"]
    with pytest.raises(ValidationError) as exc:
        services.first_secretary_create(
            organization=org, name="李书记", start_on=START, end_on=dt.date(2024, 1, 1), acting_user=staff
        )
    assert _message(exc, "end_on") == ["任职结束日期不能早于开始日期"]


def test_a_first_secretary_is_ended_with_a_date_and_kept(staff, org):
    appointment = services.first_secretary_create(organization=org, name="李书记", start_on=START, acting_user=staff)
    with pytest.raises(ValidationError) as exc:
        services.first_secretary_end(appointment=appointment, ended_on=dt.date(2024, 1, 1), acting_user=staff)
    assert _message(exc, "ended_on") == ["离任日期不能早于任职开始日期"]
    services.first_secretary_end(
        appointment=appointment, ended_on=dt.date(2025, 3, 1), reason="期满", acting_user=staff
    )
    appointment.refresh_from_db()
    assert appointment.end_on == dt.date(2025, 3, 1) and appointment.end_reason == "期满"
    with pytest.raises(ValidationError) as exc:
        services.first_secretary_end(appointment=appointment, ended_on=dt.date(2025, 4, 1), acting_user=staff)
    assert _message(exc, "ended_on") == ["该第一书记已于 2025-03-01 离任"]
    assert FirstSecretaryAppointment.objects.count() == 1


def test_another_districts_staff_cannot_appoint_to_or_end_in_an_organization_outside_their_region(staff, outsider, org):
    with pytest.raises(ValidationError) as exc:
        services.first_secretary_create(organization=org, name="李书记", start_on=START, acting_user=outsider)
    assert _message(exc, "organization") == ["所选记录不存在或不在您的管辖区域内"]
    appointment = services.first_secretary_create(organization=org, name="李书记", start_on=START, acting_user=staff)
    with pytest.raises(PermissionDenied, match="该第一书记任职记录不在您的管辖区域内"):
        services.first_secretary_end(appointment=appointment, ended_on=START, acting_user=outsider)


def test_commerce_staff_may_not_appoint_train_or_pay(commerce, org, instructor, taishan):
    with pytest.raises(PermissionDenied, match="您的角色无权维护指导员工作记录"):
        services.first_secretary_create(organization=org, name="李书记", start_on=START, acting_user=commerce)
    with pytest.raises(PermissionDenied, match="您的角色无权维护指导员工作记录"):
        services.training_create(
            title="培训", audience=TrainingAudience.SECRETARY, region=taishan, held_on=START, hours=Decimal("4"),
            participant_count=10, acting_user=commerce,
        )  # fmt: skip
    with pytest.raises(PermissionDenied, match="您的角色无权维护指导员工作记录"):
        services.stipend_create(instructor=instructor, year=2024, month=5, amount=Decimal("500"), acting_user=commerce)


# --- 培训 --------------------------------------------------------------------------------------------


def _training(user, region, **extra):
    fields = {
        "title": "党建指导员业务培训",
        "audience": TrainingAudience.INSTRUCTOR,
        "region": region,
        "held_on": START,
        "hours": Decimal("4.5"),
        "acting_user": user,
    }
    return services.training_create(**(fields | extra))


def test_an_instructor_training_counts_the_instructors_picked(staff, taishan, instructor):
    other = InstructorFactory(region=taishan)
    training = _training(staff, taishan, instructors=[instructor, other])
    assert training.participant_count == 2
    assert set(training.instructors.all()) == {instructor, other}


def test_training_rules_each_with_their_message(staff, taishan, instructor):
    cases = [
        ({"hours": Decimal("0")}, "hours", "学时应大于 0"),
        ({"participant_count": 0}, "participant_count", "参训人数应大于 0"),
        (
            {"held_on": timezone.localdate() + dt.timedelta(days=1), "participant_count": 5},
            "held_on",
            "培训日期不能晚于今天",
        ),
        (
            {"audience": TrainingAudience.INVESTOR, "instructors": [instructor]},
            "instructors",
            "仅培训对象为党建工作指导员时可选择参训指导员",
        ),
        (
            {"instructors": [instructor, InstructorFactory(region=taishan)], "participant_count": 1},
            "participant_count",
            "参训人数不能少于所选参训指导员人数（2人）",
        ),
    ]
    for extra, field, message in cases:
        with pytest.raises(ValidationError) as exc:
            _training(staff, taishan, **extra)
        assert _message(exc, field) == [message], extra
    assert not Training.objects.exists()


def test_a_training_cannot_be_held_in_or_list_instructors_of_another_district(staff, outsider, taishan, daiyue):
    foreign = InstructorFactory(region=daiyue)
    with pytest.raises(ValidationError) as exc:
        _training(staff, daiyue, participant_count=5)
    assert _message(exc, "region") == ["所选记录不存在或不在您的管辖区域内"]
    with pytest.raises(ValidationError) as exc:
        _training(staff, taishan, instructors=[foreign])
    assert _message(exc, "instructors") == ["所选记录不存在或不在您的管辖区域内"]
    training = _training(staff, taishan, participant_count=5)
    with pytest.raises(PermissionDenied, match="该培训记录不在您的管辖区域内"):
        services.training_update(
            training=training, title="改", audience=TrainingAudience.SECRETARY, region=daiyue, held_on=START,
            hours=Decimal("1"), participant_count=5, acting_user=outsider,
        )  # fmt: skip


# --- 工作津贴 ------------------------------------------------------------------------------------------


def test_a_stipend_is_positive_with_two_decimals_once_a_month(staff, instructor):
    stipend = services.stipend_create(
        instructor=instructor,
        year=2024,
        month=5,
        amount=Decimal("800.50"),
        paid_on=dt.date(2024, 6, 5),
        acting_user=staff,
    )
    assert stipend.period == "2024-05"
    cases = [
        ({"month": 6, "amount": Decimal("0")}, "amount", "金额应大于 0"),
        ({"month": 6, "amount": Decimal("-5")}, "amount", "金额应大于 0"),
        ({"month": 13}, "month", "月份应为 1–12"),
        ({"month": 6, "paid_on": dt.date(2024, 5, 31)}, "paid_on", "发放日期不能早于津贴所属月份"),
        ({"month": 6, "paid_on": timezone.localdate() + dt.timedelta(days=1)}, "paid_on", "发放日期不能晚于今天"),
    ]
    for extra, field, message in cases:
        fields = {"instructor": instructor, "year": 2024, "amount": Decimal("800"), "acting_user": staff} | extra
        with pytest.raises(ValidationError) as exc:
            services.stipend_create(**fields)
        assert message in _message(exc, field), extra
    with pytest.raises(ValidationError) as exc:
        services.stipend_create(instructor=instructor, year=2024, month=6, amount=Decimal("1.234"), acting_user=staff)
    assert "amount" in exc.value.message_dict
    with pytest.raises(ValidationError, match="该指导员本月津贴已登记"):
        services.stipend_create(instructor=instructor, year=2024, month=5, amount=Decimal("100"), acting_user=staff)
    assert Stipend.objects.count() == 1


def test_a_stipend_of_another_districts_instructor_is_refused(staff, outsider, instructor, daiyue):
    with pytest.raises(ValidationError) as exc:
        services.stipend_create(instructor=instructor, year=2024, month=5, amount=Decimal("500"), acting_user=outsider)
    assert _message(exc, "instructor") == ["所选记录不存在或不在您的管辖区域内"]
    stipend = services.stipend_create(
        instructor=instructor, year=2024, month=5, amount=Decimal("500"), acting_user=staff
    )
    with pytest.raises(ValidationError) as exc:
        services.stipend_update(
            stipend=stipend, instructor=InstructorFactory(region=daiyue), year=2024, month=5, amount=Decimal("500"),
            acting_user=staff,
        )  # fmt: skip
    assert _message(exc, "instructor") == ["所选记录不存在或不在您的管辖区域内"]
    with pytest.raises(PermissionDenied, match="该津贴记录不在您的管辖区域内"):
        services.stipend_update(
            stipend=stipend, instructor=instructor, year=2024, month=5, amount=Decimal("600"), acting_user=outsider
        )
