from django.contrib import admin

from assessments.models import DemonstrationSite, DualStrongSixGood, FederationRating, PerformanceReview

for model in (DualStrongSixGood, PerformanceReview, DemonstrationSite, FederationRating):
    admin.site.register(model)
