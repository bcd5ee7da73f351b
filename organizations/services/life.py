"""组织生活 (三会一课 with attendance) and 创先争优制度."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from organizations.models import ExcellenceSystem, OrgLifeRecord, PartyMember, PartyOrganization
from portal.audit import write_service
from portal.forms import OUT_OF_SCOPE
from portal.models import User
from portal.permissions import Capability
from portal.scoping import require_visible

# --- 组织生活 (OrgLifeRecord) and 创先争优制度 (ExcellenceSystem) -----------------------------------
# Staff workspace, issue 10. Records are corrected, never deleted: a life record entered by mistake
# is voided (作废) with a reason; an excellence system is retired with a date, and every
# organization keeps at least one in force.


LIFE_REFUSED = "您的角色无权维护组织生活记录"
EXCELLENCE_REFUSED = "您的角色无权维护创先争优制度"


def _life_require_organization(organization: PartyOrganization | None, acting_user: User) -> None:
    if organization is None:
        raise ValidationError({"organization": "请选择党组织"})
    if not PartyOrganization.objects.visible_to(acting_user).filter(pk=organization.pk).exists():
        raise ValidationError({"organization": OUT_OF_SCOPE})


def organization_members(organization: PartyOrganization) -> QuerySet[PartyMember]:
    """The members who take part in `organization`'s life: its own (组织关系) and those who
    participate there (一方隶属、多重管理). One row each."""
    return PartyMember.objects.filter(Q(organization=organization) | Q(pk__in=organization.participants.values("pk")))


def _check_attendance(
    organization: PartyOrganization,
    attendees: list[PartyMember],
    attendance: int | None,
    expected_count: int | None,
    acting_user: User,
) -> int:
    """The 实到人数 to store: the count given, or the number of attendees picked. Refuses attendees
    outside the organization or the region, and counts above the organization's members."""
    if attendees:
        ids = {member.pk for member in attendees}
        in_scope = set(PartyMember.objects.visible_to(acting_user).filter(pk__in=ids).values_list("pk", flat=True))
        if in_scope != ids:
            raise ValidationError({"attendees": OUT_OF_SCOPE})
        in_org = set(organization_members(organization).filter(pk__in=ids).values_list("pk", flat=True))
        if in_org != ids:
            raise ValidationError({"attendees": "所选党员不在本党组织参加组织生活"})
    count = attendance if attendance else len(attendees)
    if count <= 0:
        raise ValidationError({"attendance": "请选择参加党员或填写实到人数"})
    if count < len(attendees):
        raise ValidationError({"attendance": f"实到人数不能少于所选参加党员人数（{len(attendees)}人）"})
    members = organization_members(organization).count()
    if count > members:
        raise ValidationError({"attendance": f"实到人数不能超过本党组织党员人数（{members}人）"})
    if expected_count is not None and expected_count > members:
        raise ValidationError({"expected_count": f"应到人数不能超过本党组织党员人数（{members}人）"})
    return count


def _save_life_record(record: OrgLifeRecord, attendees: list[PartyMember]) -> OrgLifeRecord:
    record.full_clean()  # the model's messages (dates, 实到 ≤ 应到)
    record.save()
    record.attendees.set(attendees)
    return record


@write_service(Capability.EDIT_PARTY, message=LIFE_REFUSED)
def life_record_create(
    *,
    organization: PartyOrganization,
    kind: str,
    held_on: date,
    topic: str,
    attendees: Iterable[PartyMember] = (),
    attendance: int | None = None,
    expected_count: int | None = None,
    notes: str = "",
    acting_user: User,
) -> OrgLifeRecord:
    """记录组织生活 (三会一课, 主题党日, 组织生活会) of an organization in acting_user's region:
    the date between its establishment and dissolution and not in the future, who attended (the
    organization's members) and/or how many, never more than its members."""
    _life_require_organization(organization, acting_user)
    chosen = list(attendees or ())
    count = _check_attendance(organization, chosen, attendance, expected_count, acting_user)
    record = OrgLifeRecord(
        organization=organization,
        kind=kind,
        held_on=held_on,
        topic=(topic or "").strip(),
        attendance=count,
        expected_count=expected_count,
        notes=(notes or "").strip(),
    )
    return _save_life_record(record, chosen)


