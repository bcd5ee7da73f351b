"""Members, organizations and survey visits: 登记党员, 组建党组织, 记录走访 (docs/workspace.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count

from enterprises.models import Enterprise, SurveyCampaign, SurveyVisit
from organizations.choices import Formation, MemberStatus, OrgLevel
from organizations.models import PartyMember, PartyOrganization
from portal.audit import write_service
from portal.fields import digest_candidates
from portal.models import Region, User
from portal.permissions import Capability
from portal.scoping import home_region, region_visible_to, require_in_scope, require_visible
from portal.validators import not_in_future

# --- Staff workspace (issue 10): members, organizations, survey visits (NAME=org) ---------------

STANDALONE_MIN_FULL_MEMBERS = 3  # 单独组建: at least 3 full members (DOMAIN.md; assessments.rules)
BRANCH_MAX_MEMBERS = 50  # 党支部 over 50 members: level mismatch (a warning, not a refusal)
GENERAL_BRANCH_MAX_MEMBERS = 100  # 党总支 over 100
MEMBER_REFUSED = "您的角色无权维护党员信息"
ORG_REFUSED = "您的角色无权维护党组织"
VISIT_REFUSED = "您的角色无权记录走访"

MEMBER_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "education",
    "id_number",
    "phone",
    "status",
    "joined_on",
    "workplace",
    "organization",
    "participates_in",
    "is_hidden",
    "discovered_via",
    "is_mobile",
    "mobile_home_organization",
    "mobile_home_region",
)
CHAR_FIELDS = (
    "name",
    "gender",
    "education",
    "id_number",
    "phone",
    "discovered_via",
    "mobile_home_organization",
    "mobile_home_region",
)
ORGANIZATION_FIELDS = (
    "name",
    "level",
    "formation",
    "region",
    "carrier",
    "parent",
    "covered_enterprises",
    "secretary",
    "is_online",
    "established_on",
)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


# --- members -------------------------------------------------------------------------------------


def duplicate_member_message(id_number: str, acting_user: User, *, exclude_pk: int | None = None) -> str:
    """The refusal of an ID number already registered, or "" when it is free. Names the existing
    member only when acting_user may see them; otherwise only that it is registered elsewhere."""
    if not id_number:
        return ""
    existing = PartyMember.objects.filter(id_number_digest__in=digest_candidates(id_number))
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    member = existing.select_related("organization", "workplace").first()
    if member is None:
        return ""
    if not PartyMember.objects.visible_to(acting_user).filter(pk=member.pk).exists():
        return "该身份证号码已在其他区域登记，请联系该党员组织关系所在地办理转接"
    where = member.organization or member.workplace
    return f"该身份证号码已登记：{member.name}（{where}）" if where else f"该身份证号码已登记：{member.name}"


def _member_region(member: PartyMember, acting_user: User) -> Region:
    """A member's region: their workplace's, else their organization's, else acting_user's own."""
    if member.workplace_id:
        return member.workplace.region  # type: ignore[union-attr]
    if member.organization_id:
        return member.organization.region  # type: ignore[union-attr]
    region = home_region(acting_user)
    if region is None:
        raise ValidationError({"workplace": "请填写工作单位或组织关系所在党组织"})
    return region


def _apply_member_fields(member: PartyMember, fields: dict[str, Any], acting_user: User) -> list[PartyOrganization]:
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    require_in_scope(fields.get("workplace"), acting_user, "workplace", "所选工作单位不在您的管辖区域内")
    require_in_scope(fields.get("organization"), acting_user, "organization", "所选党组织不在您的管辖区域内")
    participates = list(fields.pop("participates_in", None) or [])
    for org in participates:
        require_in_scope(org, acting_user, "participates_in", "所选党组织不在您的管辖区域内")
    for name, value in fields.items():
        setattr(member, name, _strip(value))
    for name in CHAR_FIELDS:
        if getattr(member, name) is None:
            setattr(member, name, "")
    errors: dict[str, str] = {}
    if member.is_hidden and not member.discovered_via:
        errors["discovered_via"] = "隐性党员应填写发现途径"
    if not member.is_hidden:
        member.discovered_via = ""
    if member.is_mobile and not member.mobile_home_organization:
        errors["mobile_home_organization"] = "流动党员应填写流出地党组织"
    if not member.is_mobile:
        member.mobile_home_organization = member.mobile_home_region = ""
    if member.organization_id and member.organization_id in {org.pk for org in participates}:
        errors["participates_in"] = "组织关系所在党组织不必再选为参加组织生活的党组织"
    if member.organization is not None and member.organization.dissolved_on is not None:
        errors["organization"] = f"党组织“{member.organization}”已撤销"
    not_in_future(member.joined_on, "joined_on", "入党日期")
    not_in_future(member.birth_date, "birth_date", "出生日期")
    if errors:
        raise ValidationError(errors)
    member.region = _member_region(member, acting_user)
    if not region_visible_to(acting_user).filter(pk=member.region.pk).exists():
        raise ValidationError({"workplace": "党员所在区域不在您的管辖范围内"})
    try:
        member.full_clean(exclude=["id_number_digest", "phone_digest"], validate_unique=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    duplicate = duplicate_member_message(member.id_number, acting_user, exclude_pk=member.pk)
    if duplicate:
        raise ValidationError({"id_number": duplicate})
    return participates


@write_service(Capability.EDIT_PARTY, message=MEMBER_REFUSED)
def member_create(*, acting_user: User, **fields: Any) -> PartyMember:
    """登记党员. Fields: MEMBER_FIELDS. One organization relationship (`organization`), any number
    of others where they take part (`participates_in`); the region follows the workplace (else the
    organization, else acting_user's own). A registered ID number is refused naming the member when
    acting_user may see them (only "registered elsewhere" otherwise)."""
    member = PartyMember()
    participates = _apply_member_fields(member, dict(fields), acting_user)
    member.save()
    member.participates_in.set(participates)
    return member


@write_service(Capability.EDIT_PARTY, message=MEMBER_REFUSED)
def member_update(*, partymember: PartyMember, acting_user: User, **fields: Any) -> PartyMember:
    """Edit a member of acting_user's region. The organization relationship is changed by
    member_transfer (with its date), not here."""
    require_visible(partymember, acting_user, "该党员不在您的管辖区域内")
    fields = dict(fields)
    new_org = fields.pop("organization", partymember.organization)
    if new_org != partymember.organization:
        raise ValidationError({"organization": "转接组织关系请使用“组织关系转接”办理，并填写日期"})
    participates = _apply_member_fields(partymember, fields, acting_user)
    partymember.save()
    partymember.participates_in.set(participates)
    return partymember


@write_service(Capability.EDIT_PARTY, message=MEMBER_REFUSED)
def member_transfer(
    *, partymember: PartyMember, organization: PartyOrganization, transferred_on: dt.date, acting_user: User
) -> PartyMember:
    """组织关系转接: the member's organization relationship moves to `organization` on
    `transferred_on`. The member keeps the previous organization in `previous_organization` (the
    last transfer) and the audit trail keeps every transfer; a member who took part in the new
    organization's life stops being listed there as a participant (they now belong)."""
    require_visible(partymember, acting_user, "该党员不在您的管辖区域内")
    require_in_scope(organization, acting_user, "organization", "所选党组织不在您的管辖区域内")
    if organization is None:
        raise ValidationError({"organization": "请选择转入的党组织"})
    if organization.pk == partymember.organization_id:
        raise ValidationError({"organization": "该党员的组织关系已在此党组织"})
    if organization.dissolved_on is not None:
        raise ValidationError({"organization": f"党组织“{organization}”已撤销"})
    if transferred_on is None:
        raise ValidationError({"transferred_on": "请填写转接日期"})
    not_in_future(transferred_on, "transferred_on", "转接日期")
    if transferred_on < organization.established_on:
        raise ValidationError({"transferred_on": "转接日期不能早于该党组织成立日期"})
    partymember.previous_organization = partymember.organization
    partymember.organization = organization
    partymember.transferred_on = transferred_on
    if not partymember.workplace_id:
        partymember.region = organization.region
    partymember.full_clean(exclude=["id_number_digest", "phone_digest"], validate_unique=False)
    partymember.save()
    partymember.participates_in.remove(organization)
    return partymember


# --- organizations -------------------------------------------------------------------------------


def full_member_count(enterprise: Enterprise) -> int:
    return PartyMember.objects.filter(workplace=enterprise, status=MemberStatus.FULL).count()


def standalone_refusal(enterprise: Enterprise) -> str:
    """The refusal of a standalone organization for `enterprise`, or "" when it may be formed."""
    full = full_member_count(enterprise)
    if full < STANDALONE_MIN_FULL_MEMBERS:
        return f"单独组建党组织需要至少{STANDALONE_MIN_FULL_MEMBERS}名正式党员，该企业现有{full}名"
    return ""


def proposed_level(member_total: int) -> str:
    """The level proposed for an organization of `member_total` members (counted: full and
    probationary): up to 50 a branch, up to 100 a general branch, above that a committee."""
    if member_total > GENERAL_BRANCH_MAX_MEMBERS:
        return OrgLevel.COMMITTEE
    if member_total > BRANCH_MAX_MEMBERS:
        return OrgLevel.GENERAL_BRANCH
    return OrgLevel.BRANCH


def level_warning(level: str, member_total: int) -> str:
    """组织设置预警 as a sentence (a warning shown on the form; never a refusal)."""
    if level == OrgLevel.BRANCH and member_total > BRANCH_MAX_MEMBERS:
        return f"党员人数 {member_total} 名，超过{BRANCH_MAX_MEMBERS}名，宜设立党总支或党委"
    if level == OrgLevel.GENERAL_BRANCH and member_total > GENERAL_BRANCH_MAX_MEMBERS:
        return f"党员人数 {member_total} 名，超过{GENERAL_BRANCH_MAX_MEMBERS}名，宜设立党委"
    return ""


def enterprises_member_total(enterprises: Iterable[Enterprise]) -> int:
    ids = [enterprise.pk for enterprise in enterprises]
    if not ids:
        return 0
    return PartyMember.objects.filter(workplace_id__in=ids, status__in=MemberStatus.values).count()


def _check_organization(org: PartyOrganization, covered: Sequence[Enterprise], acting_user: User) -> None:
    require_in_scope(org.carrier, acting_user, "carrier", "所选载体不在您的管辖区域内")
    require_in_scope(org.parent, acting_user, "parent", "所选上级党组织不在您的管辖区域内")
    require_in_scope(org.secretary, acting_user, "secretary", "所选党员不在您的管辖区域内")
    for enterprise in covered:
        require_in_scope(enterprise, acting_user, "covered_enterprises", "所选企业不在您的管辖区域内")
    if org.region_id and not region_visible_to(acting_user).filter(pk=org.region_id).exists():
        raise ValidationError({"region": "所选区域不在您的管辖范围内"})
    not_in_future(org.established_on, "established_on", "成立日期")
    if not covered:
        raise ValidationError({"covered_enterprises": "请选择覆盖的企业"})
    if org.formation == Formation.STANDALONE:
        if len(covered) != 1:
            raise ValidationError({"covered_enterprises": "单独组建的党组织只覆盖一家企业"})
        refusal = standalone_refusal(covered[0])
        if refusal:
            raise ValidationError({"covered_enterprises": refusal})
        org.carrier = None
    else:
        if org.carrier is None:
            raise ValidationError({"carrier": "联合组建的党组织应填写依托载体"})
        if org.carrier.ended_on is not None:
            raise ValidationError({"carrier": f"载体“{org.carrier}”已停用"})
    if org.parent is not None and org.parent.dissolved_on is not None:
        raise ValidationError({"parent": f"党组织“{org.parent}”已撤销"})
    if org.region_id is None:
        org.region = covered[0].region if org.formation == Formation.STANDALONE else org.carrier.region


def _save_organization(org: PartyOrganization, fields: dict[str, Any], acting_user: User) -> PartyOrganization:
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown organization fields: {sorted(unknown)}")
    covered = list(fields.pop("covered_enterprises", None) or [])
    for name, value in fields.items():
        setattr(org, name, _strip(value))
    if not fields.get("region"):
        org.region = None  # type: ignore[assignment]
    _check_organization(org, covered, acting_user)
    try:
        org.full_clean()
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    org.save()
    org.covered_enterprises.set(covered)
    return org


@write_service(Capability.EDIT_PARTY, message=ORG_REFUSED)
def organization_create(*, acting_user: User, **fields: Any) -> PartyOrganization:
    """组建党组织. Standalone: one enterprise with at least 3 full members (refused otherwise, with
    the count). Joint: on a carrier, for several enterprises with or without members. The level is
    the user's choice (the form proposes one from the member count; a level too small for the
    members is a warning on the form, not a refusal). The enterprises count as covered at once.

    The members working in the covered enterprises who belong to no organization yet (their
    组织关系 not yet placed) join the new one, in one set-based UPDATE: building the organization
    is what places them (四个清楚: 党员分布清楚). Members who already belong elsewhere keep their
    organization; a transfer moves them (member_transfer)."""
    org = _save_organization(PartyOrganization(), dict(fields), acting_user)
    PartyMember.objects.visible_to(acting_user).filter(
        workplace__in=org.covered_enterprises.all(), organization__isnull=True
    ).update(organization=org)
    return org


@write_service(Capability.EDIT_PARTY, message=ORG_REFUSED)
def organization_update(*, partyorganization: PartyOrganization, acting_user: User, **fields: Any) -> PartyOrganization:
    """Edit an organization of acting_user's region (same rules as organization_create)."""
    require_visible(partyorganization, acting_user, "该党组织不在您的管辖区域内")
    if partyorganization.dissolved_on is not None:
        raise ValidationError(f"该党组织已于 {partyorganization.dissolved_on:%Y-%m-%d} 撤销，不能再编辑")
    return _save_organization(partyorganization, dict(fields), acting_user)


@write_service(Capability.EDIT_PARTY, message=ORG_REFUSED)
def organization_dissolve(
    *, partyorganization: PartyOrganization, ended_on: dt.date, reason: str = "", acting_user: User
) -> PartyOrganization:
    """撤销 an organization on `ended_on`: it stops covering its enterprises from that date (the
    ledger's active_on); the row, its members' history and its life records stay."""
    org = partyorganization
    require_visible(org, acting_user, "该党组织不在您的管辖区域内")
    if org.dissolved_on is not None:
        raise ValidationError({"ended_on": f"该党组织已于 {org.dissolved_on:%Y-%m-%d} 撤销"})
    if ended_on is None:
        raise ValidationError({"ended_on": "请填写撤销日期"})
    not_in_future(ended_on, "ended_on", "撤销日期")
    if ended_on <= org.established_on:
        raise ValidationError({"ended_on": "撤销日期应晚于成立日期"})
    if PartyOrganization.objects.filter(parent=org, dissolved_on__isnull=True).exists():
        raise ValidationError({"ended_on": "该党组织还有未撤销的下级党组织"})
    org.dissolved_on = ended_on
    org.full_clean()
    org.save(update_fields=["dissolved_on", "updated_at"])
    return org


# --- survey visits (记录走访: the visit and the members found, one step) ----------------------------

VISIT_ENTERPRISE_FIELDS = ("employee_count", "address", "legal_representative")


def current_campaign(enterprise: Enterprise) -> SurveyCampaign | None:
    """The current campaign of the enterprise's region or of the nearest region above it (a
    district's campaign covers its streets and communities)."""
    path = enterprise.region.path
    prefixes = [path[: index + 1] for index, char in enumerate(path) if char == "/"]
    return (
        SurveyCampaign.objects.filter(is_current=True, region__path__in=prefixes)
        .select_related("region")
        .order_by("-region__path")
        .first()
    )


@dataclass
class VisitResult:
    visit: SurveyVisit
    members: list[PartyMember] = field(default_factory=list)

    def get_absolute_url(self) -> str:
        return self.visit.enterprise.get_absolute_url()


@write_service(Capability.EDIT_PARTY, message=VISIT_REFUSED)
def survey_visit_record(
    *,
    enterprise: Enterprise,
    visited_on: dt.date,
    visitor: User | None = None,
    member_count_confirmed: int | None = None,
    notes: str = "",
    enterprise_fields: dict[str, Any] | None = None,
    members: Sequence[dict[str, Any]] = (),
    acting_user: User,
) -> VisitResult:
    """记录走访: one visit of `enterprise` in the current campaign, the enterprise's key data
    corrected in place (VISIT_ENTERPRISE_FIELDS), and the members found there registered — all or
    nothing (one transaction: an error in any member stores nothing; its message is keyed
    `members-<i>-<field>`)."""
    require_visible(enterprise, acting_user, "该企业不在您的管辖区域内")
    campaign = current_campaign(enterprise)
    if campaign is None:
        raise ValidationError("该企业所在区域当前没有进行中的排查活动，请先由管理员设定当前排查")
    if visited_on is None:
        raise ValidationError({"visited_on": "请填写走访日期"})
    not_in_future(visited_on, "visited_on", "走访日期")
    if visited_on < campaign.starts_on:
        raise ValidationError({"visited_on": f"走访日期不能早于本次排查开始日期（{campaign.starts_on:%Y-%m-%d}）"})
    if SurveyVisit.objects.filter(campaign=campaign, enterprise=enterprise).exists():
        raise ValidationError(f"该企业在本次排查（{campaign}）中已有走访记录")
    changes = {
        name: _strip(value) for name, value in (enterprise_fields or {}).items() if name in VISIT_ENTERPRISE_FIELDS
    }
    changed = [name for name, value in changes.items() if value != getattr(enterprise, name)]
    for name in changed:
        setattr(
            enterprise, name, changes[name] if changes[name] is not None else ("" if name != "employee_count" else None)
        )
    if changed:
        try:
            enterprise.full_clean()
        except ValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        enterprise.save(update_fields=[*changed, "updated_at"])
    visit = SurveyVisit(
        campaign=campaign,
        enterprise=enterprise,
        visited_on=visited_on,
        visitor=visitor or acting_user,
        member_count_confirmed=member_count_confirmed,
        employee_count_confirmed=enterprise.employee_count,
        notes=(notes or "").strip(),
    )
    visit.full_clean()
    visit.save()
    created: list[PartyMember] = []
    errors: dict[str, list[str]] = {}
    for index, data in enumerate(members):
        try:
            member = PartyMember()
            participates = _apply_member_fields(member, {**data, "workplace": enterprise}, acting_user)
            member.save()
            member.participates_in.set(participates)
            created.append(member)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(f"members-{index}-{name}", []).extend(messages)
    if errors:
        raise ValidationError(errors)
    found = len(created)
    if member_count_confirmed is not None and member_count_confirmed < found:
        raise ValidationError({"member_count_confirmed": f"核实党员数不能少于本次登记的党员（{found} 名）"})
    return VisitResult(visit=visit, members=created)


def organization_member_totals(organizations: Iterable[PartyOrganization]) -> dict[int, int]:
    """Counted members (full and probationary) per organization, one query."""
    ids = [org.pk for org in organizations]
    rows = (
        PartyMember.objects.filter(organization_id__in=ids, status__in=MemberStatus.values)
        .order_by()
        .values("organization_id")
        .annotate(total=Count("pk"))
    )
    return {row["organization_id"]: row["total"] for row in rows}
