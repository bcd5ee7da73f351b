from __future__ import annotations

import django_filters

from instructors.choices import InstructorSource
from instructors.models import Assignment, Instructor
from portal.filters import PortalFilterSet, RegionFilter


class InstructorFilterSet(PortalFilterSet):
    """No phone filter: an exact GET filter on a masked value is an oracle (see PartyMemberFilterSet)."""

    q = django_filters.CharFilter(label="姓名", field_name="name", lookup_expr="contains")
    region = RegionFilter(label="区域")
    source = django_filters.ChoiceFilter(label="来源", choices=InstructorSource.choices)
    dual_duty = django_filters.BooleanFilter(label="一岗双责")

    class Meta:
        model = Instructor
        fields = ["q", "region", "source", "dual_duty"]


class AssignmentFilterSet(PortalFilterSet):
    region = RegionFilter(label="区域", region_lookup="enterprise__region")
    instructor = django_filters.NumberFilter(label="指导员", field_name="instructor_id")
    enterprise = django_filters.NumberFilter(label="企业", field_name="enterprise_id")

    class Meta:
        model = Assignment
        fields = ["region", "instructor", "enterprise"]
