"""One FilterSet per listed model, shared by the list page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.urls import reverse_lazy

from enterprises.choices import CarrierKind, EnterpriseKind, ImportSource, ImportStatus, Industry, RegistrationStatus
from enterprises.models import Carrier, Enterprise, RegisterImport
from portal.filters import PortalFilterSet, RegionFilter
from portal.widgets import AutocompleteSelect


def carriers_for(request):
    """The carriers a filter may offer: those of the user's region (none without a request)."""
    return Carrier.objects.visible_to(getattr(request, "user", None)) if request is not None else Carrier.objects.none()


class EnterpriseFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(label="名称/信用代码", method="filter_q")
    region = RegionFilter(label="区域")
    kind = django_filters.ChoiceFilter(label="企业类型", choices=EnterpriseKind.choices)
    industry = django_filters.ChoiceFilter(label="行业", choices=Industry.choices)
    registration_status = django_filters.ChoiceFilter(label="登记状态", choices=RegistrationStatus.choices)
    above_scale = django_filters.BooleanFilter(label="规模以上")
    # Picked by name from the user's region; a value outside it (or a name typed into the query
    # string) is refused as invalid, never silently ignored.
    carrier = django_filters.ModelChoiceFilter(
        label="载体",
        queryset=carriers_for,
        widget=AutocompleteSelect(
            reverse_lazy("enterprises:carrier-autocomplete"), placeholder="输入园区、楼宇名称搜索"
        ),
    )
    employee_count_min = django_filters.NumberFilter(label="从业人员≥", field_name="employee_count", lookup_expr="gte")

    class Meta:
        model = Enterprise
        fields = ["q", "region", "kind", "industry", "registration_status", "above_scale", "carrier"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__contains=value) | Q(credit_code__startswith=value.upper()))


class CarrierFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(label="名称", field_name="name", lookup_expr="contains")
    region = RegionFilter(label="区域")
    kind = django_filters.ChoiceFilter(label="类型", choices=CarrierKind.choices)

    class Meta:
        model = Carrier
        fields = ["q", "region", "kind"]


class RegisterImportFilterSet(PortalFilterSet):
    source = django_filters.ChoiceFilter(label="名单类型", choices=ImportSource.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=ImportStatus.choices)

    class Meta:
        model = RegisterImport
        fields = ["source", "status"]
