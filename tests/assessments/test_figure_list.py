"""One read behind every list of a figure: the page, the API and the Excel export call
`selectors.figure_list` and give the same enterprises in the same order with the same notice,
also when the snapshot's facts were pruned (all three fall back to live data and say so)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from assessments import snapshots
from assessments.selectors import PRUNED_NOTICE
from tests.assessments.world import AS_OF, EXPECTED, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(taishan, daiyue):
    return build_world()


def _expected(world: dict, figure: str) -> list[str]:
    """The hand-built answer for 泰山区: the world's cases counted in `figure`, by region then id."""
    cases = [world[case] for case, figures in EXPECTED.items() if figure in figures and case != "other_district"]
    return [e.name for e in sorted(cases, key=lambda e: (e.region.path, e.pk))]


def _three_answers(client, figure: str, params: dict) -> dict:
    page = client.get(reverse("assessments:enterprises"), {"figure": figure, **params})
    api = client.get(f"/api/v1/ledger/gaps/{figure}/", params).json()
    export = client.get(reverse("assessments:enterprises"), {"figure": figure, "export": "xlsx", **params})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    return {
        "page": ([e.name for e in page.context["rows"]], page.context["notice"]),
        "api": ([row["name"] for row in api["results"]], api["notice"]),
        "export": [row[0] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]],
        "export_title": sheet["A1"].value,
    }


@pytest.mark.parametrize("figure", ["enterprises", "not_surveyed", "joint_only"])
def test_page_api_and_export_give_one_answer_from_the_snapshot(client, staff, world, taishan, figure):
    snapshot = snapshots.take_snapshot(as_of=AS_OF)
    client.force_login(staff)
    answers = _three_answers(client, figure, {"snapshot": snapshot.pk, "region": taishan.code})
    expected = _expected(world, figure)
    assert answers["page"] == (expected, "")
    assert answers["api"] == (expected, "")
    assert answers["export"] == expected


def test_page_api_and_export_give_one_answer_live(client, staff, world, taishan):
    client.force_login(staff)
    answers = _three_answers(client, "not_surveyed", {"live": "1", "as_of": AS_OF.isoformat()})
    expected = _expected(world, "not_surveyed")
    assert answers["page"] == (expected, "")
    assert answers["api"] == (expected, "")
    assert answers["export"] == expected


def test_pruned_facts_fall_back_to_live_with_the_same_notice_everywhere(client, staff, world, taishan):
    older = snapshots.take_snapshot(as_of=AS_OF.replace(day=1))
    snapshots.take_snapshot(as_of=AS_OF)  # prunes the older snapshot's facts
    client.force_login(staff)
    answers = _three_answers(client, "enterprises", {"snapshot": older.pk, "region": taishan.code})
    expected = _expected(world, "enterprises")
    notice = PRUNED_NOTICE.format(as_of=older.as_of)
    assert answers["page"] == (expected, notice)
    assert answers["api"] == (expected, notice)
    assert answers["export"] == expected
    assert "实时" in answers["export_title"]


def test_another_district_gets_nothing_from_any_of_the_three(client, outsider, world, taishan):
    snapshot = snapshots.take_snapshot(as_of=AS_OF)
    client.force_login(outsider)
    params = {"figure": "enterprises", "snapshot": snapshot.pk}
    page = client.get(reverse("assessments:enterprises"), params)
    names = [e.name for e in page.context["rows"]]
    assert names == ["other_district"]
    api = client.get("/api/v1/ledger/gaps/enterprises/", {"snapshot": snapshot.pk}).json()
    assert [row["name"] for row in api["results"]] == ["other_district"]
