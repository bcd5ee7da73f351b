"""The planners on small built worlds with exact expected proposals: 组建建议, 派驻建议, 落实到街道,
本轮排查. Scoped: another district sees none of 泰山区's; each page runs a bounded number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import snapshots
from assessments.choices import Dimension
from assessments.models import LedgerRow
from enterprises.models import Enterprise
from organizations.choices import Formation, MemberStatus
from portal.choices import RegionLevel, Role
from portal.models import AuditEvent
from tests.assessments.factories import CompleteEnterpriseFactory, SurveyCampaignFactory, SurveyVisitFactory, street
from tests.factories import (
    AssignmentFactory,
    CarrierFactory,
    InstructorFactory,
    PartyMemberFactory,
    PartyOrganizationFactory,
    UserFactory,
    region,
)

pytestmark = pytest.mark.django_db


def members(enterprise, n: int, status: str = MemberStatus.FULL) -> None:
    for _ in range(n):
        PartyMemberFactory(workplace=enterprise, status=status, region=enterprise.region)


def enterprise(name: str, where, **fields):
    return CompleteEnterpriseFactory(name=name, region=where, **fields)


# --- 组建建议 -------------------------------------------------------------------------------------


@pytest.fixture
def joint_world(taishan, daiyue):
    park = CarrierFactory(name="泰山科技园", region=taishan)
    a = enterprise("科技园甲", taishan, carrier=park)
    members(a, 2)
    b = enterprise("科技园乙", taishan, carrier=park)
    members(b, 1)
    members(b, 1, MemberStatus.PROBATIONARY)
    c = enterprise("科技园丙（无党员）", taishan, carrier=park)
    members(enterprise("科技园丁（应单独组建）", taishan, carrier=park), 3)
    covered = enterprise("科技园戊（已联合覆盖）", taishan, carrier=park)
    members(covered, 1)
    PartyOrganizationFactory(formation=Formation.JOINT, carrier=park, region=taishan, covered=[covered])
    small = CarrierFactory(name="财源商务楼", region=taishan)
    members(enterprise("商务楼甲", taishan, carrier=small), 1)
    members(enterprise("商务楼乙", taishan, carrier=small), 1)
    enterprise("商务楼丙", taishan, carrier=small)
    ended = CarrierFactory(name="已停用园区", region=taishan, ended_on=dt.date(2025, 1, 1))
    members(enterprise("停用园区甲", taishan, carrier=ended), 2)
    members(enterprise("停用园区乙", taishan, carrier=ended), 2)
    far = CarrierFactory(name="岱岳物流园", region=daiyue)
    members(enterprise("物流园甲", daiyue, carrier=far), 2)
    members(enterprise("物流园乙", daiyue, carrier=far), 2)
    return {"park": park, "a": a, "b": b, "c": c, "far": far}


def test_joint_planner_proposes_the_few_member_enterprises_and_those_without_members_of_a_carrier(
    client, staff, joint_world
):
    client.force_login(staff)
    response = client.get(reverse("assessments:plan-joint"))
    assert response.status_code == 200
    [proposal] = response.context["proposals"]
    assert proposal.carrier_name == "泰山科技园"
    assert [e.name for e in proposal.with_members] == ["科技园甲", "科技园乙"]
    assert [e.full for e in proposal.with_members] == [2, 1]
    assert proposal.few_full == 3
    assert [e.name for e in proposal.without_members] == ["科技园丙（无党员）"]
    action = proposal.action
    assert action.label == "组建党组织"
    assert action.url_name == "organizations:create"
    world = joint_world
    assert action.query == (
        ("formation", "JOINT"),
        ("carrier", world["park"].pk),
        *(("enterprise", pk) for pk in sorted([world["a"].pk, world["b"].pk])),
        ("enterprise", world["c"].pk),
    )


def test_joint_planner_of_another_district_sees_only_its_own_carriers(client, outsider, joint_world):
    client.force_login(outsider)
    response = client.get(reverse("assessments:plan-joint"))
    assert [p.carrier_name for p in response.context["proposals"]] == ["岱岳物流园"]
    assert "泰山科技园" not in response.content.decode()


# --- 派驻建议 -------------------------------------------------------------------------------------


@pytest.fixture
def dispatch_world(taishan, daiyue):
    caiyuan = street(parent=taishan)
    today = timezone.localdate()
    a = InstructorFactory(name="指导员A", region=caiyuan)
    b = InstructorFactory(name="指导员B", region=caiyuan)
    c = InstructorFactory(name="指导员C", region=taishan)
    InstructorFactory(name="岱岳指导员", region=daiyue)
    AssignmentFactory(instructor=a, enterprise=enterprise("财源已派驻", caiyuan), start_on=today)
    park = CarrierFactory(name="泰山软件园", region=taishan)
    AssignmentFactory(instructor=c, enterprise=enterprise("科技园已派驻", taishan, carrier=park), start_on=today)
    AssignmentFactory(instructor=b, enterprise=enterprise("已结束派驻", taishan), end_on=today - dt.timedelta(days=1))
    u1 = enterprise("财源无党员一", caiyuan)
    u2 = enterprise("财源无党员二", caiyuan)
    u3 = enterprise("科技园无党员", taishan, carrier=park)
    members(enterprise("有党员企业", caiyuan), 1)
    enterprise("岱岳无党员", daiyue)
    return {"a": a, "b": b, "c": c, "u1": u1, "u2": u2, "u3": u3}


def test_dispatch_planner_proposes_the_least_loaded_instructor_of_the_street_or_carrier(client, staff, dispatch_world):
    client.force_login(staff)
    response = client.get(reverse("assessments:plan-dispatch"))
    assert response.status_code == 200
    got = [
        (p.enterprise.name, p.instructor.name if p.instructor else None, p.load) for p in response.context["proposals"]
    ]
    # District-level rows first (region path), then the street's; 已结束派驻 is uncovered again.
    assert got == [
        ("已结束派驻", None, 0),
        ("科技园无党员", "指导员C", 1),
        ("财源无党员一", "指导员B", 0),  # B serves nobody today; A serves one
        ("财源无党员二", "指导员A", 1),  # B has the first proposal now: a tie, by name
    ]
    proposal = response.context["proposals"][1]
    assert proposal.action.url_name == "instructors:dispatch"
    assert proposal.action.query == (("enterprise", dispatch_world["u3"].pk), ("instructor", dispatch_world["c"].pk))
    content = response.content.decode()
    assert "岱岳" not in content


def test_dispatch_planner_of_another_district_sees_only_its_own(client, outsider, dispatch_world):
    client.force_login(outsider)
    response = client.get(reverse("assessments:plan-dispatch"))
    assert [(p.enterprise.name, p.instructor) for p in response.context["proposals"]] == [("岱岳无党员", None)]


# --- 落实到街道 -----------------------------------------------------------------------------------


@pytest.fixture
def place_world(taishan, daiyue):
    caiyuan = street(parent=taishan)
    shanggao = street("370902002000", "上高街道", parent=taishan)
    region("370902003000", "邱家店镇", RegionLevel.STREET, taishan)
    return {
        "caiyuan": caiyuan,
        "shanggao": shanggao,
        "k1": enterprise("地址写明财源", taishan, address="泰山区财源街道东岳大街1号"),
        "k2": enterprise("地址写明邱家店", taishan, address="泰山区邱家店镇工业园8号"),
        "k3": enterprise("地址无法匹配", taishan, address="泰山区某某路9号"),
        "placed": enterprise("已在上高", shanggao, address="泰山区财源街道"),
        "far": enterprise("岱岳仅到区县", daiyue, address="泰山区财源街道2号"),
    }


def _rows(response) -> list[tuple[str, str | None]]:
    return [(e.name, e.street.name if e.street else None) for e in response.context["rows"]]


def test_place_planner_proposes_the_street_named_in_the_address_and_keeps_the_unmatched(client, staff, place_world):
    client.force_login(staff)
    response = client.get(reverse("assessments:plan-place"))
    assert response.status_code == 200
    assert _rows(response) == [("地址写明财源", "财源街道"), ("地址写明邱家店", "邱家店镇"), ("地址无法匹配", None)]
    content = response.content.decode()
    assert f'value="{place_world["k1"].pk}:{place_world["caiyuan"].pk}"' in content
    assert "岱岳仅到区县" not in content


def test_place_planner_of_another_district_sees_only_its_own(client, outsider, place_world):
    client.force_login(outsider)
    response = client.get(reverse("assessments:plan-place"))
    assert _rows(response) == [("岱岳仅到区县", None)]


def _unplaced_row(as_of: dt.date) -> LedgerRow:
    snapshots.take_snapshot(as_of=as_of)
    return LedgerRow.objects.get(
        snapshot__as_of=as_of, snapshot__period__isnull=True, dimension=Dimension.REGION_UNPLACED, region__code="370902"
    )


def test_bulk_confirm_places_exactly_the_ticked_enterprises_and_the_unplaced_line_shrinks(client, staff, place_world):
    today = timezone.localdate()
    assert _unplaced_row(today).enterprises == 3
    client.force_login(staff)
    k1, caiyuan = place_world["k1"], place_world["caiyuan"]
    response = client.post(reverse("assessments:plan-place"), {"place": [f"{k1.pk}:{caiyuan.pk}"]})
    assert response.status_code == 302
    k1.refresh_from_db()
    assert k1.region == caiyuan
    assert set(Enterprise.objects.filter(region=place_world["caiyuan"].parent).values_list("name", flat=True)) == {
        "地址写明邱家店",
        "地址无法匹配",
    }
    assert _unplaced_row(today).enterprises == 2
    event = AuditEvent.objects.filter(table_name="enterprises_enterprise", object_id=str(k1.pk), action="U").latest(
        "pk"
    )
    assert event.actor_id == staff.pk
    assert "region_id" in event.changes
    listed = client.get(reverse("assessments:plan-place"))
    assert [name for name, _street in _rows(listed)] == ["地址写明邱家店", "地址无法匹配"]


def test_place_confirm_is_refused_to_leaders(client, place_world, taishan):
    leader = UserFactory(username="leader", role=Role.LEADER, jurisdiction=taishan)
    client.force_login(leader)
    page = client.get(reverse("assessments:plan-place"))
    assert 'name="place"' not in page.content.decode()
    k1 = place_world["k1"]
    response = client.post(reverse("assessments:plan-place"), {"place": [f"{k1.pk}:{place_world['caiyuan'].pk}"]})
    assert response.status_code == 403
    k1.refresh_from_db()
    assert k1.region.level == RegionLevel.DISTRICT


def test_place_confirm_with_nothing_ticked_says_so(client, staff, place_world):
    client.force_login(staff)
    response = client.post(reverse("assessments:plan-place"), {})
    assert response.status_code == 400
    assert "请至少勾选一家企业" in response.content.decode()


# --- 本轮排查 -------------------------------------------------------------------------------------


@pytest.fixture
def survey_world(taishan, daiyue):
    caiyuan = street(parent=taishan)
    shanggao = street("370902002000", "上高街道", parent=taishan)
    today = timezone.localdate()
    campaign = SurveyCampaignFactory(
        region=taishan, starts_on=today - dt.timedelta(days=30), deadline=today + dt.timedelta(days=10)
    )
    SurveyVisitFactory(campaign=campaign, enterprise=enterprise("财源已走访", caiyuan), visited_on=today)
    enterprise("财源未走访", caiyuan)
    enterprise("上高未走访", shanggao)
    enterprise("区县未走访", taishan)
    enterprise("已注销", caiyuan, registration_status="CANCELLED")
    enterprise("岱岳未走访", daiyue)
    return {"caiyuan": caiyuan, "campaign": campaign}


def test_survey_worklist_lists_the_unvisited_by_street_with_progress_and_countdown(client, staff, survey_world):
    client.force_login(staff)
    response = client.get(reverse("assessments:plan-survey"))
    assert response.status_code == 200
    assert [e.name for e in response.context["page_obj"]] == ["区县未走访", "财源未走访", "上高未走访"]
    progress = [(line["name"], line["done"], line["total"]) for line in response.context["progress"]]
    assert progress == [("财源街道", 1, 2), ("上高街道", 0, 1), ("未落实到街道", 0, 1)]
    [campaign] = response.context["campaigns"]
    assert campaign["days_left"] == 10
    assert "还剩 <strong>10</strong> 天" in response.content.decode()
    one = client.get(reverse("assessments:plan-survey"), {"street": "370902001000"})
    assert [e.name for e in one.context["page_obj"]] == ["财源未走访"]


def test_survey_worklist_of_another_district_sees_only_its_own(client, outsider, survey_world):
    client.force_login(outsider)
    response = client.get(reverse("assessments:plan-survey"))
    assert [e.name for e in response.context["page_obj"]] == ["岱岳未走访"]
    assert client.get(reverse("assessments:plan-survey"), {"street": "370902001000"}).status_code == 404


# --- Bounded queries ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["plan-joint", "plan-dispatch", "plan-place", "plan-survey"])
def test_planner_pages_run_a_bounded_number_of_queries(
    client, staff, joint_world, dispatch_world, survey_world, name, django_assert_max_num_queries
):
    for n in range(8):
        enterprise(f"补充企业{n}", survey_world["caiyuan"], address="泰山区财源街道")
    client.force_login(staff)
    with django_assert_max_num_queries(14):
        assert client.get(reverse(f"assessments:{name}")).status_code == 200
