from __future__ import annotations

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Subquery

from portal.models import Region
from portal.scoping import region_visible_to


def _regions_for(request):
    return region_visible_to(getattr(request, "user", None)) if request is not None else Region.objects.none()


class RegionFilter(django_filters.ModelChoiceFilter):
    """Filter by a region the user may see (given by its code), including its whole subtree:
    choosing a district includes its streets. Offers only the user's own regions."""

    def __init__(self, *args, region_lookup: str = "region", **kwargs):
        self.region_lookup = region_lookup
        kwargs.setdefault("queryset", _regions_for)
        kwargs.setdefault("to_field_name", "code")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        subtree = Region.objects.filter(path__startswith=value.path).values("id")
        return qs.filter(**{f"{self.region_lookup}__in": subtree})


class DigestFilter(django_filters.CharFilter):
    """Exact lookup of a personal-data value (ID number, phone) through its keyed digest: the
    value itself is encrypted at rest and cannot be searched."""

    def __init__(self, *args, digest_field: str, **kwargs):
        self.digest_field = digest_field
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        from portal.fields import digest_candidates

        if not value or not value.strip():
            return qs
        return qs.filter(**{f"{self.digest_field}__in": digest_candidates(value)})


REGION_CODE = RegexValidator(r"^[0-9]{6}([0-9]{6})?$", "区划代码应为6位或12位数字")


class RegionCodeFilter(django_filters.CharFilter):
    """Filter by a region given by its code, validated as one (6 or 12 digits, so a malformed value
    is a form error, never a database error), including its whole subtree. The region is not
    looked up in Python: the rows' own scope (visible_to) decides what is seen, and a view that
    must answer 404 for a region outside the user's subtree checks that itself."""

    def __init__(self, *args, region_lookup: str = "region", **kwargs):
        self.region_lookup = region_lookup
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("validators", [REGION_CODE])
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        path = Region.objects.filter(code=value).values("path")[:1]
        subtree = Region.objects.filter(path__startswith=Subquery(path)).values("id")
        return qs.filter(**{f"{self.region_lookup}__in": subtree})

    def filter_exact(self, qs, value):
        """Only the rows registered at the region itself (none of its descendants)."""
        return qs.filter(**{f"{self.region_lookup}__in": Region.objects.filter(code=value).values("id")})
