"""The shared floor: Region tree (jurisdiction), the custom User, the audit and access logs."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.choices import AccessKind, AuditAction, AuditVia, RegionLevel, Role


class Region(models.Model):
    """行政区划: city → district (GB/T 2260) → street → community (12-digit statistical codes).

    `path` is the chain of codes from the root ("370900/370902/"), so a subtree is one indexed
    prefix scan: that is what region scoping and the ledger's roll-ups use.
    """

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=255, editable=False, unique=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["path"]
        indexes = [models.Index(fields=["path"], name="region_path_prefix", opclasses=["varchar_pattern_ops"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{6}([0-9]{6})?$"),
                name="region_code_digits",
                violation_error_message="区划代码应为 6 位（GB/T 2260）或 12 位统计用区划代码",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "") + self.code + "/"
        super().save(*args, **kwargs)

    def subtree(self) -> models.QuerySet[Region]:
        return Region.objects.filter(path__startswith=self.path)

    def is_within(self, other: Region | None) -> bool:
        return other is not None and self.path.startswith(other.path)


class User(AbstractUser):
    """A portal user: a role and a jurisdiction (the region subtree they see and change)."""

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.LEADER)
    jurisdiction = models.ForeignKey(
        Region,
        verbose_name=_("管辖区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    full_name = models.CharField(_("姓名"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        """A user without a jurisdiction sees nothing (portal/scoping.py): only a superuser, who
        sees everything, may have none. Here so that the admin and every form refuse it alike."""
        super().clean()
        if self.jurisdiction_id is None and not self.is_superuser:
            raise ValidationError(
                {"jurisdiction": "请选择管辖区域：除超级用户外，每个用户都必须有管辖区域，否则看不到任何数据"}
            )

    # City administrators "manage users, regions, carriers, campaigns, settings" (DOMAIN.md): in
    # the admin they hold every model permission without per-user grants. Other roles hold none,
    # whatever grants they were given (the admin site refuses them anyway, portal/admin_site.py).
    def _admin_rights(self) -> bool:
        return self.is_active and (self.is_superuser or (self.is_staff and self.role == Role.CITY_ADMIN))

    def has_perm(self, perm, obj=None) -> bool:
        return self._admin_rights()

    def has_perms(self, perm_list, obj=None) -> bool:
        return self._admin_rights()

    def has_module_perms(self, app_label) -> bool:
        return self._admin_rights()


class AuditEvent(models.Model):
    """One row changed: who, when, from where, old → new. Written by database triggers
    (portal/audit.py) so that form edits, API writes, bulk imports and admin edits are all caught,
    including set-based writes that never pass through Model.save()."""

    occurred_at = models.DateTimeField(_("时间"), db_default=models.functions.Now(), db_index=True)
    table_name = models.CharField(_("数据表"), max_length=64)
    object_id = models.CharField(_("记录编号"), max_length=64)
    action = models.CharField(_("操作"), max_length=1, choices=AuditAction.choices)
    changes = models.JSONField(_("变更内容"), default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    via = models.CharField(_("来源"), max_length=16, choices=AuditVia.choices, default=AuditVia.SYSTEM)
    ip = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    context = models.CharField(_("上下文"), max_length=128, blank=True, default="")

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["table_name", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.table_name}#{self.object_id} {self.get_action_display()}"


class AccessLog(models.Model):
    """A read of personal data (reveal) or an export: who, what, when, from where."""

    occurred_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.PROTECT)
    kind = models.CharField(_("类型"), max_length=16, choices=AccessKind.choices)
    target = models.CharField(_("对象"), max_length=128)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("访问记录")
        verbose_name_plural = _("访问记录")
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display()} {self.target}"
