from django.contrib import admin

from assessments.models import (
    DemonstrationSite,
    DualStrongSixGood,
    FederationRating,
    LedgerPeriod,
    LedgerSnapshot,
    PerformanceReview,
)

for model in (DualStrongSixGood, PerformanceReview, DemonstrationSite, FederationRating):
    admin.site.register(model)


@admin.register(LedgerSnapshot)
class LedgerSnapshotAdmin(admin.ModelAdmin):
    """Snapshots are written by the ledger job only; administrators look, never edit."""

    list_display = ("as_of", "period", "status", "reason", "computed_at", "duration_ms", "row_count")
    list_filter = ("status",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LedgerPeriod)
class LedgerPeriodAdmin(admin.ModelAdmin):
    list_display = ("region", "name", "as_of", "status", "submitted_at", "submitted_by")
    list_filter = ("status",)
    readonly_fields = ("status", "check_errors", "computed_at", "checked_at", "submitted_at", "submitted_by")
