"""The group keys of a ledger line (?region=&unplaced=&carrier=&industry=&kind=&above_scale=
&legal_member=&size_band=), one FilterSet for the page, the API and the export alike: on
enterprises (live, their current fields) or on a snapshot's facts (the keys as the snapshot
counted them, the same keys its rows are grouped by)."""

from __future__ import annotations

import django_filters
from django import forms

from assessments.models import LedgerEnterpriseFact
from assessments.rules import LARGE_EMPLOYEES, MEMBERS_EXPECTED_FROM_EMPLOYEES, SIZE_50, SIZE_100
from enterprises.choices import EnterpriseKind, Industry
from enterprises.models import Enterprise
from portal.filters import RegionCodeFilter

# PostgreSQL integer keys: anything larger cannot name a row (and would overflow the query).
MAX_ID = 2**31 - 1
BOOLEAN = (("True", "是"), ("False", "否"))
SIZE_BANDS = ((SIZE_50, "50–99人"), (SIZE_100, "100人以上"))
GROUP_KEYS = ("region", "unplaced", "carrier", "industry", "kind", "above_scale", "legal_member", "size_band")


class IdFilter(django_filters.NumberFilter):
    """A row id: an integer ("1e9", "²" and "1.0" are errors, not numbers)."""

    field_class = forms.IntegerField


def _true(value: str) -> bool:
    return value == "True"


class LedgerFilterSet(django_filters.FilterSet):
    """A ledger line's group keys on enterprises (live lists)."""

    region = RegionCodeFilter(label="区域")
    # With region: only the enterprises registered at the region itself, not placed below it.
    unplaced = django_filters.ChoiceFilter(
        label="仅未落实到下级的企业", choices=(("1", "是"), ("0", "否")), method="filter_unplaced"
    )
    carrier = IdFilter(label="载体", field_name="carrier_id", min_value=1, max_value=MAX_ID)
    industry = django_filters.ChoiceFilter(label="行业", choices=Industry.choices)
    kind = django_filters.ChoiceFilter(label="企业类型", choices=EnterpriseKind.choices)
    above_scale = django_filters.TypedChoiceFilter(label="规模以上", choices=BOOLEAN, coerce=_true)
    legal_member = django_filters.TypedChoiceFilter(
        label="法定代表人是党员", choices=BOOLEAN, coerce=_true, field_name="legal_representative_is_member"
    )
    size_band = django_filters.ChoiceFilter(label="从业人员规模", choices=SIZE_BANDS, method="filter_size_band")

    class Meta:
        model = Enterprise
        fields = list(GROUP_KEYS)

    def filter_queryset(self, queryset):
        cleaned = self.form.cleaned_data
        if cleaned.get("region") and cleaned.get("unplaced") == "1":
            queryset = self.filters["region"].filter_exact(queryset, cleaned["region"])
            cleaned = {name: value for name, value in cleaned.items() if name != "region"}
        for name, value in cleaned.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_unplaced(self, queryset, name, value):
        return queryset  # applied together with the region (filter_queryset)

    def filter_size_band(self, queryset, name, value):
        if value == SIZE_100:
            return queryset.filter(employee_count__gte=LARGE_EMPLOYEES)
        return queryset.filter(employee_count__gte=MEMBERS_EXPECTED_FROM_EMPLOYEES, employee_count__lt=LARGE_EMPLOYEES)


class LedgerFactFilterSet(LedgerFilterSet):
    """The same keys on a snapshot's per-enterprise facts."""

    legal_member = django_filters.TypedChoiceFilter(label="法定代表人是党员", choices=BOOLEAN, coerce=_true)
    size_band = django_filters.ChoiceFilter(label="从业人员规模", choices=SIZE_BANDS)

    class Meta:
        model = LedgerEnterpriseFact
        fields = list(GROUP_KEYS)
