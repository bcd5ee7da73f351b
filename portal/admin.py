from typing import ClassVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from portal.models import AccessLog, AuditEvent, Region, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "role", "jurisdiction", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("平台", {"fields": ("full_name", "role", "jurisdiction")}))
    add_fieldsets = (
        *(BaseUserAdmin.add_fieldsets or ()),
        ("平台", {"fields": ("full_name", "role", "jurisdiction")}),
    )
    autocomplete_fields = ("jurisdiction",)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display: tuple[str, ...] = ("occurred_at", "table_name", "object_id", "action", "actor", "via", "ip")
    list_filter: ClassVar[tuple[str, ...]] = ("action", "via", "table_name")
    search_fields: ClassVar[tuple[str, ...]] = ("object_id", "context")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(AuditEventAdmin):
    list_display = ("occurred_at", "user", "kind", "target", "ip")
    list_filter = ("kind",)
    search_fields = ("target",)
    readonly_fields = [f.name for f in AccessLog._meta.fields]
