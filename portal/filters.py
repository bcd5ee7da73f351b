from __future__ import annotations

import django_filters

from portal.models import Region
from portal.scoping import region_visible_to
from portal.widgets import AllYesNoSelect


class PortalFilterSet(django_filters.FilterSet):
    """The base of every FilterSet: the same empty choice (全部) on every list page. Choice filters
    get it from settings.FILTERS_EMPTY_CHOICE_LABEL; yes/no filters get 全部/是/否 here."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for declared in self.filters.values():
            if isinstance(declared, django_filters.BooleanFilter):
                declared.extra.setdefault("widget", AllYesNoSelect)


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
