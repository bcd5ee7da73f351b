from assessments.models.evaluations import (
    DemonstrationSite,
    DualStrongSixGood,
    FederationRating,
    PerformanceReview,
)
from assessments.models.ledger import LedgerEnterpriseFact, LedgerPeriod, LedgerRow, LedgerSnapshot, figure_bit

__all__ = [
    "DemonstrationSite",
    "DualStrongSixGood",
    "FederationRating",
    "LedgerEnterpriseFact",
    "LedgerPeriod",
    "LedgerRow",
    "LedgerSnapshot",
    "PerformanceReview",
    "figure_bit",
]
