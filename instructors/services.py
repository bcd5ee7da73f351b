"""Writes that carry the rules of the instructors app (STYLE.md: services)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.utils import timezone

from instructors.choices import TrainingAudience
from instructors.models import FirstSecretaryAppointment, Instructor, Stipend, Training
from organizations.models import PartyOrganization
from portal.audit import write_service
from portal.forms import OUT_OF_SCOPE
from portal.models import Region, User
from portal.permissions import Capability
from portal.scoping import region_visible_to

# --- 第一书记, 培训, 工作津贴 (staff workspace, issue 10) ---------------------------------------------
# Every related record (organization, instructor, region) must lie in acting_user's region; the
# records are ended or corrected, never deleted.

RECORDS_REFUSED = "您的角色无权维护指导员工作记录"


def _records_require_visible(record: Model, acting_user: User, message: str) -> None:
    manager: Any = type(record)._default_manager
    if not manager.visible_to(acting_user).filter(pk=record.pk).exists():
        raise PermissionDenied(message)


def _records_require_in_scope(obj: Model | None, acting_user: User, field: str) -> None:
    """A related record picked on the form: ValidationError beside `field` when it is outside."""
    if obj is None:
        return
    if isinstance(obj, Region):
        visible = region_visible_to(acting_user).filter(pk=obj.pk).exists()
    else:
        manager: Any = type(obj)._default_manager
        visible = manager.visible_to(acting_user).filter(pk=obj.pk).exists()
    if not visible:
        raise ValidationError({field: OUT_OF_SCOPE})


def _not_in_future(day: date | None, field: str, label: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: f"{label}不能晚于今天"})


@write_service(Capability.EDIT_PARTY, message=RECORDS_REFUSED)
def first_secretary_create(
    *,
    organization: PartyOrganization,
    name: str,
    start_on: date,
    employer: str = "",
    phone: str = "",
    end_on: date | None = None,
    acting_user: User,
) -> FirstSecretaryAppointment:
    """任命第一书记 to an organization of acting_user's region."""
    _records_require_in_scope(organization, acting_user, "organization")
    appointment = FirstSecretaryAppointment(
        organization=organization,
        name=(name or "").strip(),
        employer=(employer or "").strip(),
        phone=(phone or "").strip(),
        start_on=start_on,
        end_on=end_on,
    )
    appointment.full_clean()
    appointment.save()
    return appointment


@write_service(Capability.EDIT_PARTY, message=RECORDS_REFUSED)
def first_secretary_update(
    *,
    appointment: FirstSecretaryAppointment,
    organization: PartyOrganization,
    name: str,
    start_on: date,
    employer: str = "",
    phone: str | None = None,
    end_on: date | None = None,
    acting_user: User,
) -> FirstSecretaryAppointment:
    """Correct an appointment; `phone=None` keeps the stored number (the form never shows it)."""
    _records_require_visible(appointment, acting_user, "该第一书记任职记录不在您的管辖区域内")
    _records_require_in_scope(organization, acting_user, "organization")
    appointment.organization, appointment.name = organization, (name or "").strip()
    appointment.employer = (employer or "").strip()
    if phone is not None:
        appointment.phone = phone.strip()
    appointment.start_on, appointment.end_on = start_on, end_on
    appointment.full_clean()
    appointment.save()
    return appointment


@write_service(Capability.EDIT_PARTY, message=RECORDS_REFUSED)
def first_secretary_end(
    *, appointment: FirstSecretaryAppointment, ended_on: date, reason: str = "", acting_user: User
) -> FirstSecretaryAppointment:
    """离任: the appointment keeps its dates; never deleted."""
    _records_require_visible(appointment, acting_user, "该第一书记任职记录不在您的管辖区域内")
    if appointment.end_on is not None and appointment.end_on <= timezone.localdate():
        raise ValidationError({"ended_on": f"该第一书记已于 {appointment.end_on:%Y-%m-%d} 离任"})
    if ended_on is None:
        raise ValidationError({"ended_on": "请填写离任日期"})
    _not_in_future(ended_on, "ended_on", "离任日期")
    if ended_on < appointment.start_on:
        raise ValidationError({"ended_on": "离任日期不能早于任职开始日期"})
    appointment.end_on, appointment.end_reason = ended_on, (reason or "").strip()
    appointment.full_clean()
    appointment.save(update_fields=["end_on", "end_reason"])
    return appointment


