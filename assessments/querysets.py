from __future__ import annotations

from django.db import models

from portal.scoping import RegionScopedQuerySet


class EnterpriseBoundQuerySet(RegionScopedQuerySet):
    region_lookup = "enterprise__region"


class RegionBoundQuerySet(RegionScopedQuerySet):
    region_lookup = "region"


class SnapshotQuerySet(models.QuerySet):
    """Snapshots themselves carry no data; their rows are scoped (LedgerRowQuerySet)."""

    def complete(self) -> SnapshotQuerySet:
        from assessments.choices import SnapshotStatus

        return self.filter(status=SnapshotStatus.COMPLETE)

    def nightly(self) -> SnapshotQuerySet:
        return self.filter(period__isnull=True)


class LedgerRowQuerySet(RegionScopedQuerySet):
    """A leader of 泰山区 sees the rows of 泰山区 and below, never the city's."""

    region_lookup = "region"
