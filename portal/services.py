"""Writes of the shared floor: reads of personal data and exports, permission checked and logged
in one place (STYLE.md rule 4, "reads of personal data are logged"), and the re-division of the
region tree (行政区划调整). Pages, API actions, exports and commands call these."""

from __future__ import annotations

import datetime as dt
import secrets
import string
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone

from portal.audit import attributed, write_service
from portal.choices import AccessKind, RegionLevel
from portal.fields import EncryptedTextField, Undecryptable, digest_candidates, mask_id_number, mask_phone
from portal.models import PARENT_LEVEL, AccessLog, Region, User, rewrite_subtree
from portal.permissions import Capability, has_capability


def personal_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The model's personal-data fields (encrypted at rest, masked unless revealed)."""
    return tuple(f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField))


def mask_value(field_name: str, value: str | None) -> str:
    """The masked form of a personal-data value: ID numbers and phones keep their last 4 characters."""
    if isinstance(value, Undecryptable):
        return str(value)
    if field_name == "id_number":
        return mask_id_number(value)
    return mask_phone(value) if "phone" in field_name else ("*" * len(value) if value else "")


def masked(obj: models.Model) -> dict[str, str]:
    """{field: masked value} for every personal-data field of `obj`: what everyone sees by default."""
    return {name: mask_value(name, getattr(obj, name)) for name in personal_fields(type(obj))}


