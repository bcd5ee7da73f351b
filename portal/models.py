"""The shared floor: Region tree (jurisdiction), the custom User, the audit and access logs."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
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
        """Keep every path below in step with this one.

        A change of parent (or of code) changes the path of the whole subtree, and region scoping
        and the ledger's roll-ups read nothing but paths: so instead of writing only this row,
        `save()` routes the change through `rewrite_subtree` — the same one-statement rewrite that
        `portal.services.region_move` uses — in one transaction, after the cycle and level rules
        (`check_parent`). Forbidding a parent change outside the service would leave the admin's
        parent field a trap; routing it keeps the tree consistent whoever saves. What only the
        service adds is the capability check and the attribution to the acting user (an admin
        edit is attributed by the request middleware).
        """
        new_path = (self.parent.path if self.parent_id else "") + self.code + "/"
        old_path = None
        if self.pk is not None:
            old_path = Region.objects.filter(pk=self.pk).values_list("path", flat=True).first()
        if old_path is None or old_path == new_path:
            self.path = new_path
            super().save(*args, **kwargs)
            return
        self.check_parent(self.parent)
        with transaction.atomic():
            rewrite_subtree(region_id=self.pk, old_path=old_path, new_path=new_path, new_parent_id=self.parent_id)
            self.path = new_path
            super().save(*args, **kwargs)

    def clean(self) -> None:
        self.check_parent(self.parent)

    def check_parent(self, parent: Region | None) -> None:
        """行政区划调整的两条规则: a region never goes under itself or its own descendant (the tree
        would loop), and it goes under the level directly above its own (a street under a district,
        a community under a street). ValidationError on `parent`, in Chinese, for the admin form,
        `portal.services.region_move` and `save()` alike."""
        if parent is None:
            return
        if self.pk is not None:
            if parent.pk == self.pk:
                raise ValidationError({"parent": "不能把区域调整到它自身之下"})
            # Compare with the stored paths: `self.path` may already be the unsaved new one.
            stored = Region.objects.filter(pk=self.pk).values_list("path", flat=True).first()
            if stored and Region.subtree_of(stored).filter(pk=parent.pk).exists():
                raise ValidationError({"parent": f"不能把“{self.name}”调整到它的下级区域“{parent.name}”之下"})
        expected = PARENT_LEVEL.get(self.level)
        if expected is not None and parent.level != expected:
            raise ValidationError(
                {
                    "parent": f"{self.get_level_display()}应归属到{RegionLevel(expected).label}，"
                    f"“{parent.name}”是{parent.get_level_display()}"
                }
            )

    @staticmethod
    def subtree_of(path) -> models.QuerySet[Region]:
        """The regions under the one whose path is `path` (a string or a subquery), itself included:
        the one region-subtree filter, an indexed prefix scan on `path`."""
        return Region.objects.filter(path__startswith=path)

    def subtree(self) -> models.QuerySet[Region]:
        return Region.subtree_of(self.path)

    def is_within(self, other: Region | None) -> bool:
        return other is not None and self.path.startswith(other.path)


# The level a region's parent has (行政区划: 省 → 市 → 区县 → 街道乡镇 → 社区村).
PARENT_LEVEL: dict[str, str] = {
    RegionLevel.CITY: RegionLevel.PROVINCE,
    RegionLevel.DISTRICT: RegionLevel.CITY,
    RegionLevel.STREET: RegionLevel.DISTRICT,
    RegionLevel.COMMUNITY: RegionLevel.STREET,
}


def rewrite_subtree(*, region_id: int, old_path: str, new_path: str, new_parent_id: int | None) -> int:
    """Move a subtree in ONE statement: every path under `old_path` (the region's own included)
    gets `new_path` in place of that prefix, and the region itself its new parent. Returns the
    number of regions rewritten. The statement-level audit trigger records each row's old → new
    path. Paths are digits and slashes only (region_code_digits), so LIKE needs no escaping; the
    caller has refused cycles, so no new path can collide with an old one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE portal_region"
            " SET path = %s || substr(path, %s),"
            " parent_id = CASE WHEN id = %s THEN %s ELSE parent_id END"
            " WHERE path LIKE %s",
            [new_path, len(old_path) + 1, region_id, new_parent_id, old_path + "%"],
        )
        return cursor.rowcount


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
