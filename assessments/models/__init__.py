from assessments.models.evaluations import (
    DemonstrationSite,
    DualStrongSixGood,
    FederationRating,
    PerformanceReview,
)

__all__ = ["DemonstrationSite", "DualStrongSixGood", "FederationRating", "PerformanceReview"]
