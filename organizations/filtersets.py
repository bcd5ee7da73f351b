from __future__ import annotations

import django_filters

from organizations.choices import Formation, MemberStatus, OrgLevel
from organizations.models import PartyMember, PartyOrganization
from portal.filters import PortalFilterSet, RegionFilter


class PartyOrganizationFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(label="名称", field_name="name", lookup_expr="contains")
    region = RegionFilter(label="区域")
    level = django_filters.ChoiceFilter(label="组织类别", choices=OrgLevel.choices)
    formation = django_filters.ChoiceFilter(label="组建方式", choices=Formation.choices)
    is_online = django_filters.BooleanFilter(label="网上e支部")

    class Meta:
        model = PartyOrganization
        fields = ["q", "region", "level", "formation", "is_online"]


class PartyMemberFilterSet(PortalFilterSet):
    """No ID-number or phone filter here: a GET filter on them was an oracle for guessing a masked
    value (and put it in proxy logs). Exact lookups are a logged, throttled POST
    (organizations.services.party_member_lookup) for roles that may reveal personal data."""

    q = django_filters.CharFilter(label="姓名", field_name="name", lookup_expr="contains")
    region = RegionFilter(label="区域")
    status = django_filters.ChoiceFilter(label="党员类别", choices=MemberStatus.choices)
    is_hidden = django_filters.BooleanFilter(label="隐性党员")
    is_mobile = django_filters.BooleanFilter(label="流动党员")
    workplace = django_filters.NumberFilter(label="工作单位", field_name="workplace_id")
    organization = django_filters.NumberFilter(label="党组织", field_name="organization_id")

    class Meta:
        model = PartyMember
        fields = ["q", "region", "status", "is_hidden", "is_mobile", "workplace", "organization"]
