from typing import ClassVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group

from portal.models import AccessLog, AuditEvent, Region, User

# What a user may do comes from their role (portal/permissions.py) and what they see from their
# jurisdiction; Django's groups and per-user permissions grant nothing here (User.has_perm), so
# the admin does not offer them (their names are English database rows besides).
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "role", "jurisdiction", "is_active")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "full_name", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "email")}),
        (
            "角色与管辖区域",
            {
                "fields": ("role", "jurisdiction"),
                "description": "除超级用户外，每个用户都必须有管辖区域：用户只能看到管辖区域内的数据。",
            },
        ),
        ("账号状态", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        ("角色与管辖区域", {"classes": ("wide",), "fields": ("full_name", "role", "jurisdiction")}),
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
