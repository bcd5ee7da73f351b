"""行政区划调整: a street moving to another district takes its communities, their enterprises and
members with it — in the ledger, in every page's and the API's scoping — while snapshots taken
before the move keep their figures, and the move is attributed in the change log."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.choices import Dimension
from assessments.models import LedgerRow
from assessments.snapshots import live_totals, take_snapshot
from enterprises.models import Enterprise
from portal.choices import AuditAction, RegionLevel, Role
from portal.models import AuditEvent, Region
from portal.services import region_move
from tests.assessments.factories import CompleteEnterpriseFactory, street
from tests.factories import PartyMemberFactory, UserFactory, city, district, region

pytestmark = pytest.mark.django_db

BEFORE = dt.date(2026, 6, 29)
AFTER = dt.date(2026, 6, 30)
FIGURES = ("enterprises", "with_members", "standalone_due", "members_no_org")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="city_admin", role=Role.CITY_ADMIN, is_staff=True, jurisdiction=city())


@pytest.fixture
def third(db):
    """Staff of a district the move does not touch: sees nothing before or after."""
    return UserFactory(username="ningyang_staff", role=Role.DISTRICT_STAFF, jurisdiction=district("370921", "宁阳县"))


@pytest.fixture
def tree(taishan, daiyue):
    """财源街道 (泰山区) with 一社区 below it; an enterprise there with three full members and no
    organization (应单独组建), and one enterprise that stays directly in 泰山区."""
    caiyuan = street(parent=taishan)
    community = region("370902001001", "财源一社区", RegionLevel.COMMUNITY, caiyuan)
    moving = CompleteEnterpriseFactory(name="随街道调整的企业有限公司", region=community)
    for n in range(3):
        PartyMemberFactory(name=f"调整党员{n}", workplace=moving, region=community)
    staying = CompleteEnterpriseFactory(name="留在泰山区的企业有限公司", region=taishan)
    return {"street": caiyuan, "community": community, "moving": moving, "staying": staying}


def _row(snapshot, region: Region) -> dict:
    """A region's figures in a snapshot (a region with no enterprise has no row: all zero)."""
    rows = LedgerRow.objects.filter(snapshot=snapshot, dimension=Dimension.REGION, region=region).values(*FIGURES)
    return rows.first() or dict.fromkeys(FIGURES, 0)


def _live(region: Region, as_of: dt.date) -> dict:
    totals = live_totals(Enterprise.objects.in_scope().in_region(region), as_of)
    return {name: totals[name] for name in FIGURES}


def _page_names(client, url: str, params=None) -> set[str]:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return {str(obj) for obj in response.context["object_list"]}