def record_target(obj: models.Model) -> str:
    """How the access log names a record: "organizations.partymember:42"."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def can_reveal(user: User | AnonymousUser) -> bool:
    return has_capability(user, Capability.REVEAL_PERSONAL)


def personal_data_reveal(*, user: User, obj: models.Model, fields: Sequence[str], ip: str | None) -> dict[str, str]:
    """Show `fields` of `obj` in clear to `user`, and log it (AccessLog kind REVEAL).

    Needs Capability.REVEAL_PERSONAL (PermissionDenied otherwise) and `obj` inside the user's
    region (`DoesNotExist` otherwise, the same as a record that is not there). Only personal-data
    fields can be asked for. The log names the record and the fields, never the values.
    """
    if not can_reveal(user):
        raise PermissionDenied("您的角色无权查看个人敏感信息")
    model: Any = type(obj)  # a region-scoped model: objects.visible_to
    allowed = personal_fields(model)
    unknown = [name for name in fields if name not in allowed]
    if unknown or not fields:
        raise ValueError(f"{model._meta.label} 没有这些个人敏感字段：{unknown or '（未指定）'}")
    if not model.objects.visible_to(user).filter(pk=obj.pk).exists():
        raise model.DoesNotExist
    AccessLog.objects.create(
        user=user,
        kind=AccessKind.REVEAL,
        target=record_target(obj),
        detail={"fields": list(fields), "label": str(obj)[:64]},
        ip=ip,
    )
    return {name: getattr(obj, name) or "" for name in fields}


def export_logged(
    *,
    user: User,
    target: str,
    row_count: int,
    ip: str | None,
    personal_fields: Sequence[str] = (),
    detail: Mapping[str, object] | None = None,
) -> AccessLog:
    """Log an export (AccessLog kind EXPORT) — call it for every file a user downloads.

    `target` names what was exported ("ledger:370902:2026-11-21", "register-import:17:errors").
    `personal_fields` lists any personal-data fields the file carries *in clear*; then the user
    needs Capability.REVEAL_PERSONAL (PermissionDenied otherwise, nothing is logged, nothing should
    be sent). Masked values do not count. Whether the user may export at all is the view's own
    `required_capability`. Call it before streaming the file.
    """
    if personal_fields and not can_reveal(user):
        raise PermissionDenied("导出个人敏感信息需要相应权限")
    return AccessLog.objects.create(
        user=user,
        kind=AccessKind.EXPORT,
        target=target[:128],
        detail={"rows": row_count, "personal_fields": list(personal_fields), **dict(detail or {})},
        ip=ip,
    )


@dataclass(frozen=True)
class RegionMoved:
    """The outcome of a move: the region (re-read, new path), where it was, how many regions moved."""

    region: Region
    old_parent: Region | None
    old_path: str
    moved_count: int


@write_service(Capability.ADMINISTER, message="只有市级管理员可以调整行政区划")
def region_move(*, region: Region, new_parent: Region, acting_user: Any) -> RegionMoved:
    """行政区划调整: move `region` and everything below it under `new_parent`.

    Only city administrators (and superusers) re-divide the tree (Capability.ADMINISTER,
    PermissionDenied otherwise). The cycle and level rules are `Region.check_parent`'s
    (ValidationError in Chinese). Every path of the subtree is rewritten in one UPDATE inside one
    transaction, attributed to `acting_user` in the change log (context "region_move:<code>").
    Enterprises, members and organizations point at regions, not paths: once the paths are
    rewritten, scoping and the live ledger follow the new tree. Snapshots already taken keep their
    rows (LedgerRow stores counts, keyed by region id), so they still show the old division; no
    snapshot is re-taken here (that would overwrite today's), the next nightly one counts the new
    tree.
    """
    # Lock both ends so that a concurrent move cannot slip the new parent under the region.
    locked = {r.pk: r for r in Region.objects.select_for_update().filter(pk__in=[region.pk, new_parent.pk])}
    if region.pk not in locked or new_parent.pk not in locked:
        raise ValidationError("区域不存在")
    moving, parent = locked[region.pk], locked[new_parent.pk]
    if moving.parent_id == parent.pk:
        raise ValidationError({"parent": f"“{moving.name}”已属于“{parent.name}”，无需调整"})
    moving.check_parent(parent)
    old_parent = moving.parent
    old_path = moving.path
    new_path = parent.path + moving.code + "/"
    with attributed(acting_user, context=f"region_move:{moving.code}"):  # the log names the region moved
        moved_count = rewrite_subtree(
            region_id=moving.pk, old_path=old_path, new_path=new_path, new_parent_id=parent.pk
        )
    moving.refresh_from_db()
    return RegionMoved(region=moving, old_parent=old_parent, old_path=old_path, moved_count=moved_count)


class LookupThrottled(Exception):
    """Too many exact lookups of personal data by one user within a minute (answered 429)."""

    message = "精确查找过于频繁，请稍后再试（每人每分钟最多 {limit} 次）"

    def __init__(self, limit: int):
        super().__init__(self.message.format(limit=limit))


def lookup_limit_per_minute() -> int:
    return int(getattr(settings, "PERSONAL_LOOKUP_PER_MINUTE", 10))


def _count_lookup(user: Any) -> None:
    """Counts the user's lookups in the current minute (Django's cache, shared by the workers when
    it is a shared cache) and refuses past the limit."""
    limit = lookup_limit_per_minute()
    key = f"personal-lookup:{user.pk}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    if count > limit:
        raise LookupThrottled(limit)


def personal_data_lookup(
    *, user: Any, model: type[models.Model], field: str, value: str, ip: str | None
) -> models.QuerySet[Any]:
    """The rows of `model` inside the user's region whose personal-data `field` ("id_number",
    "phone") is exactly `value`, through the field's keyed digest.

    An exact lookup confirms a guess, so it is a reveal: it needs Capability.REVEAL_PERSONAL
    (PermissionDenied otherwise), is throttled per user (LookupThrottled) and is logged like one
    (AccessLog kind REVEAL, target "<model>:lookup", the field and the matching ids — never the
    value), whether or not anything matched. Pages and API take `value` from a POST body, never
    from the query string (proxy logs keep query strings).
    """
    if not can_reveal(user):
        raise PermissionDenied("按身份证号码、电话精确查找需要查看个人敏感信息的权限")
    digest_field = f"{field}_digest"
    if field not in personal_fields(model) or not any(f.name == digest_field for f in model._meta.concrete_fields):
        raise ValueError(f"{model._meta.label} 不能按“{field}”精确查找")
    _count_lookup(user)
    manager: Any = model._default_manager  # a RegionScopedQuerySet manager: visible_to
    ids = list(
        manager.visible_to(user)
        .filter(**{f"{digest_field}__in": digest_candidates(value)})
        .values_list("pk", flat=True)[:50]
    )
    AccessLog.objects.create(
        user=user,
        kind=AccessKind.REVEAL,
        target=f"{model._meta.label_lower}:lookup",
        detail={"fields": [field], "lookup": True, "matches": ids},
        ip=ip,
    )
    return manager.visible_to(user).filter(pk__in=ids)


# --- 系统管理: users and regions, managed by city administrators in the portal -------------------
# (portal/administration.py holds the pages.) A city administrator manages what lies inside their
# own jurisdiction only: a user whose jurisdiction is in their subtree, a region of their subtree.
# Passwords are never logged: the audit trigger of portal_user ignores the `password` column
# (portal/migrations/0002_audit_trigger_function.py), and no service puts one in a message.

CHILD_LEVEL: dict[str, str] = {parent: child for child, parent in PARENT_LEVEL.items()}


def _in_admin_scope(region: Region | None, acting_user: Any) -> bool:
    if acting_user.is_superuser:
        return True
    if region is None or acting_user.jurisdiction_id is None:
        return False
    return region.is_within(acting_user.jurisdiction)


def _require_user_in_scope(user: User, acting_user: Any) -> None:
    if user.is_superuser and not acting_user.is_superuser:
        raise PermissionDenied("超级用户只能由超级用户管理")
    if not _in_admin_scope(user.jurisdiction, acting_user):
        raise PermissionDenied("该用户不在您的管辖区域内")


def _require_jurisdiction_in_scope(jurisdiction: Region | None, acting_user: Any) -> None:
    if jurisdiction is not None and not _in_admin_scope(jurisdiction, acting_user):
        scope = acting_user.jurisdiction.name if acting_user.jurisdiction_id else "—"
        raise ValidationError({"jurisdiction": f"只能把用户设在您的管辖区域（{scope}）之内"})


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None


def generate_password() -> str:
    """A random password that passes the portal's validators (shown once to the administrator)."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{body[:4]}-{body[4:8]}-{body[8:]}{secrets.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{secrets.randbelow(10)}"


