"""The admin site is for city administrators only (DOMAIN.md, "who uses it"): `is_staff` alone,
which anyone could be given by mistake, does not open it, and a district user never sees the
unscoped admin lists."""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from portal.choices import Role
from portal.permissions import is_active_user


def may_use_admin(user) -> bool:
    if not is_active_user(user) or not user.is_staff:
        return False
    return user.is_superuser or user.role == Role.CITY_ADMIN


class PortalAdminSite(admin.AdminSite):
    site_header = "非公企业党建工作平台 · 管理后台"
    site_title = "非公企业党建"
    index_title = "管理"

    def has_permission(self, request) -> bool:
        return may_use_admin(request.user)


class PortalAdminConfig(AdminConfig):
    """Installed instead of django.contrib.admin: the default site is PortalAdminSite."""

    default_site = "portal.admin_site.PortalAdminSite"


class AxesConfig(AxesAppConfig):
    """django-axes (the login lockout) under a Chinese name in the admin."""

    verbose_name = "登录锁定"
