from __future__ import annotations

from portal.scoping import RegionScopedQuerySet


class EnterpriseBoundQuerySet(RegionScopedQuerySet):
    region_lookup = "enterprise__region"


class RegionBoundQuerySet(RegionScopedQuerySet):
    region_lookup = "region"
