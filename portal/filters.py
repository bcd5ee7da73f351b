from __future__ import annotations

import django_filters

from portal.models import Region


class RegionFilter(django_filters.CharFilter):
    """Filter by region code, including the whole subtree (a district includes its streets)."""

    def __init__(self, *args, region_lookup: str = "region", **kwargs):
        self.region_lookup = region_lookup
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        region = Region.objects.filter(code=value.strip()).first()
        if region is None:
            return qs.none()
        subtree = Region.objects.filter(path__startswith=region.path).values("id")
        return qs.filter(**{f"{self.region_lookup}__in": subtree})