def _api_names(client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    return {row["name"] for row in response.json()["results"]}


# --- the tree ----------------------------------------------------------------------------------


def test_moving_a_street_rewrites_every_path_below_it_and_keeps_the_others(tree, daiyue, admin_user):
    taishan_before = district().path
    outcome = region_move(region=tree["street"], new_parent=daiyue, acting_user=admin_user)

    assert outcome.moved_count == 2 and outcome.old_parent == district()
    assert outcome.region.path == "370900/370911/370902001000/"
    tree["community"].refresh_from_db()
    assert tree["community"].path == "370900/370911/370902001000/370902001001/"
    assert tree["community"].is_within(daiyue) and not tree["community"].is_within(district())
    assert district().path == taishan_before
    assert list(daiyue.children.all()) == [outcome.region]


def test_saving_a_new_parent_moves_the_subtree_too(tree, daiyue):
    """Region.save() (the admin, a shell) routes a parent change through the same rewrite."""
    caiyuan = tree["street"]
    caiyuan.parent = daiyue
    caiyuan.save()
    tree["community"].refresh_from_db()
    assert tree["community"].path.startswith(daiyue.path)


def test_the_move_is_attributed_to_the_acting_user_in_the_change_log(tree, daiyue, admin_user):
    region_move(region=tree["street"], new_parent=daiyue, acting_user=admin_user)

    events = AuditEvent.objects.filter(table_name="portal_region", action=AuditAction.UPDATE)
    by_object = {e.object_id: e for e in events}
    moved = by_object[str(tree["street"].pk)]
    assert moved.actor == admin_user and moved.context == "region_move:370902001000"
    assert moved.changes["path"] == ["370900/370902/370902001000/", "370900/370911/370902001000/"]
    assert moved.changes["parent_id"] == [district().pk, daiyue.pk]
    below = by_object[str(tree["community"].pk)]
    assert below.actor == admin_user
    assert below.changes == {
        "path": ["370900/370902/370902001000/370902001001/", "370900/370911/370902001000/370902001001/"]
    }
    assert events.count() == 2  # nothing else was touched


# --- refusals -----------------------------------------------------------------------------------


def test_moving_a_region_under_its_own_descendant_is_refused_and_nothing_changes(tree, admin_user):
    taishan = district()
    with pytest.raises(ValidationError, match="下级区域"):
        region_move(region=taishan, new_parent=tree["community"], acting_user=admin_user)
    with pytest.raises(ValidationError, match="自身"):
        region_move(region=taishan, new_parent=taishan, acting_user=admin_user)
    assert Region.objects.get(pk=taishan.pk).path == "370900/370902/"
    assert not AuditEvent.objects.filter(table_name="portal_region", action=AuditAction.UPDATE).exists()


def test_a_street_must_go_under_a_district(tree, admin_user):
    with pytest.raises(ValidationError, match="街道乡镇应归属到区县"):
        region_move(region=tree["street"], new_parent=city(), acting_user=admin_user)
    with pytest.raises(ValidationError, match="社区村应归属到街道乡镇"):
        region_move(region=tree["community"], new_parent=district(), acting_user=admin_user)


def test_only_city_administrators_move_regions(tree, daiyue, staff, outsider):
    for user in (staff, outsider):
        with pytest.raises(PermissionDenied):
            region_move(region=tree["street"], new_parent=daiyue, acting_user=user)
    assert Region.objects.get(pk=tree["street"].pk).parent == district()


def test_the_admin_form_gets_the_cycle_message_from_clean(tree):
    taishan = district()
    taishan.parent = tree["street"]
    with pytest.raises(ValidationError) as refused:
        taishan.full_clean()
    assert "不能把“泰山区”调整到它的下级区域“财源街道”之下" in refused.value.message_dict["parent"]


def test_save_refuses_a_cycle_as_well(tree):
    taishan = district()
    taishan.parent = tree["community"]
    with pytest.raises(ValidationError, match="下级区域"):
        taishan.save()
    assert Region.objects.get(pk=taishan.pk).path == "370900/370902/"


# --- the ledger ---------------------------------------------------------------------------------


def test_the_ledger_counts_the_moved_enterprises_under_the_new_district(tree, taishan, daiyue, admin_user):
    before = take_snapshot(as_of=BEFORE, reason="调整前")
    old_rows = list(LedgerRow.objects.filter(snapshot=before).order_by("pk").values())
    assert _row(before, taishan) == {"enterprises": 2, "with_members": 1, "standalone_due": 1, "members_no_org": 1}
    assert _row(before, daiyue)["enterprises"] == 0

    region_move(region=tree["street"], new_parent=daiyue, acting_user=admin_user)

    # Live figures follow the new tree at once.
    assert _live(daiyue, AFTER) == {"enterprises": 1, "with_members": 1, "standalone_due": 1, "members_no_org": 1}
    assert _live(taishan, AFTER) == {"enterprises": 1, "with_members": 0, "standalone_due": 0, "members_no_org": 0}
    # A snapshot taken after the move rolls the street up into 岱岳区.
    after = take_snapshot(as_of=AFTER, reason="调整后")
    assert _row(after, daiyue) == _live(daiyue, AFTER)
    assert _row(after, taishan) == _live(taishan, AFTER)
    assert _row(after, tree["street"])["with_members"] == 1
    assert _row(after, city())["enterprises"] == 2
    # The snapshot taken before keeps its figures, row for row.
    assert list(LedgerRow.objects.filter(snapshot=before).order_by("pk").values()) == old_rows
    assert _row(before, taishan)["with_members"] == 1 and _row(before, daiyue)["with_members"] == 0


# --- scoping: pages and API ---------------------------------------------------------------------


def _sees(client, user, tree) -> dict[str, object]:
    client.force_login(user)
    moving = tree["moving"]
    return {
        "list": moving.name in _page_names(client, reverse("enterprises:list")),
        "detail": client.get(reverse("enterprises:detail", args=[moving.pk])).status_code,
        "members": {"调整党员0", "调整党员1", "调整党员2"} & _page_names(client, reverse("organizations:member-list")),
        "gap": moving.name in _page_names(client, reverse("assessments:gap", args=["standalone_due"]), {"live": "1"}),
        "api": moving.name in _api_names(client, "/api/v1/enterprises/"),
        "api_detail": client.get(f"/api/v1/enterprises/{moving.pk}/").status_code,
        "api_members": {"调整党员0", "调整党员1", "调整党员2"} & _api_names(client, "/api/v1/members/"),
    }


VISIBLE = {
    "list": True,
    "detail": 200,
    "members": {"调整党员0", "调整党员1", "调整党员2"},
    "gap": True,
    "api": True,
    "api_detail": 200,
    "api_members": {"调整党员0", "调整党员1", "调整党员2"},
}
ABSENT = {
    "list": False,
    "detail": 404,
    "members": set(),
    "gap": False,
    "api": False,
    "api_detail": 404,
    "api_members": set(),
}


def test_pages_and_api_follow_the_new_tree_for_both_districts_staff(
    client, tree, daiyue, staff, outsider, third, admin_user
):
    assert _sees(client, staff, tree) == VISIBLE
    assert _sees(client, outsider, tree) == ABSENT

    region_move(region=tree["street"], new_parent=daiyue, acting_user=admin_user)

    assert _sees(client, staff, tree) == ABSENT  # 泰山区 no longer sees or changes them
    assert _sees(client, outsider, tree) == VISIBLE  # 岱岳区 does
    assert _sees(client, third, tree) == ABSENT
    client.force_login(staff)
    assert tree["staying"].name in _page_names(client, reverse("enterprises:list"))


# --- the command --------------------------------------------------------------------------------


def test_the_command_moves_the_region_and_reports_in_chinese(tree, daiyue, admin_user):
    out = StringIO()
    call_command("move_region", "370902001000", "370911", user="city_admin", stdout=out)
    assert "已将“财源街道”（370902001000）从“泰山区”调整到“岱岳区”之下，共更新 2 个区域的路径" in out.getvalue()
    assert Region.objects.get(code="370902001001").is_within(daiyue)


def test_the_command_reports_a_refusal_in_chinese(tree, staff, admin_user):
    with pytest.raises(CommandError, match=r"未调整：.*下级区域"):
        call_command("move_region", "370902", "370902001000", user="city_admin")
    with pytest.raises(CommandError, match="只有市级管理员"):
        call_command("move_region", "370902001000", "370911", user=staff.username)
    with pytest.raises(CommandError, match="区划代码 999999 不存在"):
        call_command("move_region", "999999", "370911", user="city_admin")
