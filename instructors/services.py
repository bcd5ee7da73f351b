"""Writes that carry the rules of the instructors app (STYLE.md: services).

Keyword-only, one per verb, each decorated with `write_service` (capability checked inside, one
transaction attributed to acting_user). The workspace views (instructors/views.py), the API and
commands call these, so every caller gets the same Chinese messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from enterprises.models import Enterprise
from instructors.choices import TrainingAudience
from instructors.models import Assignment, FirstSecretaryAppointment, Instructor, Stipend, Training
from instructors.querysets import assignment_active_q
from organizations.choices import MemberStatus
from organizations.models import PartyMember, PartyOrganization
from portal.audit import write_service
from portal.forms import OUT_OF_SCOPE
from portal.models import Region, User
from portal.permissions import Capability
from portal.scoping import require_in_scope, require_visible
from portal.validators import not_in_future

# --- Staff workspace: instructors and their assignments (派驻) -------------------------------------

INSTRUCTOR_REFUSED = "您的角色无权维护党建工作指导员"
ASSIGNMENT_REFUSED = "您的角色无权派驻或结束派驻指导员"
INSTRUCTOR_FIELDS = ("name", "source", "employer", "dual_duty", "region", "phone", "is_member")


def _save_instructor(instructor: Instructor, fields: dict) -> Instructor:
    unknown = set(fields) - set(INSTRUCTOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown instructor fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(instructor, name, value.strip() if isinstance(value, str) else value)
    instructor.full_clean()
    instructor.save()
    return instructor


@write_service(Capability.EDIT_PARTY, message=INSTRUCTOR_REFUSED)
def instructor_create(*, acting_user: User, **fields: Any) -> Instructor:
    """Add a 党建工作指导员 (fields: INSTRUCTOR_FIELDS) in acting_user's jurisdiction."""
    require_in_scope(fields.get("region"), acting_user, "region", "所选区域不在您的管辖范围内")
    return _save_instructor(Instructor(), fields)


@write_service(Capability.EDIT_PARTY, message=INSTRUCTOR_REFUSED)
def instructor_update(*, instructor: Instructor, acting_user: User, **fields: Any) -> Instructor:
    """Edit an instructor of acting_user's region. A blank `phone` keeps the stored one (the form
    never shows it in clear)."""
    require_visible(instructor, acting_user, "该指导员不在您的管辖区域内")
    require_in_scope(fields.get("region"), acting_user, "region", "所选区域不在您的管辖范围内")
    if not (fields.get("phone") or "").strip():
        fields.pop("phone", None)
    return _save_instructor(instructor, fields)


@write_service(Capability.EDIT_PARTY, message=INSTRUCTOR_REFUSED)
def instructor_end(*, instructor: Instructor, ended_on: dt.date, reason: str = "", acting_user: User) -> Instructor:
    """结束工作: the instructor leaves the work from `ended_on` (kept, never deleted). Their
    assignments still active then end the same day (the enterprises lose this work coverage from
    `ended_on`; past snapshots keep their figures)."""
    require_visible(instructor, acting_user, "该指导员不在您的管辖区域内")
    if instructor.ended_on is not None:
        raise ValidationError({"ended_on": f"该指导员已于 {instructor.ended_on:%Y-%m-%d} 结束工作"})
    if ended_on is None:
        raise ValidationError({"ended_on": "请填写结束工作日期"})
    not_in_future(ended_on, "ended_on", "结束工作日期")
    open_assignments = instructor.assignments.filter(Q(end_on__isnull=True) | Q(end_on__gte=ended_on))
    late = open_assignments.filter(start_on__gte=ended_on).select_related("enterprise").first()
    if late is not None:
        raise ValidationError(
            {
                "ended_on": (
                    f"该指导员派驻“{late.enterprise.name}”自 {late.start_on:%Y-%m-%d} 开始，结束工作日期应晚于此日"
                )
            }
        )
    open_assignments.update(end_on=ended_on - dt.timedelta(days=1), end_reason=f"指导员结束工作：{reason}".strip("："))
    instructor.ended_on, instructor.end_reason = ended_on, (reason or "").strip()
    instructor.full_clean()
    instructor.save(update_fields=["ended_on", "end_reason", "updated_at"])
    return instructor


def instructor_loads(queryset: QuerySet[Instructor], day: dt.date | None = None) -> QuerySet[Instructor]:
    """Each instructor's current load: `load`, the number of their active assignments (one query)."""
    day = day or timezone.localdate()
    return queryset.annotate(load=Count("assignments", filter=assignment_active_q(day, prefix="assignments__")))


def _member_counts(enterprise_ids: Iterable[int]) -> dict[int, int]:
    """Counted members (full and probationary, by workplace; the ledger's rule) per enterprise."""
    rows = (
        PartyMember.objects.filter(
            status__in=MemberStatus.values, workplace_id__in=list(enterprise_ids), workplace__isnull=False
        )
        .order_by()
        .values("workplace_id")
        .annotate(n=Count("pk"))
    )
    return {row["workplace_id"]: row["n"] for row in rows}


