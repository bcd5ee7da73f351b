"""Every ledger rule on a hand-built world with known answers (tests/assessments/world.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from assessments.rules import FIGURES, annotate_ledger, filter_figure
from enterprises.models import Enterprise
from portal.validators import credit_code_check_ok
from tests.assessments.world import AS_OF, COUNTS, EXPECTED, build_world
from tests.factories import make_credit_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def test_world_covers_every_figure(world):
    """Each figure is true for some case and false for another, so every rule is exercised."""
    for figure in FIGURES:
        holders = {case for case, expected in EXPECTED.items() if figure.name in expected}
        assert holders, figure.name
        assert holders != set(EXPECTED), figure.name


@pytest.mark.parametrize("figure", [f.name for f in FIGURES])
def test_figure_lists_exactly_the_expected_enterprises(world, figure):
    actual = set(filter_figure(Enterprise.objects.all(), figure, AS_OF).values_list("name", flat=True))
    expected = {case for case, figures in EXPECTED.items() if figure in figures}
    assert actual == expected


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_annotated_enterprise_carries_its_figures(world, case):
    row = annotate_ledger(Enterprise.objects.filter(pk=world[case].pk), AS_OF).get()
    if case in ("deregistered", "moved_out"):
        assert row.is_in_scope is False
        # Out of scope: counted nowhere, whatever members or organizations it has.
        assert not any(getattr(row, f.name) for f in FIGURES)
        return
    for figure in FIGURES:
        assert getattr(row, figure.name) == (figure.name in EXPECTED[case]), figure.name


@pytest.mark.parametrize("case", sorted(COUNTS))
def test_member_and_instructor_counts(world, case):
    row = annotate_ledger(Enterprise.objects.filter(pk=world[case].pk), AS_OF).get()
    full, probationary, instructors = COUNTS[case]
    assert (row.full_members, row.probationary_members, row.active_instructors) == (full, probationary, instructors)
    assert row.member_count == full + probationary


def test_annotating_a_page_is_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(annotate_ledger(Enterprise.objects.all(), AS_OF)[:50])
    assert len(rows) == len(EXPECTED)


def test_coverage_changes_with_the_date(world):
    """A dissolved organization covered its enterprise before it was dissolved."""
    before = set(
        filter_figure(Enterprise.objects.all(), "org_covered", dt.date(2025, 6, 30)).values_list("name", flat=True)
    )
    assert "dissolved_org" in before
    assert "org_dissolved_on_as_of" in before
    assert "org_established_later" not in before


def test_database_check_character_agrees_with_python(db):
    codes = [make_credit_code(n) for n in range(1, 40)]
    codes += [code[:17] + c for code in codes[:5] for c in "0123456789ABCDX"]
    with connection.cursor() as cursor:
        for code in codes:
            cursor.execute("SELECT ledger_credit_code_ok(%s)", [code])
            assert cursor.fetchone()[0] == credit_code_check_ok(code), code
