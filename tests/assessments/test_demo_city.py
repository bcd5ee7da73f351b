"""On the demo city (seed_demo): the snapshot agrees with the live per-enterprise rules in every
region, and taking it again gives identical rows."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments import snapshots
from assessments.choices import Dimension
from assessments.models import LedgerRow
from assessments.rules import FIGURES, annotate_ledger
from assessments.selectors import snapshot_mismatches
from enterprises.models import Enterprise
from portal.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city():
    call_command("seed_demo", enterprises=2000, verbosity=0)


def _rows(snapshot):
    keys = ("dimension", "region_id", "carrier_id", "kind", "industry", "above_scale", "size_band", "legal_member")
    rows = LedgerRow.objects.filter(snapshot=snapshot).values_list(*keys, *(f.name for f in FIGURES), "employees")
    return sorted(rows, key=lambda row: tuple(str(v) for v in row))


def test_snapshot_agrees_with_the_live_rules_on_the_demo_city(demo_city):
    as_of = timezone.localdate()
    snapshot = snapshots.take_snapshot(as_of=as_of, reason="演示城市")
    assert LedgerRow.objects.filter(snapshot=snapshot, dimension=Dimension.REGION).count() == Region.objects.count()
    # Every region row, every figure, recounted live with the per-enterprise rules.
    assert snapshot_mismatches(snapshot) == []
    # And one district enterprise by enterprise, as the enterprise pages show them.
    district = Region.objects.filter(level="DISTRICT").order_by("path").first()
    live = list(
        annotate_ledger(Enterprise.objects.in_region(district), as_of).values(
            *(f.name for f in FIGURES), "full_members", "probationary_members"
        )
    )
    row = LedgerRow.objects.get(snapshot=snapshot, dimension=Dimension.REGION, region=district)
    for figure in FIGURES:
        assert getattr(row, figure.name) == sum(1 for e in live if e[figure.name]), figure.name
    assert row.full_members == sum(e["full_members"] for e in live if e["enterprises"])
    # The demo city has gaps of every kind, so the test means something.
    city = LedgerRow.objects.get(snapshot=snapshot, dimension=Dimension.REGION, region__parent__isnull=True)
    for name in ("org_covered", "members_no_org", "work_covered", "standalone_due", "fifty_no_members"):
        assert getattr(city, name) > 0, name


def test_retaking_the_demo_snapshot_is_idempotent(demo_city):
    as_of = timezone.localdate()
    first = _rows(snapshots.take_snapshot(as_of=as_of))
    again = _rows(snapshots.take_snapshot(as_of=as_of))
    assert first == again