def _check_training(
    audience: str, region: Region, instructors: list[Instructor], participant_count: int | None, acting_user: User
) -> None:
    _records_require_in_scope(region, acting_user, "region")
    for instructor in instructors:
        _records_require_in_scope(instructor, acting_user, "instructors")
    if instructors and audience != TrainingAudience.INSTRUCTOR:
        raise ValidationError({"instructors": "仅培训对象为党建工作指导员时可选择参训指导员"})
    if participant_count is not None and participant_count < len(instructors):
        raise ValidationError({"participant_count": f"参训人数不能少于所选参训指导员人数（{len(instructors)}人）"})


@write_service(Capability.EDIT_PARTY, message=RECORDS_REFUSED)
def training_create(
    *,
    title: str,
    audience: str,
    region: Region,
    held_on: date,
    hours: Decimal,
    participant_count: int | None = None,
    instructors: Iterable[Instructor] = (),
    trainees: str = "",
    acting_user: User,
) -> Training:
    """培训 of secretaries, instructors or investors held in acting_user's region."""
    chosen = list(instructors or ())
    count = participant_count or len(chosen)
    _check_training(audience, region, chosen, count, acting_user)
    training = Training(
        title=(title or "").strip(),
        audience=audience,
        region=region,
        held_on=held_on,
        hours=hours,
        participant_count=count,
        trainees=(trainees or "").strip(),
    )
    training.full_clean()
    training.save()
    training.instructors.set(chosen)
    return training


@write_service(Capability.EDIT_PARTY, message=RECORDS_REFUSED)
def training_update(
    *,
    training: Training,
    title: str,
    audience: str,
    region: Region,
    held_on: date,
    hours: Decimal,
    participant_count: int | None = None,
    instructors: Iterable[Instructor] = (),
    trainees: str = "",
    acting_user: User,
) -> Training:
    _records_require_visible(training, acting_user, "该培训记录不在您的管辖区域内")
    chosen = list(instructors or ())
    count = participant_count or len(chosen)
    _check_training(audience, region, chosen, count, acting_user)
    training.title, training.audience, training.region = (title or "").strip(), audience, region
    training.held_on, training.hours, training.participant_count = held_on, hours, count
    training.trainees = (trainees or "").strip()
    training.full_clean()
    training.save()
    training.instructors.set(chosen)
    return training


@write_service(Capability.EDIT_PARTY, message=RECORDS_REFUSED)
def stipend_create(
    *, instructor: Instructor, year: int, month: int, amount: Decimal, paid_on: date | None = None, acting_user: User
) -> Stipend:
    """工作津贴 of an instructor of acting_user's region for one month (once per month)."""
    _records_require_in_scope(instructor, acting_user, "instructor")
    stipend = Stipend(instructor=instructor, year=year, month=month, amount=amount, paid_on=paid_on)
    stipend.full_clean()
    stipend.save()
    return stipend


@write_service(Capability.EDIT_PARTY, message=RECORDS_REFUSED)
def stipend_update(
    *,
    stipend: Stipend,
    instructor: Instructor,
    year: int,
    month: int,
    amount: Decimal,
    paid_on: date | None = None,
    acting_user: User,
) -> Stipend:
    _records_require_visible(stipend, acting_user, "该津贴记录不在您的管辖区域内")
    _records_require_in_scope(instructor, acting_user, "instructor")
    stipend.instructor, stipend.year, stipend.month = instructor, year, month
    stipend.amount, stipend.paid_on = amount, paid_on
    stipend.full_clean()
    stipend.save()
    return stipend
