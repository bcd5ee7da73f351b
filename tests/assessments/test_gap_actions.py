"""Every gap leads to the action that closes it: on the enterprise's page and on every gap-list row,
the button named for the workflow (记录走访 · 登记党员 · 组建党组织 · 派驻指导员), prefilled; hidden
from roles that may not edit party work (leaders); each link resolves once the forms are routed."""

from __future__ import annotations

import datetime as dt
from html import escape

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from assessments.actions import (
    DISPATCH,
    MEMBER_CREATE,
    ORGANIZATION_CREATE,
    SURVEY_VISIT,
    enterprise_gaps,
    gap_list_actions,
)
from assessments.rules import annotate_ledger
from enterprises.models import Enterprise
from organizations.choices import MemberStatus
from portal.choices import Role
from tests.assessments.factories import CompleteEnterpriseFactory, SurveyCampaignFactory, SurveyVisitFactory
from tests.factories import AssignmentFactory, CarrierFactory, PartyMemberFactory, PartyOrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

# The URL contracts of WAVE3 (the forms other helpers build): the names the buttons link to.
CONTRACT = {
    "记录走访": "organizations:survey-visit",
    "登记党员": "organizations:member-create",
    "组建党组织": "organizations:create",
    "派驻指导员": "instructors:dispatch",
}


