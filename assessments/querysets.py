from __future__ import annotations

from django.db import models
from django.db.models import BigIntegerField, ExpressionWrapper, F, Value

from assessments.choices import SnapshotStatus
from assessments.rules import figure_bit
from portal.scoping import RegionScopedQuerySet


class EnterpriseBoundQuerySet(RegionScopedQuerySet):
    region_lookup = "enterprise__region"


class RegionBoundQuerySet(RegionScopedQuerySet):
    region_lookup = "region"


class SnapshotQuerySet(models.QuerySet):
    """Snapshots themselves carry no data; their rows are scoped (LedgerRowQuerySet)."""

    def complete(self) -> SnapshotQuerySet:
        return self.filter(status=SnapshotStatus.COMPLETE)

    def nightly(self) -> SnapshotQuerySet:
        return self.filter(period__isnull=True)


class LedgerRowQuerySet(RegionScopedQuerySet):
    """A leader of 泰山区 sees the rows of 泰山区 and below, never the city's."""

    region_lookup = "region"


class LedgerEnterpriseFactQuerySet(RegionScopedQuerySet):
    """An enterprise's facts are scoped by the region the snapshot counted it in."""

    region_lookup = "region"

    def holding(self, figure: str) -> LedgerEnterpriseFactQuerySet:
        """Facts of enterprises counted in `figure` (its bit set)."""
        bit = Value(figure_bit(figure), output_field=BigIntegerField())
        masked = ExpressionWrapper(F("figures").bitand(bit), output_field=BigIntegerField())
        return self.alias(_bit=masked).filter(_bit=bit)
