from django.contrib import admin

from organizations.models import ExcellenceSystem, OrgLifeRecord, PartyMember, PartyOrganization


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "formation", "region", "established_on", "dissolved_on")
    list_filter = ("level", "formation", "is_online")
    search_fields = ("name",)
    raw_id_fields = ("region", "carrier", "parent", "secretary", "covered_enterprises")


@admin.register(PartyMember)
class PartyMemberAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "workplace", "organization", "region")
    list_filter = ("status", "is_hidden", "is_mobile")
    search_fields = ("name",)
    raw_id_fields = ("region", "workplace", "organization", "participates_in")
    exclude = ("id_number", "phone")  # personal data is revealed only through the logged reveal flow


admin.site.register(OrgLifeRecord)
admin.site.register(ExcellenceSystem)