@write_service(Capability.ADMINISTER, message="只有管理员可以管理用户")
def user_create(
    *, username: str, full_name: str, role: str, jurisdiction: Region | None, password: str, acting_user: Any
) -> User:
    """A new user with a role and a jurisdiction inside the administrator's own; the initial
    password must pass Django's password validators (the caller may have generated it)."""
    _require_jurisdiction_in_scope(jurisdiction, acting_user)
    user = User(username=username.strip(), full_name=full_name.strip(), role=role, jurisdiction=jurisdiction)
    user.full_clean(exclude=["password"])  # the model's rules (jurisdiction required, unique username)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    return user


@write_service(Capability.ADMINISTER, message="只有管理员可以管理用户")
def user_update(*, user: User, full_name: str, role: str, jurisdiction: Region | None, acting_user: Any) -> User:
    """Role, jurisdiction and name of a user inside the administrator's jurisdiction. Nobody demotes
    themselves or narrows their own jurisdiction (they would lock themselves out of this page)."""
    _require_user_in_scope(user, acting_user)
    _require_jurisdiction_in_scope(jurisdiction, acting_user)
    if user.pk == acting_user.pk:
        if role != user.role:
            raise ValidationError({"role": "不能修改自己的角色"})
        if jurisdiction != user.jurisdiction:
            raise ValidationError({"jurisdiction": "不能修改自己的管辖区域"})
    user.full_name = full_name.strip()
    user.role = role
    user.jurisdiction = jurisdiction
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "role", "jurisdiction"])
    return user


