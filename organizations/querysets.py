from __future__ import annotations

import datetime as dt

from django.db.models import Q

from portal.scoping import RegionScopedQuerySet


def active_on_q(day: dt.date, prefix: str = "") -> Q:
    """An organization is active on `day` when established on or before it and not yet dissolved."""
    return Q(**{f"{prefix}established_on__lte": day}) & (
        Q(**{f"{prefix}dissolved_on__isnull": True}) | Q(**{f"{prefix}dissolved_on__gt": day})
    )


# Party organizations, instructors and everything hanging off them are invisible to roles without
# VIEW_PARTY (commerce-bureau staff keep enterprise basic data only), wherever they would appear.
VIEW_PARTY = "VIEW_PARTY"


class PartyOrganizationQuerySet(RegionScopedQuerySet):
    region_lookup = "region"
    required_capability = VIEW_PARTY

    def active_on(self, day: dt.date) -> PartyOrganizationQuerySet:
        return self.filter(active_on_q(day))


class PartyMemberQuerySet(RegionScopedQuerySet):
    region_lookup = "region"
    required_capability = "VIEW_MEMBERS"  # commerce-bureau staff never see members (DOMAIN.md)


class OrgLifeRecordQuerySet(RegionScopedQuerySet):
    region_lookup = "organization__region"
    required_capability = VIEW_PARTY
