"""Every number agrees with the list behind it, and adds up: every figure is reachable in the pages
and the API, each region's breakdown adds up to it (with an explicit "not placed below" line),
the same label means the same number on every page, and malformed parameters answer 400."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

import portal.views
from assessments import services, snapshots
from assessments.choices import Dimension, PeriodStatus
from assessments.models import LedgerRow
from assessments.rules import FIGURES, GAPS
from enterprises.models import Enterprise
from portal.choices import Role
from portal.models import AuditEvent, Region
from tests.assessments.world import AS_OF, build_world
from tests.factories import UserFactory, city

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(taishan, daiyue):
    world = build_world()
    world["snapshot"] = snapshots.take_snapshot(as_of=AS_OF)
    return world


@pytest.fixture
def admin_user(taishan):
    return UserFactory(username="city_admin", role=Role.CITY_ADMIN, jurisdiction=city(), is_staff=True)


def _page_count(response) -> int:
    return response.context["paginator"].count


# --- 1. every figure of the dashboard and the statistics table, in page and API -----------------


def test_every_figure_is_reachable_in_the_pages_and_the_api(client, staff, world):
    client.force_login(staff)
    snapshot = world["snapshot"]
    for figure in FIGURES:
        page = client.get(reverse("assessments:enterprises"), {"figure": figure.name, "snapshot": snapshot.pk})
        assert page.status_code == 200, figure.name
        api = client.get(f"/api/v1/ledger/gaps/{figure.name}/", {"snapshot": snapshot.pk})
        assert api.status_code == 200, figure.name
        assert api.json()["count"] == _page_count(page), figure.name
    for figure in GAPS:
        assert client.get(reverse("assessments:gap", args=[figure.name])).status_code == 200


def test_joint_branch_with_three_members_counts_probationary_ones(client, staff, world):
    client.force_login(staff)
    response = client.get("/api/v1/ledger/gaps/joint_only_3plus/", {"as_of": AS_OF.isoformat()})
    names = {row["name"] for row in response.json()["results"]}
    assert names == {"joint_three_full", "joint_two_full_one_probationary"}
    table = client.get(reverse("assessments:statistics"), {"as_of": AS_OF.isoformat()}).context["table"]
    labels = [line.label for line in table.lines]
    assert "具有3名以上党员的" in labels and "其中：3名以上正式党员的" not in labels


# --- 2. each level's breakdown adds up: children + "not placed below" = parent ------------------


def test_children_and_the_unplaced_line_add_up_to_every_region(world):
    snapshots.take_snapshot(as_of=AS_OF.replace(day=1))
    checked = 0
    for region in Region.objects.filter(pk__in=LedgerRow.objects.values("region")):
        for row in LedgerRow.objects.filter(dimension=Dimension.REGION, region=region):
            children = LedgerRow.objects.filter(
                snapshot=row.snapshot, dimension=Dimension.REGION, region__parent=region
            )
            if not Region.objects.filter(parent=region).exists():
                continue
            unplaced = LedgerRow.objects.filter(
                snapshot=row.snapshot, dimension=Dimension.REGION_UNPLACED, region=region
            ).first()
            for figure in FIGURES:
                total = sum(getattr(child, figure.name) for child in children)
                total += getattr(unplaced, figure.name) if unplaced else 0
                assert total == getattr(row, figure.name), (region.name, figure.name)
            checked += 1
    assert checked >= 4  # city and 泰山区 in two snapshots


def test_the_unplaced_line_lists_exactly_the_enterprises_registered_at_the_district(client, staff, world, taishan):
    client.force_login(staff)
    snapshot = world["snapshot"]
    response = client.get(reverse("assessments:dashboard"), {"region": taishan.code})
    unplaced = response.context["unplaced"]
    assert unplaced["label"] == "未落实到街道"
    assert "未落实到街道" in response.content.decode()
    at_district = Enterprise.objects.in_scope().filter(region=taishan)
    assert unplaced["row"].enterprises == at_district.count() > 0
    params = {"figure": "enterprises", "snapshot": snapshot.pk, "region": taishan.code, "unplaced": "1"}
    page = client.get(reverse("assessments:enterprises"), params)
    assert _page_count(page) == at_district.count()
    assert {e.pk for e in page.context["rows"]} == set(at_district.values_list("pk", flat=True))
    live = client.get(reverse("assessments:enterprises"), {**params, "snapshot": "", "as_of": AS_OF.isoformat()})
    assert _page_count(live) == at_district.count()
    api = client.get("/api/v1/ledger/gaps/enterprises/", params).json()
    assert api["count"] == at_district.count()
    gap = client.get(reverse("assessments:gap", args=["not_surveyed"]), {**params, "figure": ""})
    assert all(e.region_id == taishan.pk for e in gap.context["rows"])
    # The line's own links carry the filter.
    assert all("unplaced=1" in cell["query"] for cell in unplaced["cells"])


def test_another_district_sees_nothing_of_the_unplaced_line(client, outsider, world, taishan):
    client.force_login(outsider)
    params = {"figure": "enterprises", "region": taishan.code, "unplaced": "1"}
    assert client.get(reverse("assessments:enterprises"), params).status_code == 404
    assert client.get("/api/v1/ledger/gaps/enterprises/", params).status_code == 404


# --- 3. one label, one number: home, dashboard, statistics table --------------------------------


def test_home_figures_come_from_the_latest_snapshot_and_match_the_ledger(client, staff, world, taishan):
    client.force_login(staff)
    home = client.get("/")
    cards = {label: (count, url, as_of) for label, _counts, count, url, as_of in home.context["cards"]}
    row = LedgerRow.objects.get(snapshot=world["snapshot"], dimension=Dimension.REGION, region=taishan)
    assert cards["在册存续企业"][0] == row.enterprises
    assert cards["在册存续企业"][2] == AS_OF
    assert cards["党员（含预备党员）"][0] == row.full_members + row.probationary_members
    assert cards["全部登记企业"][0] == Enterprise.objects.filter(region__path__startswith=taishan.path).count()
    dashboard = client.get(reverse("assessments:dashboard"), {"region": taishan.code}).context["total"]
    due = next(cell["value"] for cell in dashboard["cells"] if cell["figure"] == "standalone_due")
    table = client.get(reverse("assessments:statistics")).context["table"]
    lines = {line.label: line.values[0] for line in table.lines if line.values}
    assert cards["应建未建"][0] == due == lines["应建未建（3名以上正式党员）"]
    assert lines["党员（人）"] == cards["党员（含预备党员）"][0]
    # Each figure links to its list, and that list has the figure's length.
    listed = client.get(cards["在册存续企业"][1])
    assert _page_count(listed) == row.enterprises
    assert "截至" in home.content.decode()


def test_the_home_page_of_another_district_shows_only_its_own(client, outsider, world):
    client.force_login(outsider)
    cards = {label: count for label, _counts, count, _url, _as_of in client.get("/").context["cards"]}
    assert cards["在册存续企业"] == 1


def test_the_floor_no_longer_holds_the_home_page():
    assert not hasattr(portal.views, "HomeView")


# --- 5. a submitted period's table says so --------------------------------------------------------


def _submitted_period(staff, taishan):
    period = services.period_create(region=taishan, name="2026年上半年", as_of=AS_OF, acting_user=staff)
    period = services.period_compute(period=period, acting_user=staff)
    period = services.period_check(period=period, acting_user=staff)
    return services.period_submit(period=period, acting_user=staff)


def test_a_submitted_periods_table_is_marked_locked_with_who_and_when(client, staff, world, taishan):
    period = _submitted_period(staff, taishan)
    client.force_login(staff)
    snapshot = period.snapshots.get()
    locked = client.get(reverse("assessments:statistics"), {"snapshot": snapshot.pk, "region": taishan.code})
    body = locked.content.decode()
    assert "已上报 · 锁定" in body and str(staff) in body
    assert "已上报 · 锁定" in locked.context["title"]
    export = client.get(
        reverse("assessments:statistics"), {"snapshot": snapshot.pk, "region": taishan.code, "export": "xlsx"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert "已上报 · 锁定" in sheet["A1"].value
    live = client.get(reverse("assessments:statistics"), {"region": taishan.code})
    assert "已上报 · 锁定" not in live.content.decode()


# --- 6. the period workflow records who did what; a city administrator may reopen -------------------


def test_the_workflow_records_who_counted_checked_and_submitted(staff, world, taishan):
    period = _submitted_period(staff, taishan)
    assert period.status == PeriodStatus.SUBMITTED
    assert (period.computed_by, period.checked_by, period.submitted_by) == (staff, staff, staff)
    assert period.computed_at and period.checked_at and period.submitted_at


def test_a_leader_may_not_compute_and_an_outsider_may_not_touch_another_districts_period(
    staff, outsider, world, taishan
):
    period = services.period_create(region=taishan, name="期间", as_of=AS_OF, acting_user=staff)
    leader = UserFactory(username="leader", role=Role.LEADER, jurisdiction=taishan)
    with pytest.raises(PermissionDenied):
        services.period_compute(period=period, acting_user=leader)
    with pytest.raises(PermissionDenied):
        services.period_compute(period=period, acting_user=outsider)
    with pytest.raises(PermissionDenied):
        services.period_create(region=taishan, name="别人的", as_of=AS_OF, acting_user=outsider)


def test_only_a_city_administrator_reopens_with_a_reason_and_it_is_audited(staff, admin_user, world, taishan):
    period = _submitted_period(staff, taishan)
    with pytest.raises(PermissionDenied):
        services.period_reopen(period=period, reason="数据有误需要更正", acting_user=staff)
    with pytest.raises(ValidationError):
        services.period_reopen(period=period, reason=" ", acting_user=admin_user)
    period = services.period_reopen(period=period, reason="数据有误需要更正", acting_user=admin_user)
    assert period.status == PeriodStatus.COMPUTED
    assert period.reopened_by == admin_user and period.reopen_reason == "数据有误需要更正"
    event = AuditEvent.objects.filter(
        table_name="assessments_ledgerperiod", object_id=str(period.pk), context="period_reopen"
    ).get()
    assert event.actor_id == admin_user.pk
    assert event.changes["status"] == ["SUBMITTED", "COMPUTED"]
    submitted = AuditEvent.objects.get(
        table_name="assessments_ledgerperiod", object_id=str(period.pk), context="period_submit"
    )
    assert submitted.actor_id == staff.pk
    # Reopened: it can be counted again.
    services.period_compute(period=period, acting_user=staff)


def test_reopen_page_asks_for_a_reason_and_confirmation(client, staff, admin_user, world, taishan):
    period = _submitted_period(staff, taishan)
    client.force_login(admin_user)
    url = reverse("assessments:period-reopen", args=[period.pk])
    assert "退回原因" in client.get(url).content.decode()
    response = client.post(url, {"reason": "数据有误需要更正"})
    assert "请勾选确认" in response.content.decode()
    period.refresh_from_db()
    assert period.status == PeriodStatus.SUBMITTED
    client.post(url, {"reason": "数据有误需要更正", "confirm": "1"})
    period.refresh_from_db()
    assert period.status == PeriodStatus.COMPUTED
    client.force_login(staff)
    period = _resubmit(staff, period)
    assert client.post(url, {"reason": "数据有误需要更正", "confirm": "1"}).status_code == 403


def _resubmit(staff, period):
    period = services.period_compute(period=period, acting_user=staff)
    period = services.period_check(period=period, acting_user=staff)
    return services.period_submit(period=period, acting_user=staff)


# --- 7. malformed parameters answer 400, never 500 ------------------------------------------------

BAD_VALUES = ("\x00", "²", "-1", "9" * 5000, "1e9", "' OR 1=1", "370902\x00")
PARAMETERS = (
    "region",
    "snapshot",
    "carrier",
    "as_of",
    "industry",
    "kind",
    "above_scale",
    "legal_member",
    "size_band",
    "unplaced",
    "live",
    "figure",
    "by",
    "dimension",
    "export",
)


def _ledger_urls(world) -> list[tuple[str, dict]]:
    figure = {"figure": "standalone_due"}
    return [
        (reverse("assessments:dashboard"), {}),
        (reverse("assessments:enterprises"), figure),
        (reverse("assessments:gap", args=["standalone_due"]), {}),
        (reverse("assessments:statistics"), {}),
        (reverse("assessments:trend"), {}),
        ("/api/v1/ledger/gaps/standalone_due/", {}),
        ("/api/v1/ledger/rows/", {}),
    ]


def test_malformed_parameters_answer_400_with_a_chinese_message(client, staff, world):
    client.force_login(staff)
    for url, base in _ledger_urls(world):
        for name in PARAMETERS:
            for value in BAD_VALUES:
                if name in base:
                    continue
                response = client.get(url, {**base, name: value})
                assert response.status_code in (400, 404), (url, name, repr(value[:20]), response.status_code)
                if value in ("\x00", "²") or len(value) > 100:
                    assert response.status_code == 400, (url, name, repr(value[:20]))
                    assert "参数" in response.content.decode(), (url, name)