def _routed(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


def members(enterprise, n: int, status: str = MemberStatus.FULL, organization=None) -> None:
    """`n` members working at `enterprise`, each belonging to an organization (分布清楚)."""
    organization = organization or PartyOrganizationFactory(
        name=f"{enterprise.name}党员的组织关系", region=enterprise.region
    )
    for _ in range(n):
        PartyMemberFactory(workplace=enterprise, status=status, region=enterprise.region, organization=organization)


@pytest.fixture
def world(taishan, daiyue):
    today = timezone.localdate()
    campaign = SurveyCampaignFactory(region=taishan, starts_on=today - dt.timedelta(days=5), deadline=today)
    park = CarrierFactory(name="泰山科技园", region=taishan)
    due = CompleteEnterpriseFactory(name="三名正式党员未建")
    members(due, 3)
    few = CompleteEnterpriseFactory(name="两名党员未建", carrier=park)
    members(few, 2)
    empty = CompleteEnterpriseFactory(name="无党员无指导员", employee_count=60)
    covered = CompleteEnterpriseFactory(name="全部清楚")
    members(covered, 3)
    PartyOrganizationFactory(region=taishan, covered=[covered])
    SurveyVisitFactory(campaign=campaign, enterprise=covered, visited_on=today)
    served = CompleteEnterpriseFactory(name="已派驻指导员")
    AssignmentFactory(enterprise=served, start_on=today)
    SurveyVisitFactory(campaign=campaign, enterprise=served, visited_on=today)
    far = CompleteEnterpriseFactory(name="岱岳三名党员", region=daiyue)
    members(far, 3)
    return {"due": due, "few": few, "empty": empty, "covered": covered, "served": served, "far": far, "park": park}


def _gaps(enterprise) -> dict[str, list[tuple[str, str, tuple]]]:
    state = annotate_ledger(Enterprise.objects.filter(pk=enterprise.pk), timezone.localdate()).get()
    return {g.figure: [(a.label, a.url_name, a.query) for a in g.actions] for g in enterprise_gaps(state)}


def test_each_gap_names_the_action_that_closes_it_prefilled(world):
    due, few, empty = world["due"], world["few"], world["empty"]
    assert _gaps(due) == {
        "standalone_due": [
            ("组建党组织", "organizations:create", (("formation", "STANDALONE"), ("enterprise", due.pk)))
        ],
        "not_surveyed": [("记录走访", "organizations:survey-visit", (("enterprise", due.pk),))],
    }
    assert _gaps(few) == {
        "members_no_org": [
            (
                "组建党组织",
                "organizations:create",
                (("formation", "JOINT"), ("carrier", world["park"].pk), ("enterprise", few.pk)),
            ),
            ("登记党员", "organizations:member-create", (("enterprise", few.pk),)),
        ],
        "not_surveyed": [("记录走访", "organizations:survey-visit", (("enterprise", few.pk),))],
    }
    assert _gaps(empty) == {
        "no_members_no_instructor": [("派驻指导员", "instructors:dispatch", (("enterprise", empty.pk),))],
        "fifty_no_members": [("登记党员", "organizations:member-create", (("enterprise", empty.pk),))],
        "not_surveyed": [("记录走访", "organizations:survey-visit", (("enterprise", empty.pk),))],
    }
    assert _gaps(world["covered"]) == {}
    assert _gaps(world["served"]) == {}


def test_an_unmet_clear_leads_to_the_visit(world):
    blank = CompleteEnterpriseFactory(name="地址空白", address="")
    assert _gaps(blank)["clear_overall"] == [("记录走访", "organizations:survey-visit", (("enterprise", blank.pk),))]
    unplaced = CompleteEnterpriseFactory(name="党员无组织关系")
    PartyMemberFactory(workplace=unplaced, region=unplaced.region, organization=None)
    assert _gaps(unplaced)["clear_distribution"] == [
        ("记录走访", "organizations:survey-visit", (("enterprise", unplaced.pk),))
    ]


def test_the_buttons_link_to_the_contracted_form_names():
    assert {SURVEY_VISIT, MEMBER_CREATE, ORGANIZATION_CREATE, DISPATCH} == set(CONTRACT.items())


@pytest.mark.skipif(
    not all(_routed(name) for name in CONTRACT.values()), reason="the workflow forms are routed after the merge"
)
def test_every_action_link_resolves_on_the_enterprise_page_and_the_gap_lists(client, staff, world):
    client.force_login(staff)
    page = client.get(world["due"].get_absolute_url()).content.decode()
    assert escape(f"{reverse('organizations:create')}?formation=STANDALONE&enterprise={world['due'].pk}") in page
    assert escape(f"{reverse('organizations:survey-visit')}?enterprise={world['due'].pk}") in page
    for gap, label in (
        ("standalone_due", "组建党组织"),
        ("members_no_org", "组建党组织"),
        ("no_members_no_instructor", "派驻指导员"),
        ("not_surveyed", "记录走访"),
        ("fifty_no_members", "登记党员"),
    ):
        response = client.get(reverse("assessments:gap", args=[gap]), {"live": "1"})
        content = response.content.decode()
        for row in response.context["rows"]:
            assert f'href="{reverse(CONTRACT[label])}?' in content
            assert str(row.pk) in content
    for name in CONTRACT.values():
        assert client.get(reverse(name)).status_code < 500


def test_the_enterprise_page_shows_each_gap_with_its_button_for_staff(client, staff, world):
    client.force_login(staff)
    response = client.get(world["few"].get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    for figure in ("members_no_org", "not_surveyed"):
        assert f'data-gap="{figure}"' in content
    for label, name in CONTRACT.items():
        if _routed(name) and label in ("组建党组织", "登记党员", "记录走访"):
            assert f">{label}</a>" in content
    assert "gap-buttons" in content


def test_leaders_see_the_gaps_but_no_buttons(client, world, taishan):
    leader = UserFactory(username="leader", role=Role.LEADER, jurisdiction=taishan)
    client.force_login(leader)
    content = client.get(world["due"].get_absolute_url()).content.decode()
    assert 'data-gap="standalone_due"' in content
    assert "gap-buttons" not in content
    gap_list = client.get(reverse("assessments:gap", args=["standalone_due"]), {"live": "1"})
    assert [e.name for e in gap_list.context["rows"]] == ["三名正式党员未建"]
    assert "<th>处理</th>" not in gap_list.content.decode()
    assert gap_list.context["can_act"] is False


@pytest.mark.parametrize(
    ("gap", "expected"),
    [
        ("standalone_due", {"三名正式党员未建": ["组建党组织"]}),
        ("members_no_org", {"两名党员未建": ["组建党组织", "登记党员"], "三名正式党员未建": ["组建党组织"]}),
        ("no_members_no_instructor", {"无党员无指导员": ["派驻指导员"]}),
        ("fifty_no_members", {"无党员无指导员": ["登记党员"]}),
        (
            "not_surveyed",
            {"三名正式党员未建": ["记录走访"], "两名党员未建": ["记录走访"], "无党员无指导员": ["记录走访"]},
        ),
    ],
)
def test_every_gap_list_row_offers_the_action_that_closes_that_gap(client, staff, world, gap, expected):
    client.force_login(staff)
    response = client.get(reverse("assessments:gap", args=[gap]), {"live": "1"})
    assert response.status_code == 200
    assert response.context["can_act"] is True
    got = {row.name: [a.label for a in gap_list_actions(row, gap)] for row in response.context["rows"]}
    assert got == expected
    assert "岱岳三名党员" not in response.content.decode()


def test_the_standalone_due_row_links_the_standalone_form_prefilled(client, staff, world):
    client.force_login(staff)
    response = client.get(reverse("assessments:gap", args=["standalone_due"]), {"live": "1"})
    [row] = response.context["rows"]
    [action] = gap_list_actions(row, "standalone_due")
    assert action.query == (("formation", "STANDALONE"), ("enterprise", world["due"].pk))
    if _routed("organizations:create"):
        assert escape(action.url) in response.content.decode()


def test_another_district_sees_none_of_the_gaps(client, outsider, world):
    client.force_login(outsider)
    assert client.get(world["due"].get_absolute_url()).status_code == 404
    response = client.get(reverse("assessments:gap", args=["standalone_due"]), {"live": "1"})
    assert [e.name for e in response.context["rows"]] == ["岱岳三名党员"]


def test_the_enterprise_page_and_a_gap_list_run_a_bounded_number_of_queries(
    client, staff, world, django_assert_max_num_queries
):
    for n in range(10):
        members(CompleteEnterpriseFactory(name=f"补充{n}"), 3)
    client.force_login(staff)
    with django_assert_max_num_queries(25):
        assert client.get(world["few"].get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("assessments:gap", args=["standalone_due"]), {"live": "1"}).status_code == 200
