"""Per-enterprise snapshot facts: every number on the dashboard and the list behind it agree, even
after the data changed since the snapshot; re-taking gives identical facts; older facts are
pruned; the lists are scoped like everything else; gap lists pick their source by jurisdiction."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import parse_qsl

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services, snapshots
from assessments.models import LedgerEnterpriseFact, LedgerRow
from assessments.rules import FIGURES
from instructors.models import Assignment
from portal.choices import Role
from tests.assessments.factories import CompleteEnterpriseFactory
from tests.assessments.world import AS_OF, EXPECTED, build_world
from tests.factories import AssignmentFactory, PartyMemberFactory, UserFactory, city

pytestmark = pytest.mark.django_db

FACT_FIELDS = (
    "enterprise_id",
    "region_id",
    "carrier_id",
    "kind",
    "industry",
    "above_scale",
    "size_band",
    "legal_member",
    "figures",
    "full_members",
    "probationary_members",
    "active_instructors",
    "employee_count",
)


@pytest.fixture
def world(taishan, daiyue):
    return build_world()


@pytest.fixture
def city_leader(db):
    return UserFactory(username="city_leader", role=Role.LEADER, jurisdiction=city())


def _facts(snapshot) -> list[tuple]:
    return sorted(LedgerEnterpriseFact.objects.filter(snapshot=snapshot).values_list(*FACT_FIELDS))


def _change_the_data(world) -> None:
    """After the snapshot: a member joins, an instructor is assigned, a new enterprise registers."""
    PartyMemberFactory(workplace=world["exactly_fifty"], region=world["exactly_fifty"].region)
    AssignmentFactory(enterprise=world["forty_nine"], start_on=dt.date(2026, 1, 1))
    CompleteEnterpriseFactory(name="registered_later", employee_count=70)


def _drill(client, query: str, **extra):
    params = dict(parse_qsl(query))
    params.update(extra)
    response = client.get(reverse("assessments:enterprises"), params)
    assert response.status_code == 200
    return response


def _names(response) -> set[str]:
    return {e.name for e in response.context["object_list"]}


def _lines(response) -> list[dict]:
    return [response.context["total"], *response.context["rows"]]


@pytest.mark.parametrize("by", ["region", "kind", "industry", "above_scale", "carrier"])
@pytest.mark.parametrize("user", ["staff", "city_leader"])
def test_every_dashboard_number_equals_the_length_of_its_list_even_after_changes(client, world, request, by, user):
    user = request.getfixturevalue(user)
    snapshot = snapshots.take_snapshot(as_of=AS_OF)
    _change_the_data(world)
    client.force_login(user)
    dashboard = client.get(reverse("assessments:dashboard"), {"as_of": AS_OF.isoformat(), "by": by})
    checked = 0
    for line in _lines(dashboard):
        for cell in line["cells"]:
            assert f"snapshot={snapshot.pk}" in cell["query"]
            response = _drill(client, cell["query"])
            assert response.context["snapshot"] == snapshot
            assert response.context["paginator"].count == cell["value"], (line["label"], cell["figure"])
            assert len(response.context["object_list"]) == cell["value"]
            checked += cell["value"]
    assert checked > 0


def test_the_snapshot_list_keeps_the_snapshots_enterprises_while_the_live_list_changes(client, staff, world):
    snapshot = snapshots.take_snapshot(as_of=AS_OF)
    _change_the_data(world)
    client.force_login(staff)
    base = f"region=370902&snapshot={snapshot.pk}"
    for figure, case in (("fifty_no_members", "exactly_fifty"), ("no_members_no_instructor", "forty_nine")):
        row = LedgerRow.objects.get(snapshot=snapshot, dimension="region", region__code="370902")
        from_snapshot = _drill(client, f"figure={figure}&{base}")
        assert case in _names(from_snapshot)
        assert len(_names(from_snapshot)) == getattr(row, figure)
        live = _drill(client, f"figure={figure}&region=370902&live=1&as_of={AS_OF.isoformat()}")
        assert live.context["snapshot"] is None
        assert case not in _names(live)
    # The new enterprise is not in the snapshot's list of 50+ enterprises, but is live.
    assert "registered_later" not in _names(_drill(client, f"figure=fifty_plus&{base}"))
    assert "registered_later" in _names(_drill(client, f"figure=fifty_plus&live=1&as_of={AS_OF.isoformat()}"))
    # The rows of the page show the figures as the snapshot counted them.
    page = _drill(client, f"figure=fifty_no_members&{base}")
    (fifty,) = [e for e in page.context["rows"] if e.name == "exactly_fifty"]
    assert fifty.without_members and not fifty.with_members and fifty.full_members == 0


def test_facts_agree_with_the_rows_for_every_figure(world):
    snapshot = snapshots.take_snapshot(as_of=AS_OF)
    city_row = LedgerRow.objects.get(snapshot=snapshot, dimension="region", region=city())
    facts = LedgerEnterpriseFact.objects.filter(snapshot=snapshot)
    for figure in FIGURES:
        assert facts.holding(figure.name).count() == getattr(city_row, figure.name), figure.name
        names = set(facts.holding(figure.name).values_list("enterprise__name", flat=True))
        assert names == {case for case, figures in EXPECTED.items() if figure.name in figures}


def test_taking_a_snapshot_again_gives_identical_facts(world):
    first = snapshots.take_snapshot(as_of=AS_OF)
    facts = _facts(first)
    assert len(facts) == sum(1 for figures in EXPECTED.values() if "enterprises" in figures)
    again = snapshots.take_snapshot(as_of=AS_OF, reason="重新统计")
    assert again.pk == first.pk
    assert _facts(again) == facts


def test_only_the_newest_snapshot_and_submitted_periods_keep_their_facts(client, staff, world, taishan):
    period = services.period_create(region=taishan, name="上半年", as_of=AS_OF, acting_user=staff)
    services.period_compute(period=period, acting_user=staff)
    services.period_check(period=period, acting_user=staff)
    services.period_submit(period=period, acting_user=staff)
    draft = services.period_create(region=taishan, name="草稿", as_of=AS_OF.replace(day=1), acting_user=staff)
    services.period_compute(period=draft, acting_user=staff)
    older = snapshots.take_snapshot(as_of=AS_OF.replace(day=1))
    assert _facts(older)
    newer = snapshots.take_snapshot(as_of=AS_OF)
    assert _facts(newer)
    assert not _facts(older)  # pruned in the newer snapshot's job
    assert LedgerRow.objects.filter(snapshot=older).exists()  # its numbers stay
    assert _facts(period.snapshots.get())  # submitted
    assert _facts(draft.snapshots.get())  # the newest (only) snapshot of its period
    # Taking an older date again does not take the facts from the newest.
    snapshots.take_snapshot(as_of=AS_OF.replace(day=1))
    assert _facts(newer) and not _facts(older)

    # A drill-down into the pruned snapshot falls back to live data, and says so.
    client.force_login(staff)
    response = _drill(client, f"figure=standalone_due&snapshot={older.pk}&region=370902")
    assert response.context["snapshot"] is None
    assert "企业明细已清理" in response.content.decode()


def test_another_district_sees_nothing_and_the_city_sees_all(client, staff, outsider, city_leader, world):
    snapshot = snapshots.take_snapshot(as_of=AS_OF)
    client.force_login(outsider)
    assert (
        client.get(
            reverse("assessments:enterprises"),
            {"figure": "enterprises", "snapshot": snapshot.pk, "region": "370902"},
        ).status_code
        == 404
    )
    response = _drill(client, f"figure=enterprises&snapshot={snapshot.pk}")
    assert _names(response) == {"other_district"}
    assert (
        LedgerEnterpriseFact.objects.visible_to(outsider).filter(enterprise__name="standalone_three_full").count() == 0
    )
    client.force_login(city_leader)
    response = _drill(client, f"figure=enterprises&snapshot={snapshot.pk}")
    assert _names(response) == {case for case, figures in EXPECTED.items() if "enterprises" in figures}


def test_gap_lists_default_to_the_snapshot_for_the_city_and_to_live_for_districts(client, staff, city_leader, world):
    snapshot = snapshots.take_snapshot(as_of=AS_OF)
    _change_the_data(world)
    url = reverse("assessments:gap", args=["fifty_no_members"])
    client.force_login(city_leader)
    response = client.get(url)
    assert response.context["snapshot"] == snapshot
    content = response.content.decode()
    assert "2026年6月30日 统计" in content and "按实时数据" in content
    assert "exactly_fifty" in _names(response)
    live = client.get(url, {"live": "1", "as_of": AS_OF.isoformat()})
    assert live.context["snapshot"] is None and "实时" in live.content.decode()
    assert "exactly_fifty" not in _names(live)

    client.force_login(staff)
    response = client.get(url, {"as_of": AS_OF.isoformat()})
    assert response.context["snapshot"] is None
    assert "exactly_fifty" not in _names(response)
    assert f"snapshot={snapshot.pk}" in response.context["snapshot_query"]  # the toggle the other way


def test_exports_follow_the_source_of_the_page(client, city_leader, world):
    snapshots.take_snapshot(as_of=AS_OF)
    _change_the_data(world)
    client.force_login(city_leader)
    url = reverse("assessments:gap", args=["fifty_no_members"])

    def exported(**params) -> tuple[str, set[str]]:
        response = client.get(url, {"export": "xlsx", **params})
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        return sheet["A1"].value, {row[0] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]}

    title, names = exported()
    assert "统计" in title and names == {"exactly_fifty"}
    title, names = exported(live="1", as_of=AS_OF.isoformat())
    assert "实时" in title and "exactly_fifty" not in names


def test_api_lists_the_snapshots_enterprises(client, staff, outsider, world):
    snapshot = snapshots.take_snapshot(as_of=AS_OF)
    _change_the_data(world)
    client.force_login(staff)
    response = client.get("/api/v1/ledger/gaps/fifty_no_members/", {"snapshot": snapshot.pk})
    rows = response.json()["results"]
    assert [row["name"] for row in rows] == ["exactly_fifty"]
    assert rows[0]["fifty_no_members"] is True
    client.force_login(outsider)
    response = client.get("/api/v1/ledger/gaps/fifty_no_members/", {"snapshot": snapshot.pk})
    assert response.json()["results"] == []


def test_snapshot_list_queries_do_not_grow_with_enterprises(client, city_leader, world):
    snapshot = snapshots.take_snapshot(as_of=AS_OF)
    client.force_login(city_leader)
    url = reverse("assessments:enterprises")
    params = {"figure": "enterprises", "snapshot": snapshot.pk}
    client.get(url, params)  # the session is saved on the first request
    with CaptureQueriesContext(connection) as small:
        client.get(url, params)
    for _ in range(30):
        enterprise = CompleteEnterpriseFactory()
        PartyMemberFactory(workplace=enterprise, region=enterprise.region)
    snapshot = snapshots.take_snapshot(as_of=AS_OF)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url, params)
    assert len(response.context["object_list"]) == 50  # a full page
    # session, user, snapshot, has facts, jurisdiction, count, page, page facts, regions, carriers,
    # and the session save (savepoint, update, release)
    assert len(large.captured_queries) == len(small.captured_queries) <= 13


def test_deleting_an_enterprise_is_not_blocked_by_its_facts(world):
    snapshot = snapshots.take_snapshot(as_of=AS_OF)
    enterprise = world["forty_nine"]
    pk = enterprise.pk
    Assignment.objects.filter(enterprise=enterprise).delete()
    enterprise.delete()
    assert LedgerEnterpriseFact.objects.filter(snapshot=snapshot, enterprise_id=pk).exists()


def test_a_carriers_list_has_its_enterprises_wherever_they_are_registered(client, city_leader, world, daiyue):
    park = world["joint_without_members"].carrier
    CompleteEnterpriseFactory(name="park_branch_in_daiyue", region=daiyue, carrier=park)
    snapshot = snapshots.take_snapshot(as_of=AS_OF)
    client.force_login(city_leader)
    dashboard = client.get(reverse("assessments:dashboard"), {"as_of": AS_OF.isoformat(), "by": "carrier"})
    (line,) = [line for line in dashboard.context["rows"] if line["row"].carrier_id == park.pk]
    cell = line["cells"][0]  # enterprises
    assert "region=" not in cell["query"]
    response = _drill(client, cell["query"])
    assert response.context["snapshot"] == snapshot
    assert "park_branch_in_daiyue" in _names(response)
    assert len(_names(response)) == cell["value"]
