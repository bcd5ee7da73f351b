from __future__ import annotations

from enterprises.choices import IN_SCOPE_STATUSES
from portal.scoping import RegionScopedQuerySet


class CarrierQuerySet(RegionScopedQuerySet):
    region_lookup = "region"


class EnterpriseQuerySet(RegionScopedQuerySet):
    region_lookup = "region"

    def in_scope(self) -> EnterpriseQuerySet:
        """Enterprises the ledger counts: registration status 存续/在业 (DOMAIN.md)."""
        return self.filter(registration_status__in=IN_SCOPE_STATUSES)


class RegisterImportQuerySet(RegionScopedQuerySet):
    region_lookup = "region"


class SurveyCampaignQuerySet(RegionScopedQuerySet):
    region_lookup = "region"


class SurveyVisitQuerySet(RegionScopedQuerySet):
    region_lookup = "enterprise__region"
