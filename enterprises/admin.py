from django.contrib import admin

from enterprises.models import Carrier, Enterprise, RegisterImport, SurveyCampaign, SurveyVisit


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "credit_code",
        "kind",
        "industry",
        "region",
        "employee_count",
        "registration_status",
    )
    list_filter = ("kind", "registration_status", "above_scale", "industry")
    search_fields = ("=credit_code", "name")
    raw_id_fields = ("region", "carrier", "last_import")
    show_full_result_count = False


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(RegisterImport)
class RegisterImportAdmin(admin.ModelAdmin):
    list_display = ("original_name", "source", "status", "total_rows", "uploaded_by", "created_at")
    list_filter = ("source", "status")


admin.site.register(SurveyCampaign)


@admin.register(SurveyVisit)
class SurveyVisitAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "campaign", "visited_on")
    raw_id_fields = ("enterprise",)
