"""Ledger pages, exports and API: scoped to the user's region, numbers link to the same lists."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from assessments import services, snapshots
from assessments.choices import PeriodStatus, SnapshotStatus
from assessments.models import LedgerPeriod, LedgerRow
from organizations.choices import OrgLevel
from portal.choices import AccessKind, Role
from portal.models import AccessLog
from tests.assessments.factories import CompleteEnterpriseFactory
from tests.assessments.world import AS_OF, EXPECTED, build_world
from tests.factories import PartyMemberFactory, PartyOrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(taishan, daiyue):
    world = build_world()
    snapshots.take_snapshot(as_of=AS_OF)
    return world


def _names(response) -> set[str]:
    return {e.name for e in response.context["object_list"]}


def _taishan_expected(figure: str) -> set[str]:
    return {case for case, figures in EXPECTED.items() if figure in figures and case != "other_district"}


def test_dashboard_shows_the_districts_rows_with_drilldown_links(client, staff, world):
    client.force_login(staff)
    response = client.get(reverse("assessments:dashboard"), {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    total = response.context["total"]
    assert total["label"] == "泰山区"
    assert total["row"].enterprises == len(_taishan_expected("enterprises"))
    assert [line["label"] for line in response.context["rows"]] == ["财源街道"]
    content = response.content.decode()
    assert "figure=standalone_due&amp;region=370902" in content or "figure=standalone_due" in content


@pytest.mark.parametrize("by", ["kind", "industry", "above_scale", "carrier"])
def test_dashboard_other_groupings(client, staff, world, by):
    client.force_login(staff)
    response = client.get(reverse("assessments:dashboard"), {"as_of": AS_OF.isoformat(), "by": by})
    assert response.status_code == 200
    assert response.context["rows"]


def test_another_district_sees_nothing_of_taishan(client, outsider, world):
    client.force_login(outsider)
    response = client.get(reverse("assessments:dashboard"))
    assert response.context["total"]["label"] == "岱岳区"
    assert client.get(reverse("assessments:dashboard"), {"region": "370902"}).status_code == 404
    response = client.get(reverse("assessments:enterprises"), {"figure": "enterprises", "as_of": AS_OF.isoformat()})
    assert _names(response) == {"other_district"}
    drill = client.get(reverse("assessments:enterprises"), {"figure": "org_covered", "region": "370902"})
    assert drill.status_code == 404
    assert LedgerRow.objects.visible_to(outsider).filter(region__code="370902").count() == 0


@pytest.mark.parametrize("figure", ["standalone_due", "members_no_org", "work_covered", "clear_all", "no_org_few"])
def test_drilldown_lists_exactly_what_the_snapshot_counts(client, staff, world, figure):
    client.force_login(staff)
    response = client.get(
        reverse("assessments:enterprises"), {"figure": figure, "region": "370902", "as_of": AS_OF.isoformat()}
    )
    assert _names(response) == _taishan_expected(figure)
    row = LedgerRow.objects.get(snapshot__as_of=AS_OF, dimension="region", region__code="370902")
    assert getattr(row, figure) == len(_taishan_expected(figure))


@pytest.mark.parametrize("gap", ["members_no_org", "standalone_due", "no_members_no_instructor", "fifty_no_members"])
def test_gap_lists(client, staff, world, gap):
    client.force_login(staff)
    response = client.get(reverse("assessments:gap", args=[gap]), {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    assert _names(response) == _taishan_expected(gap)


def test_gap_list_filters_by_carrier_and_industry(client, staff, world):
    client.force_login(staff)
    park = world["joint_three_full"].carrier
    response = client.get(
        reverse("assessments:gap", args=["standalone_due"]), {"carrier": park.pk, "as_of": AS_OF.isoformat()}
    )
    assert _names(response) == {"joint_three_full"}
    response = client.get(
        reverse("assessments:gap", args=["standalone_due"]), {"industry": "A", "as_of": AS_OF.isoformat()}
    )
    assert _names(response) == set()


def test_non_gap_figures_are_404_and_unknown_figures_400(client, staff, world):
    client.force_login(staff)
    assert client.get(reverse("assessments:gap", args=["enterprises"])).status_code == 404
    response = client.get(reverse("assessments:enterprises"), {"figure": "nope"})
    assert response.status_code == 400
    assert "指标" in response.content.decode()


def test_list_page_queries_do_not_grow_with_rows(client, staff, world, django_assert_max_num_queries):
    client.force_login(staff)
    url = reverse("assessments:gap", args=["not_surveyed"])
    client.get(url)  # the session is saved on the first request
    # session, user, regions, carriers, count, ids, figures, the newest snapshot (toggle), save
    with django_assert_max_num_queries(12):
        client.get(url, {"as_of": AS_OF.isoformat()})
    for _ in range(30):
        enterprise = CompleteEnterpriseFactory()
        PartyMemberFactory(workplace=enterprise, region=enterprise.region)
    with django_assert_max_num_queries(12):
        response = client.get(url, {"as_of": AS_OF.isoformat()})
    assert len(response.context["object_list"]) > 30


def test_export_is_escaped_and_logged(client, staff, world):
    CompleteEnterpriseFactory(name='=HYPERLINK("http://x")', employee_count=60)
    client.force_login(staff)
    response = client.get(
        reverse("assessments:gap", args=["fifty_no_members"]), {"export": "xlsx", "as_of": AS_OF.isoformat()}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert "exactly_fifty" in names
    assert '\'=HYPERLINK("http://x")' in names
    log = AccessLog.objects.get(user=staff, kind=AccessKind.EXPORT)  # once: not again by the middleware
    assert log.detail["rows"] == len([name for name in names if name])


def test_leaders_without_export_capability_cannot_export(client, world, taishan):
    commerce = UserFactory(username="commerce", role=Role.COMMERCE_STAFF, jurisdiction=taishan)
    client.force_login(commerce)
    assert client.get(reverse("assessments:dashboard")).status_code == 403


def test_statistics_table_page_and_export(client, staff, world):
    client.force_login(staff)
    response = client.get(reverse("assessments:statistics"), {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    table = response.context["table"]
    lines = {line.label: line.values for line in table.lines}
    assert lines["单位数"][0] == len(_taishan_expected("enterprises"))
    assert lines["有3名以上正式党员的"][0] == len(_taishan_expected("no_org_due"))
    assert lines["具有3名以上党员的"][0] == len(_taishan_expected("joint_only_3plus"))
    assert lines["应建未建（3名以上正式党员）"][0] == len(_taishan_expected("standalone_due"))
    assert lines["单位数"][2] == 1  # 100 人以上
    assert lines["单位数"][1] == 2  # 50 人以上: exactly 50 and 120
    response = client.get(reverse("assessments:statistics"), {"as_of": AS_OF.isoformat(), "export": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet["A1"].value == "非公有制经济控制企业党建工作情况统计表"
    assert "A1:" in " ".join(str(r) for r in sheet.merged_cells.ranges)
    assert sheet["A5"].value == "单位数"
    assert sheet["B5"].value == len(_taishan_expected("enterprises"))
    assert AccessLog.objects.filter(kind=AccessKind.EXPORT).exists()


def test_trend_page(client, staff, world):
    snapshots.take_snapshot(as_of=AS_OF.replace(day=1))
    client.force_login(staff)
    response = client.get(reverse("assessments:trend"))
    assert response.status_code == 200
    assert len(response.context["lines"]) == 2


def test_enterprise_page_shows_its_coverage(client, staff, world):
    client.force_login(staff)
    response = client.get(reverse("enterprises:detail", args=[world["exactly_three_full_no_org"].pk]))
    assert response.status_code == 200
    assert "应建未建" in response.content.decode()


def test_period_workflow_locks_the_figures(client, staff, world, taishan):
    client.force_login(staff)
    client.post(reverse("assessments:period-create"), {"name": "2026年上半年", "as_of": AS_OF.isoformat()})
    period = LedgerPeriod.objects.get()
    assert period.region == taishan
    for action in ("compute", "check"):
        client.post(reverse("assessments:period-action", args=[period.pk, action]))
    submit = reverse("assessments:period-submit", args=[period.pk])
    client.post(submit)
    period.refresh_from_db()
    assert period.status == PeriodStatus.CHECKED  # 上报 asks for confirmation first
    assert "确认上报" in client.get(submit).content.decode()
    client.post(submit, {"confirm": "1"})
    period.refresh_from_db()
    assert period.status == PeriodStatus.SUBMITTED
    assert period.computed_by == staff and period.checked_by == staff and period.submitted_by == staff
    snapshot = period.snapshots.get()
    assert snapshot.status == SnapshotStatus.COMPLETE
    row = LedgerRow.objects.get(snapshot=snapshot, dimension="region", region=taishan)
    before = row.enterprises
    assert not LedgerRow.objects.filter(snapshot=snapshot, region__code="370900").exists()
    # Data changes afterwards; the submitted period does not.
    CompleteEnterpriseFactory()
    with pytest.raises(snapshots.LedgerLocked):
        snapshots.take_snapshot(as_of=period.as_of, period=period)
    client.post(reverse("assessments:period-action", args=[period.pk, "compute"]))
    row.refresh_from_db()
    assert row.enterprises == before
    assert snapshots.redo_stale() == []


def test_check_fails_when_data_changed_after_computing(staff, world, taishan):
    period = services.period_create(region=taishan, name="检查", as_of=AS_OF, acting_user=staff)
    services.period_compute(period=period, acting_user=staff)
    CompleteEnterpriseFactory()
    period = services.period_check(period=period, acting_user=staff)
    assert period.status == PeriodStatus.COMPUTED
    assert period.check_errors
    with pytest.raises(Exception, match="校核通过后才能上报"):
        services.period_submit(period=period, acting_user=staff)


def test_leader_cannot_manage_periods(client, world, taishan):
    leader = UserFactory(username="leader", role=Role.LEADER, jurisdiction=taishan)
    client.force_login(leader)
    response = client.post(reverse("assessments:period-create"), {"name": "x", "as_of": AS_OF.isoformat()})
    assert response.status_code == 403
    assert client.get(reverse("assessments:periods")).status_code == 200


def test_api_rows_and_gaps_are_scoped(client, staff, outsider, world):
    client.force_login(staff)
    response = client.get("/api/v1/ledger/rows/", {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    codes = {row["region_code"] for row in response.json()["results"]}
    assert codes == {"370902", "370902001000"}
    response = client.get("/api/v1/ledger/gaps/standalone_due/", {"as_of": AS_OF.isoformat()})
    assert {row["name"] for row in response.json()["results"]} == _taishan_expected("standalone_due")
    assert client.post("/api/v1/ledger/rows/", {}).status_code in (403, 405)
    client.force_login(outsider)
    response = client.get("/api/v1/ledger/gaps/standalone_due/", {"as_of": AS_OF.isoformat()})
    assert response.json()["results"] == []
    assert client.get("/api/v1/ledger/gaps/nope/").status_code == 404


def test_dashboard_shows_the_current_campaign_deadline(client, staff, world):
    client.force_login(staff)
    response = client.get(reverse("assessments:dashboard"), {"as_of": AS_OF.isoformat()})
    assert "截止 2026-09-30" in response.content.decode()


def test_level_mismatch_warnings(client, staff, outsider, world, taishan):
    big = PartyOrganizationFactory(name="超员党支部", region=taishan)
    fine = PartyOrganizationFactory(name="满员党支部", region=taishan)
    general = PartyOrganizationFactory(name="党总支", level=OrgLevel.GENERAL_BRANCH, region=taishan)
    for organization, n in ((big, 51), (fine, 50), (general, 60)):
        for _ in range(n):
            PartyMemberFactory(organization=organization, region=taishan)
    client.force_login(staff)
    response = client.get(reverse("assessments:level-mismatch"))
    assert [(o.name, o.member_total) for o in response.context["object_list"]] == [("超员党支部", 51)]
    client.force_login(outsider)
    assert list(client.get(reverse("assessments:level-mismatch")).context["object_list"]) == []