@write_service(Capability.EDIT_PARTY, message=LIFE_REFUSED)
def life_record_update(
    *,
    record: OrgLifeRecord,
    kind: str,
    held_on: date,
    topic: str,
    attendees: Iterable[PartyMember] = (),
    attendance: int | None = None,
    expected_count: int | None = None,
    notes: str = "",
    acting_user: User,
) -> OrgLifeRecord:
    """Correct a life record (same rules as life_record_create); a voided record stays as it is."""
    require_visible(record, acting_user, "该组织生活记录不在您的管辖区域内")
    if record.voided_on is not None:
        raise ValidationError(f"该记录已于 {record.voided_on:%Y-%m-%d} 作废，不能修改")
    chosen = list(attendees or ())
    count = _check_attendance(record.organization, chosen, attendance, expected_count, acting_user)
    record.kind, record.held_on, record.topic = kind, held_on, (topic or "").strip()
    record.attendance, record.expected_count, record.notes = count, expected_count, (notes or "").strip()
    return _save_life_record(record, chosen)


@write_service(Capability.EDIT_PARTY, message=LIFE_REFUSED)
def life_record_void(*, record: OrgLifeRecord, voided_on: date, reason: str, acting_user: User) -> OrgLifeRecord:
    """作废 a life record entered by mistake: it stays (with who voided it, when and why, in its
    history) but no longer counts as held."""
    require_visible(record, acting_user, "该组织生活记录不在您的管辖区域内")
    if record.voided_on is not None:
        raise ValidationError({"voided_on": f"该记录已于 {record.voided_on:%Y-%m-%d} 作废"})
    if voided_on is None:
        raise ValidationError({"voided_on": "请填写作废日期"})
    if voided_on > timezone.localdate():
        raise ValidationError({"voided_on": "作废日期不能晚于今天"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写作废原因"})
    record.voided_on, record.void_reason = voided_on, reason.strip()
    record.full_clean()
    record.save(update_fields=["voided_on", "void_reason"])
    return record


@write_service(Capability.EDIT_PARTY, message=EXCELLENCE_REFUSED)
def excellence_system_create(
    *, organization: PartyOrganization, name: str, adopted_on: date, description: str = "", acting_user: User
) -> ExcellenceSystem:
    """Add a 创先争优制度 to an organization of acting_user's region."""
    _life_require_organization(organization, acting_user)
    if organization.dissolved_on is not None:
        raise ValidationError(f"该党组织已于 {organization.dissolved_on:%Y-%m-%d} 撤销，不能新增制度")
    system = ExcellenceSystem(
        organization=organization,
        name=(name or "").strip(),
        description=(description or "").strip(),
        adopted_on=adopted_on,
    )
    system.full_clean()
    system.save()
    return system


@write_service(Capability.EDIT_PARTY, message=EXCELLENCE_REFUSED)
def excellence_system_update(
    *, system: ExcellenceSystem, name: str, adopted_on: date, description: str = "", acting_user: User
) -> ExcellenceSystem:
    require_visible(system, acting_user, "该创先争优制度不在您的管辖区域内")
    system.name, system.description, system.adopted_on = (name or "").strip(), (description or "").strip(), adopted_on
    system.full_clean()
    system.save()
    return system


@write_service(Capability.EDIT_PARTY, message=EXCELLENCE_REFUSED)
def excellence_system_end(
    *, system: ExcellenceSystem, ended_on: date, reason: str = "", acting_user: User
) -> ExcellenceSystem:
    """停止执行 a system (it stays, with its dates). An active organization keeps at least one
    system in force: add the new one first."""
    require_visible(system, acting_user, "该创先争优制度不在您的管辖区域内")
    if system.ended_on is not None:
        raise ValidationError({"ended_on": f"该制度已于 {system.ended_on:%Y-%m-%d} 停止执行"})
    if ended_on is None:
        raise ValidationError({"ended_on": "请填写停止执行日期"})
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": "停止执行日期不能晚于今天"})
    organization = system.organization
    others = organization.excellence_systems.filter(ended_on__isnull=True).exclude(pk=system.pk)
    if organization.dissolved_on is None and not others.exists():
        raise ValidationError({"ended_on": "每个党组织至少保留一项在执行的创先争优制度，请先新增新制度再停止此项"})
    system.ended_on, system.end_reason = ended_on, (reason or "").strip()
    system.full_clean()
    system.save(update_fields=["ended_on", "end_reason"])
    return system
