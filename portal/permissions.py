"""Who may do what: roles grant capabilities; views and API viewsets declare the capability they
need. Region scoping (portal/scoping.py) then limits *which rows*; this module limits *what kind of
action*. Both are enforced by the base classes, never by hand in a view."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.choices import Role


class Capability(models.TextChoices):
    VIEW_DATA = "VIEW_DATA", _("查看企业、载体、登记名单导入")
    VIEW_PARTY = "VIEW_PARTY", _("查看党组织、指导员及其派驻")
    EDIT_ENTERPRISE = "EDIT_ENTERPRISE", _("维护企业基础信息")
    EDIT_PARTY = "EDIT_PARTY", _("维护党组织、党员、指导员、工作记录")
    IMPORT_REGISTER = "IMPORT_REGISTER", _("导入登记名单")
    VIEW_LEDGER = "VIEW_LEDGER", _("查看台账与看板")
    MANAGE_LEDGER = "MANAGE_LEDGER", _("统计、校核、上报台账")
    EXPORT = "EXPORT", _("导出")
    VIEW_MEMBERS = "VIEW_MEMBERS", _("查看党员信息（脱敏）")
    REVEAL_PERSONAL = "REVEAL_PERSONAL", _("查看身份证号码、电话等个人敏感信息")
    VIEW_HISTORY = "VIEW_HISTORY", _("查看本辖区记录的变更历史")
    VIEW_AUDIT = "VIEW_AUDIT", _("查看变更与访问日志")
    ADMINISTER = "ADMINISTER", _("管理用户、区域、载体、设置")


_ALL = frozenset(Capability)

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.CITY_ADMIN: _ALL,
    Role.DISTRICT_STAFF: frozenset(
        {
            Capability.VIEW_DATA,
            Capability.VIEW_PARTY,
            Capability.EDIT_ENTERPRISE,
            Capability.EDIT_PARTY,
            Capability.IMPORT_REGISTER,
            Capability.VIEW_LEDGER,
            Capability.MANAGE_LEDGER,
            Capability.EXPORT,
            Capability.VIEW_MEMBERS,
            Capability.REVEAL_PERSONAL,
            # A record's change history, for records inside their district (the history page is
            # scoped like the record). The whole log (VIEW_AUDIT) stays with city administrators;
            # leaders and commerce-bureau staff have neither.
            Capability.VIEW_HISTORY,
        }
    ),
    # Commerce-bureau staff: enterprise basic data of their district (the register, its imports and
    # each enterprise's coverage state), nothing about people: no members, no party organizations,
    # no instructors (VIEW_PARTY).
    Role.COMMERCE_STAFF: frozenset({Capability.VIEW_DATA, Capability.EDIT_ENTERPRISE, Capability.IMPORT_REGISTER}),
    # Leaders: read-only dashboards, ledgers and lists.
    Role.LEADER: frozenset(
        {
            Capability.VIEW_DATA,
            Capability.VIEW_PARTY,
            Capability.VIEW_LEDGER,
            Capability.EXPORT,
            Capability.VIEW_MEMBERS,
        }
    ),
    Role.API_CLIENT: frozenset(
        {
            Capability.VIEW_DATA,
            Capability.VIEW_PARTY,
            Capability.EDIT_ENTERPRISE,
            Capability.EDIT_PARTY,
            Capability.IMPORT_REGISTER,
            Capability.VIEW_LEDGER,
            Capability.VIEW_MEMBERS,
        }
    ),
}


def is_active_user(user) -> bool:
    """Signed in and not deactivated: the one guard before any capability or scope is granted."""
    return user is not None and user.is_authenticated and user.is_active


def capabilities_of(user) -> frozenset[Capability]:
    """Everything `user` may do: nothing when signed out or inactive, everything for a superuser."""
    if not is_active_user(user):
        return frozenset()
    if user.is_superuser:
        return _ALL
    return ROLE_CAPABILITIES.get(user.role, frozenset())


def has_capability(user, capability: Capability | str) -> bool:
    if not is_active_user(user):
        return False
    if user.is_superuser:
        return True
    return capability in ROLE_CAPABILITIES.get(user.role, frozenset())


class CapabilityRequiredMixin:
    """For class-based views: `required_capability` must be declared (None only for pages every
    signed-in user may open). Signed-out users are sent to the login page, a user without the
    capability gets 403, and a view that forgot to declare one refuses everyone (fail closed; the
    permission-matrix test names it)."""

    required_capability: Capability | None

    def dispatch(self, request, *args, **kwargs):
        # Not at the top: django.contrib.auth.views loads the auth models, and this module is
        # imported while the app registry is still loading (portal.admin_site's AppConfig).
        from django.contrib.auth.views import redirect_to_login

        if not hasattr(self, "required_capability"):
            raise ImproperlyConfigured(f"{type(self).__name__} 未声明 required_capability")
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        capability = self.required_capability
        if capability is not None and not has_capability(request.user, capability):
            raise PermissionDenied("您的角色无权执行此操作")
        return super().dispatch(request, *args, **kwargs)
