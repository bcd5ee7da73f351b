from __future__ import annotations

import datetime as dt

from django.db.models import Q

from portal.scoping import RegionScopedQuerySet

# Instructors are people: invisible to roles without VIEW_PARTY (commerce-bureau staff) wherever
# they would appear, an enterprise's page included.
VIEW_PARTY = "VIEW_PARTY"


def assignment_active_q(day: dt.date, prefix: str = "") -> Q:
    """派驻 is active when `day` is inside [start_on, end_on] (end_on open when blank)."""
    return Q(**{f"{prefix}start_on__lte": day}) & (
        Q(**{f"{prefix}end_on__isnull": True}) | Q(**{f"{prefix}end_on__gte": day})
    )


class InstructorQuerySet(RegionScopedQuerySet):
    region_lookup = "region"
    required_capability = VIEW_PARTY


class AssignmentQuerySet(RegionScopedQuerySet):
    region_lookup = "enterprise__region"
    required_capability = VIEW_PARTY

    def active_on(self, day: dt.date) -> AssignmentQuerySet:
        return self.filter(assignment_active_q(day))


class FirstSecretaryQuerySet(RegionScopedQuerySet):
    region_lookup = "organization__region"
    required_capability = VIEW_PARTY


class TrainingQuerySet(RegionScopedQuerySet):
    region_lookup = "region"
    required_capability = VIEW_PARTY


class StipendQuerySet(RegionScopedQuerySet):
    region_lookup = "instructor__region"
    required_capability = VIEW_PARTY
