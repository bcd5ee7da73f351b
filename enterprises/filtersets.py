"""One FilterSet per listed model, shared by the list page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from enterprises.choices import CarrierKind, EnterpriseKind, ImportSource, ImportStatus, Industry, RegistrationStatus
from enterprises.models import Carrier, Enterprise, RegisterImport
from portal.filters import RegionFilter


class EnterpriseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="名称/信用代码", method="filter_q")
    region = RegionFilter(label="区域")
    kind = django_filters.ChoiceFilter(label="企业类型", choices=EnterpriseKind.choices)
    industry = django_filters.ChoiceFilter(label="行业", choices=Industry.choices)
    registration_status = django_filters.ChoiceFilter(label="登记状态", choices=RegistrationStatus.choices)
    above_scale = django_filters.BooleanFilter(label="规模以上")
    carrier = django_filters.NumberFilter(label="载体", field_name="carrier_id")
    employee_count_min = django_filters.NumberFilter(label="从业人员≥", field_name="employee_count", lookup_expr="gte")

    class Meta:
        model = Enterprise
        fields = ["q", "region", "kind", "industry", "registration_status", "above_scale", "carrier"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__contains=value) | Q(credit_code__startswith=value.upper()))


class CarrierFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="名称", field_name="name", lookup_expr="contains")
    region = RegionFilter(label="区域")
    kind = django_filters.ChoiceFilter(label="类型", choices=CarrierKind.choices)

    class Meta:
        model = Carrier
        fields = ["q", "region", "kind"]


class RegisterImportFilterSet(django_filters.FilterSet):
    source = django_filters.ChoiceFilter(label="名单类型", choices=ImportSource.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=ImportStatus.choices)

    class Meta:
        model = RegisterImport
        fields = ["source", "status"]