@write_service(Capability.EDIT_PARTY, message=ASSIGNMENT_REFUSED)
def assignment_dispatch(
    *,
    instructor: Instructor,
    enterprises: Iterable[Enterprise],
    start_on: dt.date,
    end_on: dt.date | None = None,
    acting_user: User,
) -> list[Assignment]:
    """派驻指导员: one instructor to one or several enterprises WITHOUT members, all or nothing (any
    refused enterprise refuses the whole dispatch, every reason listed under `enterprise`). An
    enterprise with members should get an organization instead; one the same instructor already
    serves is refused too. `end_on` (optional) is the last day of the assignment."""
    enterprises = list(dict.fromkeys(enterprises))
    if not Instructor.objects.visible_to(acting_user).filter(pk=instructor.pk).exists():
        raise ValidationError({"instructor": OUT_OF_SCOPE})
    if not enterprises:
        raise ValidationError({"enterprise": "请选择至少一家企业"})
    ids = [enterprise.pk for enterprise in enterprises]
    visible = set(Enterprise.objects.visible_to(acting_user).filter(pk__in=ids).values_list("pk", flat=True))
    if len(visible) != len(ids):
        raise ValidationError({"enterprise": OUT_OF_SCOPE})
    if start_on is None:
        raise ValidationError({"start_on": "请填写派驻开始日期"})
    if instructor.ended_on is not None and instructor.ended_on <= start_on:
        raise ValidationError(
            {"instructor": f"指导员“{instructor.name}”已于 {instructor.ended_on:%Y-%m-%d} 结束工作，不能再派驻"}
        )
    if end_on is not None and end_on < start_on:
        raise ValidationError({"end_on": "派驻结束日期不能早于开始日期"})
    members = _member_counts(ids)
    already = set(
        instructor.assignments.filter(enterprise_id__in=ids)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=start_on))
        .values_list("enterprise_id", flat=True)
    )
    reasons = []
    for enterprise in enterprises:
        if members.get(enterprise.pk):
            reasons.append(
                f"“{enterprise.name}”已有党员（{members[enterprise.pk]}名），应组建党组织或纳入联合党组织，不派驻指导员"
            )
        elif enterprise.pk in already:
            reasons.append(f"“{enterprise.name}”已由指导员“{instructor.name}”派驻联系，不能重复派驻")
    if reasons:
        raise ValidationError({"enterprise": reasons})
    assignments = []
    for enterprise in enterprises:
        assignment = Assignment(instructor=instructor, enterprise=enterprise, start_on=start_on, end_on=end_on)
        assignment.full_clean()
        assignments.append(assignment)
    return Assignment.objects.bulk_create(assignments)


@write_service(Capability.EDIT_PARTY, message=ASSIGNMENT_REFUSED)
def assignment_end(*, assignment: Assignment, ended_on: dt.date, reason: str = "", acting_user: User) -> Assignment:
    """结束派驻: from `ended_on` the instructor no longer serves the enterprise (the enterprise's work
    coverage changes from that day; `end_on`, the last day served, is the day before). Past
    snapshots keep their figures; the assignment stays (never deleted)."""
    require_visible(assignment, acting_user, "该派驻不在您的管辖区域内")
    today = timezone.localdate()
    if assignment.end_on is not None and assignment.end_on < today:
        raise ValidationError({"ended_on": f"该派驻已于 {assignment.end_on:%Y-%m-%d} 结束"})
    if ended_on is None:
        raise ValidationError({"ended_on": "请填写结束日期"})
    not_in_future(ended_on, "ended_on", "结束日期")
    if ended_on <= assignment.start_on:
        raise ValidationError({"ended_on": f"结束日期应晚于派驻开始日期（{assignment.start_on:%Y-%m-%d}）"})
    assignment.end_on = ended_on - dt.timedelta(days=1)
    assignment.end_reason = (reason or "").strip()
    assignment.full_clean()
    assignment.save(update_fields=["end_on", "end_reason"])
    return assignment


def assignment_is_active(assignment: Assignment, day: dt.date | None = None) -> bool:
    day = day or timezone.localdate()
    return assignment.start_on <= day and (assignment.end_on is None or assignment.end_on >= day)


# --- end of the instructors/assignments workspace block --------------------------------------------


# --- 第一书记, 培训, 工作津贴 (staff workspace, issue 10) ---------------------------------------------
# Every related record (organization, instructor, region) must lie in acting_user's region; the
# records are ended or corrected, never deleted.

RECORDS_REFUSED = "您的角色无权维护指导员工作记录"


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
    require_in_scope(organization, acting_user, "organization")
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
    require_visible(appointment, acting_user, "该第一书记任职记录不在您的管辖区域内")
    require_in_scope(organization, acting_user, "organization")
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
    require_visible(appointment, acting_user, "该第一书记任职记录不在您的管辖区域内")
    if appointment.end_on is not None and appointment.end_on <= timezone.localdate():
        raise ValidationError({"ended_on": f"该第一书记已于 {appointment.end_on:%Y-%m-%d} 离任"})
    if ended_on is None:
        raise ValidationError({"ended_on": "请填写离任日期"})
    not_in_future(ended_on, "ended_on", "离任日期")
    if ended_on < appointment.start_on:
        raise ValidationError({"ended_on": "离任日期不能早于任职开始日期"})
    appointment.end_on, appointment.end_reason = ended_on, (reason or "").strip()
    appointment.full_clean()
    appointment.save(update_fields=["end_on", "end_reason"])
    return appointment


def _check_training(
    audience: str, region: Region, instructors: list[Instructor], participant_count: int | None, acting_user: User
) -> None:
    require_in_scope(region, acting_user, "region")
    for instructor in instructors:
        require_in_scope(instructor, acting_user, "instructors")
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
    require_visible(training, acting_user, "该培训记录不在您的管辖区域内")
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
    require_in_scope(instructor, acting_user, "instructor")
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
    require_visible(stipend, acting_user, "该津贴记录不在您的管辖区域内")
    require_in_scope(instructor, acting_user, "instructor")
    stipend.instructor, stipend.year, stipend.month = instructor, year, month
    stipend.amount, stipend.paid_on = amount, paid_on
    stipend.full_clean()
    stipend.save()
    return stipend
