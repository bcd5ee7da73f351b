from __future__ import annotations

import datetime as dt

from django.db.models import Q

from portal.scoping import RegionScopedQuerySet


def assignment_active_q(day: dt.date, prefix: str = "") -> Q:
    """派驻 is active when `day` is inside [start_on, end_on] (end_on open when blank)."""
    return Q(**{f"{prefix}start_on__lte": day}) & (
        Q(**{f"{prefix}end_on__isnull": True}) | Q(**{f"{prefix}end_on__gte": day})
    )


class InstructorQuerySet(RegionScopedQuerySet):
    region_lookup = "region"


class AssignmentQuerySet(RegionScopedQuerySet):
    region_lookup = "enterprise__region"

    def active_on(self, day: dt.date) -> AssignmentQuerySet:
        return self.filter(assignment_active_q(day))


class FirstSecretaryQuerySet(RegionScopedQuerySet):
    region_lookup = "organization__region"


class TrainingQuerySet(RegionScopedQuerySet):
    region_lookup = "region"


class StipendQuerySet(RegionScopedQuerySet):
    region_lookup = "instructor__region"
