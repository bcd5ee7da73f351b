"""Filters shared by the apps' FilterSets, and the one check every list parameter goes through.

A list parameter is parsed by a form field before it reaches SQL: bad input (a NUL byte, which
PostgreSQL text cannot hold; Unicode digits such as "²" that `str.isdigit()` accepts and `int()`
does not; a 5,000-character code) is a form error — 400 with a Chinese message — never a 500."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Subquery

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


NUL_MESSAGE = "查询参数含有非法字符（空字符）"


def query_params_error(params) -> str | None:
    """The Chinese reason a query string cannot be used at all, or None. A NUL byte can reach the
    database through any parameter a view reads by hand, so it is refused before any field."""
    for key, values in params.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return NUL_MESSAGE
    return None


def filter_errors_message(form) -> str:
    """One line naming each invalid filter and why, for the 400 answer of a list page (`form` is
    a FilterSet's form or a search form)."""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = field.label if field is not None and field.label else name
        parts.append(f"{label}：{'；'.join(str(e) for e in errors)}")
    return "筛选条件无效——" + "；".join(parts)


class RegionChoiceField(django_filters.fields.ModelChoiceField):
    """A region by its code: anything that cannot be a code (NUL, over-long, not ASCII digits —
    "²" passes `str.isdigit()` but is no code) is an invalid choice before the database is asked."""

    max_code_length = 12  # Region.code: 6 or 12 ASCII digits

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if len(text) > self.max_code_length or not (text.isascii() and text.isdigit()):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(text)


def _regions_for(request):
    return region_visible_to(getattr(request, "user", None)) if request is not None else Region.objects.none()


class RegionFilter(django_filters.ModelChoiceFilter):
    """Filter by a region the user may see (given by its code), including its whole subtree:
    choosing a district includes its streets. Offers only the user's own regions."""

    field_class = RegionChoiceField

    def __init__(self, *args, region_lookup: str = "region", **kwargs):
        self.region_lookup = region_lookup
        kwargs.setdefault("queryset", _regions_for)
        kwargs.setdefault("to_field_name", "code")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        subtree = value.subtree().values("id")
        return qs.filter(**{f"{self.region_lookup}__in": subtree})


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
        subtree = Region.subtree_of(Subquery(path)).values("id")
        return qs.filter(**{f"{self.region_lookup}__in": subtree})

    def filter_exact(self, qs, value):
        """Only the rows registered at the region itself (none of its descendants)."""
        return qs.filter(**{f"{self.region_lookup}__in": Region.objects.filter(code=value).values("id")})
