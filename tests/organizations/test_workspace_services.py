"""The services behind 登记党员, 组建党组织 and 记录走访 (organizations/services.py): their rules with
the Chinese messages, the ledger's live figures seeing the effect at once, scope and roles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessments.rules import filter_figure
from enterprises.models import Enterprise, SurveyVisit
from organizations import services
from organizations.choices import DiscoveredVia, Formation, MemberStatus, OrgLevel
from organizations.models import PartyMember
from tests.factories import CarrierFactory, EnterpriseFactory, PartyMemberFactory, PartyOrganizationFactory

pytestmark = pytest.mark.django_db


def _valid_id(serial: int) -> str:
    body = f"37090219850301{serial:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def _full_members(enterprise: Enterprise, count: int) -> list[PartyMember]:
    return [
        PartyMemberFactory(workplace=enterprise, region=enterprise.region, status=MemberStatus.FULL)
        for _ in range(count)
    ]


def _in_figure(enterprise: Enterprise, figure: str) -> bool:
    return filter_figure(Enterprise.objects.filter(pk=enterprise.pk), figure, timezone.localdate()).exists()


def _member(**extra):
    data = {
        "name": "张三",
        "status": MemberStatus.FULL,
        "gender": "M",
        "birth_date": dt.date(1985, 3, 1),
        "education": "BACHELOR",
        "joined_on": dt.date(2010, 7, 1),
        "id_number": "",
        "phone": "",
        "is_hidden": False,
        "discovered_via": "",
    }
    return data | extra


def _standalone(enterprise, staff, **extra):
    return services.organization_create(
        name=f"{enterprise.name}党支部",
        formation=Formation.STANDALONE,
        level=OrgLevel.BRANCH,
        covered_enterprises=[enterprise],
        established_on=dt.date(2026, 1, 5),
        acting_user=staff,
        **extra,
    )


# --- 组建党组织 ------------------------------------------------------------------------------------


def test_standalone_organization_with_two_full_members_is_refused_with_the_count(staff, taishan):
    enterprise = EnterpriseFactory(region=taishan)
    _full_members(enterprise, 2)
    PartyMemberFactory(workplace=enterprise, region=taishan, status=MemberStatus.PROBATIONARY)
    with pytest.raises(ValidationError) as exc:
        _standalone(enterprise, staff)
    assert exc.value.message_dict["covered_enterprises"] == ["单独组建党组织需要至少3名正式党员，该企业现有2名"]
    assert not enterprise.covering_organizations.exists()


def test_standalone_organization_with_three_full_members_covers_the_enterprise_at_once(staff, taishan):
    enterprise = EnterpriseFactory(region=taishan)
    _full_members(enterprise, 3)
    assert _in_figure(enterprise, "standalone_due")
    assert not _in_figure(enterprise, "org_covered")
    org = _standalone(enterprise, staff)
    assert org.region == taishan and org.carrier is None
    assert _in_figure(enterprise, "org_covered")
    assert _in_figure(enterprise, "org_covered_standalone")
    assert not _in_figure(enterprise, "standalone_due")


def test_joint_organization_covers_enterprises_without_members_as_work_coverage(staff, taishan):
    carrier = CarrierFactory(region=taishan)
    empty_one, empty_two = EnterpriseFactory(region=taishan), EnterpriseFactory(region=taishan)
    with_members = EnterpriseFactory(region=taishan)
    _full_members(with_members, 1)
    assert not _in_figure(empty_one, "work_covered")
    org = services.organization_create(
        name="测试园区联合党支部",
        formation=Formation.JOINT,
        level=OrgLevel.BRANCH,
        carrier=carrier,
        covered_enterprises=[empty_one, empty_two, with_members],
        established_on=dt.date(2026, 1, 5),
        acting_user=staff,
    )
    assert org.covered_enterprises.count() == 3
    assert _in_figure(empty_one, "work_by_joint") and _in_figure(empty_two, "work_covered")
    assert _in_figure(with_members, "org_covered_joint")


def test_joint_organization_needs_a_carrier(staff, taishan):
    with pytest.raises(ValidationError) as exc:
        services.organization_create(
            name="联合党支部",
            formation=Formation.JOINT,
            level=OrgLevel.BRANCH,
            covered_enterprises=[EnterpriseFactory(region=taishan)],
            established_on=dt.date(2026, 1, 5),
            acting_user=staff,
        )
    assert exc.value.message_dict["carrier"] == ["联合组建的党组织应填写依托载体"]


def test_dissolve_stops_coverage_from_the_dissolve_date(staff, taishan):
    enterprise = EnterpriseFactory(region=taishan)
    _full_members(enterprise, 3)
    org = _standalone(enterprise, staff)
    dissolved_on = timezone.localdate()
    services.organization_dissolve(partyorganization=org, ended_on=dissolved_on, acting_user=staff)
    org.refresh_from_db()
    assert org.dissolved_on == dissolved_on
    assert filter_figure(
        Enterprise.objects.filter(pk=enterprise.pk), "org_covered", dissolved_on - dt.timedelta(days=1)
    ).exists()
    assert not _in_figure(enterprise, "org_covered")
    assert _in_figure(enterprise, "standalone_due")


def test_dissolve_refuses_a_date_before_establishment(staff, taishan):
    org = PartyOrganizationFactory(region=taishan, established_on=dt.date(2026, 1, 5))
    with pytest.raises(ValidationError) as exc:
        services.organization_dissolve(partyorganization=org, ended_on=dt.date(2026, 1, 1), acting_user=staff)
    assert exc.value.message_dict["ended_on"] == ["撤销日期应晚于成立日期"]


def test_level_is_proposed_from_the_member_count_and_a_mismatch_is_a_warning():
    assert services.proposed_level(12) == OrgLevel.BRANCH
    assert services.proposed_level(51) == OrgLevel.GENERAL_BRANCH
    assert services.proposed_level(101) == OrgLevel.COMMITTEE
    assert "超过50名" in services.level_warning(OrgLevel.BRANCH, 51)
    assert services.level_warning(OrgLevel.GENERAL_BRANCH, 100) == ""
    assert "超过100名" in services.level_warning(OrgLevel.GENERAL_BRANCH, 101)


def test_another_districts_staff_cannot_form_an_organization_here(outsider, taishan):
    enterprise = EnterpriseFactory(region=taishan)
    _full_members(enterprise, 3)
    with pytest.raises(ValidationError) as exc:
        _standalone(enterprise, outsider)
    assert exc.value.message_dict["covered_enterprises"] == ["所选企业不在您的管辖区域内"]


def test_commerce_staff_may_not_form_organizations_or_register_members(commerce, taishan):
    enterprise = EnterpriseFactory(region=taishan)
    with pytest.raises(PermissionDenied):
        _standalone(enterprise, commerce)
    with pytest.raises(PermissionDenied):
        services.member_create(**_member(workplace=enterprise), acting_user=commerce)


# --- 登记党员 --------------------------------------------------------------------------------------


def test_member_belongs_to_one_organization_and_participates_in_another(staff, taishan):
    home, other = PartyOrganizationFactory(region=taishan), PartyOrganizationFactory(region=taishan)
    enterprise = EnterpriseFactory(region=taishan)
    member = services.member_create(
        **_member(workplace=enterprise, organization=home, participates_in=[other], id_number=_valid_id(1)),
        acting_user=staff,
    )
    assert member.organization == home
    assert list(member.participates_in.all()) == [other]
    assert list(home.members.all()) == [member] and not other.members.exists()
    assert list(other.participants.all()) == [member]
    assert member.region == taishan


def test_duplicate_id_number_is_refused_naming_the_existing_member(staff, taishan):
    org = PartyOrganizationFactory(region=taishan, name="泰山区某某党支部")
    services.member_create(**_member(organization=org, id_number=_valid_id(2)), acting_user=staff)
    with pytest.raises(ValidationError) as exc:
        services.member_create(**_member(name="李四", id_number=_valid_id(2).lower()), acting_user=staff)
    assert exc.value.message_dict["id_number"] == ["该身份证号码已登记：张三（泰山区某某党支部）"]


def test_duplicate_id_number_registered_in_another_district_names_nobody(staff, outsider, daiyue):
    services.member_create(**_member(id_number=_valid_id(3)), acting_user=outsider)
    with pytest.raises(ValidationError) as exc:
        services.member_create(**_member(name="李四", id_number=_valid_id(3)), acting_user=staff)
    (message,) = exc.value.message_dict["id_number"]
    assert "张三" not in message and "其他区域" in message


def test_id_number_and_phone_are_stored_encrypted(staff, taishan):
    from django.db import connection

    member = services.member_create(**_member(id_number=_valid_id(4), phone="13812345678"), acting_user=staff)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM organizations_partymember WHERE id = %s", [member.pk])
        stored_id, stored_phone = cursor.fetchone()
    assert _valid_id(4) not in stored_id and "13812345678" not in stored_phone


def test_hidden_member_needs_how_found_and_mobile_member_their_home_organization(staff, taishan):
    with pytest.raises(ValidationError) as exc:
        services.member_create(**_member(is_hidden=True, is_mobile=True), acting_user=staff)
    assert exc.value.message_dict["discovered_via"] == ["隐性党员应填写发现途径"]
    assert exc.value.message_dict["mobile_home_organization"] == ["流动党员应填写流出地党组织"]
    member = services.member_create(
        **_member(
            is_hidden=True,
            discovered_via=DiscoveredVia.PEER_FOUND,
            is_mobile=True,
            mobile_home_organization="济南市某某党支部",
            mobile_home_region="济南市历下区",
        ),
        acting_user=staff,
    )
    assert member.is_hidden and member.discovered_via == DiscoveredVia.PEER_FOUND
    assert member.mobile_home_region == "济南市历下区"


def test_transfer_keeps_the_previous_organization_and_the_date(staff, taishan):
    old, new = PartyOrganizationFactory(region=taishan), PartyOrganizationFactory(region=taishan)
    member = services.member_create(**_member(organization=old, participates_in=[new]), acting_user=staff)
    day = timezone.localdate()
    services.member_transfer(partymember=member, organization=new, transferred_on=day, acting_user=staff)
    member.refresh_from_db()
    assert (member.organization, member.previous_organization, member.transferred_on) == (new, old, day)
    assert not member.participates_in.exists()


def test_member_edit_does_not_move_the_organization_relationship(staff, taishan):
    old, new = PartyOrganizationFactory(region=taishan), PartyOrganizationFactory(region=taishan)
    member = services.member_create(**_member(organization=old), acting_user=staff)
    with pytest.raises(ValidationError) as exc:
        services.member_update(partymember=member, **_member(organization=new), acting_user=staff)
    assert "组织关系转接" in exc.value.message_dict["organization"][0]


def test_another_districts_staff_cannot_edit_a_member_here(staff, outsider, taishan):
    member = services.member_create(**_member(), acting_user=staff)
    with pytest.raises(PermissionDenied):
        services.member_update(partymember=member, **_member(name="改名"), acting_user=outsider)


# --- 记录走访 --------------------------------------------------------------------------------------


def _visit(enterprise, staff, members, **extra):
    return services.survey_visit_record(
        enterprise=enterprise,
        visited_on=timezone.localdate(),
        member_count_confirmed=len(members),
        enterprise_fields={"employee_count": 42, "address": "泰山区东岳大街1号", "legal_representative": "王五"},
        members=members,
        acting_user=staff,
        **extra,
    )


def test_visit_with_three_members_found_creates_the_visit_and_the_members(staff, taishan, campaign):
    enterprise = EnterpriseFactory(region=taishan)
    assert _in_figure(enterprise, "not_surveyed")
    result = _visit(
        enterprise,
        staff,
        [
            _member(name="甲"),
            _member(name="乙"),
            _member(name="丙", is_hidden=True, discovered_via=DiscoveredVia.ORG_FOUND),
        ],
    )
    assert result.visit.campaign == campaign and result.visit.visitor == staff
    assert sorted(m.name for m in enterprise.members.all()) == ["丙", "乙", "甲"]
    assert enterprise.members.get(name="丙").is_hidden
    enterprise.refresh_from_db()
    assert (enterprise.employee_count, enterprise.legal_representative) == (42, "王五")
    assert _in_figure(enterprise, "surveyed") and _in_figure(enterprise, "clear_member_count")
    assert _in_figure(enterprise, "clear_structure") and _in_figure(enterprise, "standalone_due")


def test_an_error_in_the_third_member_stores_nothing(staff, taishan, campaign):
    enterprise = EnterpriseFactory(region=taishan, employee_count=10)
    bad = _member(name="丙", is_hidden=True)  # hidden without how found
    with pytest.raises(ValidationError) as exc:
        _visit(enterprise, staff, [_member(name="甲"), _member(name="乙"), bad])
    assert exc.value.message_dict == {"members-2-discovered_via": ["隐性党员应填写发现途径"]}
    assert not SurveyVisit.objects.exists() and not PartyMember.objects.exists()
    enterprise.refresh_from_db()
    assert enterprise.employee_count == 10


def test_visit_without_a_current_campaign_is_refused(staff, taishan):
    with pytest.raises(ValidationError) as exc:
        _visit(EnterpriseFactory(region=taishan), staff, [])
    assert "没有进行中的排查活动" in exc.value.messages[0]


def test_a_second_visit_in_the_same_campaign_is_refused(staff, taishan, campaign):
    enterprise = EnterpriseFactory(region=taishan)
    _visit(enterprise, staff, [])
    with pytest.raises(ValidationError):
        _visit(enterprise, staff, [])
    assert SurveyVisit.objects.count() == 1


def test_another_districts_staff_cannot_record_a_visit_here(outsider, taishan, campaign):
    with pytest.raises(PermissionDenied):
        _visit(EnterpriseFactory(region=taishan), outsider, [])


def test_building_an_organization_places_its_enterprises_unaffiliated_members_in_it(staff, taishan):
    """组建党组织 places the members working there who belonged to no organization (党员分布清楚);
    a member who already belongs to another organization keeps it."""
    enterprise = EnterpriseFactory(region=taishan)
    elsewhere = PartyOrganizationFactory(region=taishan)
    unplaced = [PartyMemberFactory(workplace=enterprise, region=taishan, organization=None) for _ in range(3)]
    kept = PartyMemberFactory(workplace=enterprise, region=taishan, organization=elsewhere)

    org = _standalone(enterprise, staff)

    assert set(org.members.values_list("pk", flat=True)) == {m.pk for m in unplaced}
    kept.refresh_from_db()
    assert kept.organization == elsewhere
