"""Snapshots: the grouped figures equal the live per-enterprise rules, re-taking is idempotent, a
died run is redone, and the number of statements does not grow with the number of enterprises."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import snapshots
from assessments.choices import Dimension, SnapshotStatus
from assessments.models import LedgerRow, LedgerSnapshot
from assessments.rules import FIGURES, SUMS, annotate_ledger
from assessments.selectors import snapshot_mismatches
from enterprises.choices import EnterpriseKind
from enterprises.models import Enterprise
from tests.assessments.factories import CompleteEnterpriseFactory
from tests.assessments.world import AS_OF, COUNTS, EXPECTED, OTHER_DISTRICT_CASES, STREET_CASES, build_world
from tests.factories import PartyMemberFactory, city, district, other_district

pytestmark = pytest.mark.django_db

ROW_FIELDS = (
    "dimension",
    "region_id",
    "carrier_id",
    "industry",
    "kind",
    "above_scale",
    "size_band",
    "legal_member",
    *(f.name for f in FIGURES),
    *(name for name, _s, _l in SUMS),
)


@pytest.fixture
def world():
    return build_world()


def _expected_count(figure: str, cases) -> int:
    return sum(1 for case in cases if figure in EXPECTED[case])


def _rows(snapshot):
    return sorted(
        LedgerRow.objects.filter(snapshot=snapshot).values_list(*ROW_FIELDS),
        key=lambda row: tuple(str(v) for v in row),
    )


def test_region_rows_roll_up_the_tree(world):
    snapshot = snapshots.take_snapshot(as_of=AS_OF, reason="测试")
    assert snapshot.status == SnapshotStatus.COMPLETE
    regions = {
        city(): set(EXPECTED),
        district(): set(EXPECTED) - OTHER_DISTRICT_CASES,
        other_district(): OTHER_DISTRICT_CASES,
        world["committee_hundred_in_street"].region: STREET_CASES,
    }
    for region, cases in regions.items():
        row = LedgerRow.objects.get(snapshot=snapshot, dimension=Dimension.REGION, region=region)
        for figure in FIGURES:
            assert getattr(row, figure.name) == _expected_count(figure.name, cases), (region.name, figure.name)
        live = annotate_ledger(Enterprise.objects.in_scope().filter(name__in=cases), AS_OF)
        assert row.full_members == sum(e.full_members for e in live)
        assert row.probationary_members == sum(e.probationary_members for e in live)
        assert row.instructor_assignments == sum(e.active_instructors for e in live)
        assert row.employees == sum(e.employee_count or 0 for e in live)
    taishan = LedgerRow.objects.get(snapshot=snapshot, dimension=Dimension.REGION, region=district())
    assert (
        taishan.probationary_members
        == COUNTS["two_full_one_probationary"][1]
        + COUNTS["probationary_only_in_joint"][1]
        + COUNTS["joint_two_full_one_probationary"][1]
    )


def test_other_dimensions(world):
    snapshot = snapshots.take_snapshot(as_of=AS_OF)
    taishan = district()
    individual = LedgerRow.objects.get(
        snapshot=snapshot, dimension=Dimension.REGION_KIND, region=taishan, kind=EnterpriseKind.INDIVIDUAL
    )
    assert individual.enterprises == 1
    assert individual.work_by_instructor == 1
    park = world["joint_without_members"].carrier
    carrier_row = LedgerRow.objects.get(snapshot=snapshot, dimension=Dimension.CARRIER, carrier=park)
    assert carrier_row.region_id == park.region_id
    park_cases = {case for case, e in world.items() if e.carrier_id == park.pk}
    assert carrier_row.enterprises == len(park_cases)
    assert carrier_row.org_covered_joint == _expected_count("org_covered_joint", park_cases)
    big = LedgerRow.objects.get(snapshot=snapshot, dimension=Dimension.REGION_SIZE, region=taishan, size_band="100")
    assert big.enterprises == 1
    fifty = LedgerRow.objects.get(snapshot=snapshot, dimension=Dimension.REGION_SIZE, region=taishan, size_band="50")
    assert fifty.enterprises == 1  # exactly 50
    above = LedgerRow.objects.get(
        snapshot=snapshot, dimension=Dimension.REGION_ABOVE_SCALE, region=taishan, above_scale=True
    )
    assert above.standalone_committee == 1


def test_snapshot_agrees_with_the_live_per_enterprise_rules(world):
    snapshot = snapshots.take_snapshot(as_of=AS_OF)
    assert snapshot_mismatches(snapshot) == []


def test_taking_a_snapshot_again_gives_identical_rows(world):
    first = snapshots.take_snapshot(as_of=AS_OF)
    rows = _rows(first)
    again = snapshots.take_snapshot(as_of=AS_OF, reason="重新统计")
    assert again.pk == first.pk
    assert _rows(again) == rows
    assert LedgerSnapshot.objects.count() == 1


def test_a_run_that_died_is_redone(world):
    snapshot = snapshots.take_snapshot(as_of=AS_OF)
    rows = _rows(snapshot)
    with (
        mock.patch.object(snapshots, "snapshot_sql", side_effect=RuntimeError("worker lost")),
        pytest.raises(RuntimeError),
    ):
        snapshots.take_snapshot(as_of=AS_OF)
    snapshot.refresh_from_db()
    assert snapshot.status == SnapshotStatus.FAILED
    assert _rows(snapshot) == rows  # the failed run changed nothing
    # A run killed outright stays RUNNING; after a while it counts as dead too.
    stuck = snapshots.take_snapshot(as_of=dt.date(2026, 5, 31))
    LedgerSnapshot.objects.filter(pk=stuck.pk).update(
        status=SnapshotStatus.RUNNING, started_at=timezone.now() - dt.timedelta(hours=5)
    )
    redone = snapshots.redo_stale()
    assert {s.pk for s in redone} == {snapshot.pk, stuck.pk}
    assert set(LedgerSnapshot.objects.values_list("status", flat=True)) == {SnapshotStatus.COMPLETE}
    assert _rows(snapshot) == rows


def _statements(as_of) -> int:
    with CaptureQueriesContext(connection) as captured:
        snapshots.take_snapshot(as_of=as_of)
    return len(captured.captured_queries)


def test_number_of_statements_does_not_grow_with_enterprises(world):
    first = _statements(AS_OF)
    small = _statements(AS_OF)
    assert first <= small + 4  # creating the snapshot row costs a savepoint or two more
    for _ in range(40):
        enterprise = CompleteEnterpriseFactory()
        PartyMemberFactory(workplace=enterprise, region=enterprise.region)
    assert _statements(AS_OF) == small
    assert small <= 16  # + the facts: new table, insert, primary key, attach, prune


def test_a_snapshot_that_keeps_failing_does_not_stop_the_others(world):
    broken = snapshots.take_snapshot(as_of=dt.date(2026, 5, 31))
    LedgerSnapshot.objects.filter(pk=broken.pk).update(status=SnapshotStatus.FAILED)
    real_sql = snapshots.snapshot_sql

    def failing_for_may(snapshot_id, as_of, region=None):
        if as_of == dt.date(2026, 5, 31):
            raise RuntimeError("still broken")
        return real_sql(snapshot_id, as_of, region)

    with mock.patch.object(snapshots, "snapshot_sql", side_effect=failing_for_may):
        assert snapshots.redo_stale() == []
        tonight = snapshots.take_snapshot(as_of=AS_OF)
    assert tonight.status == SnapshotStatus.COMPLETE
    broken.refresh_from_db()
    assert broken.status == SnapshotStatus.FAILED
    assert "still broken" in broken.failure_reason