@write_service(Capability.ADMINISTER, message="只有管理员可以管理用户")
def user_set_active(*, user: User, active: bool, reason: str, acting_user: Any) -> User:
    """启用 / 停用 a user (never deleted: their records keep their author). The change log records
    the is_active change with the reason in its context ("user_set_active:<reason>")."""
    _require_user_in_scope(user, acting_user)
    if user.pk == acting_user.pk and not active:
        raise ValidationError({"reason": "不能停用自己的账号"})
    reason = reason.strip()
    if not active and not reason:
        raise ValidationError({"reason": "请填写停用原因"})
    if user.is_active == active:
        raise ValidationError({"reason": f"该用户已{'启用' if active else '停用'}，无需重复办理"})
    user.is_active = active
    with attributed(acting_user, context=f"user_set_active:{reason}"[:128]):
        user.save(update_fields=["is_active"])
    return user


@write_service(Capability.ADMINISTER, message="只有管理员可以管理用户")
def user_reset_password(*, user: User, password: str, acting_user: Any) -> User:
    """A new password set by the administrator (or generated and shown to them once). The hash is
    not recorded in the change log (the trigger ignores the column)."""
    _require_user_in_scope(user, acting_user)
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


@write_service(Capability.ADMINISTER, message="只有管理员可以管理用户")
def user_unlock(*, user: User, acting_user: Any) -> int:
    """Lift a lockout after repeated failed logins (django-axes): the user may sign in again at
    once. Returns the number of lockout records cleared."""
    _require_user_in_scope(user, acting_user)
    return axes_reset(username=user.username)


def locked_out_usernames(usernames: Sequence[str]) -> set[str]:
    """Which of `usernames` are locked out now (django-axes: failures at the limit within the
    cool-off time), in one query."""
    if not usernames:
        return set()
    queryset = AccessAttempt.objects.filter(
        username__in=list(usernames), failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    if isinstance(cooloff, dt.timedelta):
        queryset = queryset.filter(attempt_time__gte=timezone.now() - cooloff)
    return set(queryset.values_list("username", flat=True))


def _require_region_in_scope(region: Region, acting_user: Any, field: str | None = None) -> None:
    if not _in_admin_scope(region, acting_user):
        if field:
            raise ValidationError({field: "所选区域不在您的管辖区域内"})
        raise PermissionDenied("该区域不在您的管辖区域内")


@write_service(Capability.ADMINISTER, message="只有管理员可以维护行政区划")
def region_create(*, parent: Region, code: str, name: str, acting_user: Any) -> Region:
    """A street under a district or a community under a street, inside the administrator's
    jurisdiction. Codes below the district are 12-digit statistical codes that begin with the
    parent's own digits (街道 370902001000 under 370902, 社区 370902001001 under 370902001)."""
    _require_region_in_scope(parent, acting_user, "parent")
    level = CHILD_LEVEL.get(parent.level)
    if level not in (RegionLevel.STREET, RegionLevel.COMMUNITY):
        raise ValidationError({"parent": "只能在区县下新增街道乡镇，或在街道乡镇下新增社区村"})
    code = code.strip()
    if len(code) != 12 or not code.isdigit():
        raise ValidationError({"code": "街道乡镇、社区村的区划代码应为 12 位统计用区划代码"})
    prefix = parent.code[:6] if level == RegionLevel.STREET else parent.code[:9]
    if not code.startswith(prefix):
        raise ValidationError({"code": f"区划代码应以上级区划代码“{prefix}”开头"})
    region = Region(code=code, name=name.strip(), level=level, parent=parent)
    region.full_clean(exclude=["path"])
    region.save()
    return region


@write_service(Capability.ADMINISTER, message="只有管理员可以维护行政区划")
def region_rename(*, region: Region, name: str, acting_user: Any) -> Region:
    _require_region_in_scope(region, acting_user)
    region.name = name.strip()
    region.full_clean(exclude=["path"])
    region.save(update_fields=["name"])
    return region
