from assessments.models.evaluations import (
    DemonstrationSite,
    DualStrongSixGood,
    FederationRating,
    PerformanceReview,
)
from assessments.models.ledger import LedgerPeriod, LedgerRow, LedgerSnapshot

__all__ = [
    "DemonstrationSite",
    "DualStrongSixGood",
    "FederationRating",
    "LedgerPeriod",
    "LedgerRow",
    "LedgerSnapshot",
    "PerformanceReview",
]
