"""The ledger period workflow: 重新统计 → 校核 → 上报 (and 退回 by a city administrator).

Each service is a `write_service`: it checks the acting user's capability itself (and its scope
here), records who did it on the period (computed_by / checked_by / submitted_by / reopened_by) and
runs in one transaction attributed to `acting_user`, so the audit log names them whatever
interface called it (the page, the API or `manage.py ledger_period`). A submitted period is locked until it is
reopened with a reason.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from assessments.choices import PeriodStatus
from assessments.models import LedgerPeriod
from assessments.selectors import collect_period_problems
from assessments.snapshots import LedgerLocked, take_snapshot
from portal.audit import attributed, write_service
from portal.models import Region, User
from portal.permissions import Capability, has_capability
from portal.scoping import region_visible_to

REOPEN_REASON_MIN_LENGTH = 4
MANAGE_LEDGER_REFUSED = "您的角色无权统计上报台账"


@write_service(Capability.MANAGE_LEDGER, message=MANAGE_LEDGER_REFUSED)
def period_create(*, region: Region, name: str, as_of: dt.date, acting_user: User) -> LedgerPeriod:
    if not region_visible_to(acting_user).filter(pk=region.pk).exists():
        raise PermissionDenied("该区域不在您的管辖范围内")
    period = LedgerPeriod(region=region, name=name, as_of=as_of)
    period.full_clean()
    period.save()
    return period


def _locked_for_update(period: LedgerPeriod, acting_user: User) -> LedgerPeriod:
    """The period, row-locked, if the acting user may see it and it is not submitted."""
    period = LedgerPeriod.objects.visible_to(acting_user).select_for_update().select_related("region").get(pk=period.pk)
    if period.is_locked:
        raise LedgerLocked(f"{period} 已上报，数据已锁定")
    return period


def _visible(period: LedgerPeriod, acting_user: User) -> None:
    if not LedgerPeriod.objects.visible_to(acting_user).filter(pk=period.pk).exists():
        raise PermissionDenied("该台账期间不在您的管辖范围内")


def period_compute(*, period: LedgerPeriod, acting_user: User) -> LedgerPeriod:
    """重新统计: take (or retake) the period's snapshot of its district; checks must run again.

    Not one transaction (so not `write_service`, whose check and attribution it repeats): the
    snapshot commits RUNNING before it counts and records FAILED when counting fails, which an
    enclosing transaction would roll back."""
    if not has_capability(acting_user, Capability.MANAGE_LEDGER):
        raise PermissionDenied(MANAGE_LEDGER_REFUSED)
    _visible(period, acting_user)
    with attributed(acting_user, context="period_compute"):
        snapshot = take_snapshot(as_of=period.as_of, period=period, reason=f"重新统计（{acting_user}）")
        with transaction.atomic():
            period = _locked_for_update(period, acting_user)
            period.status = PeriodStatus.COMPUTED
            period.computed_at = snapshot.computed_at
            period.computed_by = acting_user
            period.check_errors = []
            period.checked_at, period.checked_by = None, None
            period.save(
                update_fields=["status", "computed_at", "computed_by", "check_errors", "checked_at", "checked_by"]
            )
    return period


@write_service(Capability.MANAGE_LEDGER, message=MANAGE_LEDGER_REFUSED)
def period_check(*, period: LedgerPeriod, acting_user: User) -> LedgerPeriod:
    """校核: record the problems found (none: CHECKED) and who checked."""
    period = _locked_for_update(period, acting_user)
    if period.status == PeriodStatus.DRAFT:
        raise ValidationError("尚未统计，请先重新统计")
    problems = collect_period_problems(period)
    period.check_errors = problems
    period.status = PeriodStatus.COMPUTED if problems else PeriodStatus.CHECKED
    period.checked_at = timezone.now()
    period.checked_by = acting_user
    period.save(update_fields=["check_errors", "status", "checked_at", "checked_by"])
    return period


@write_service(Capability.MANAGE_LEDGER, message=MANAGE_LEDGER_REFUSED)
def period_submit(*, period: LedgerPeriod, acting_user: User) -> LedgerPeriod:
    """上报: only a checked period; afterwards its snapshot is never taken again (until reopened)."""
    period = _locked_for_update(period, acting_user)
    if period.status != PeriodStatus.CHECKED:
        raise ValidationError("校核通过后才能上报")
    period.status = PeriodStatus.SUBMITTED
    period.submitted_at = timezone.now()
    period.submitted_by = acting_user
    period.save(update_fields=["status", "submitted_at", "submitted_by"])
    return period


@write_service(Capability.ADMINISTER, message="只有市级管理员可以退回已上报的台账")
def period_reopen(*, period: LedgerPeriod, reason: str, acting_user: User) -> LedgerPeriod:
    """退回: a city administrator unlocks a submitted period, with a reason; it must be counted,
    checked and submitted again. The audit log keeps the submission it undoes."""
    reason = (reason or "").strip()
    if len(reason) < REOPEN_REASON_MIN_LENGTH:
        raise ValidationError(f"请填写退回原因（至少 {REOPEN_REASON_MIN_LENGTH} 个字）")
    period = LedgerPeriod.objects.visible_to(acting_user).select_for_update().get(pk=period.pk)
    if period.status != PeriodStatus.SUBMITTED:
        raise ValidationError("只有已上报的台账期间可以退回")
    period.status = PeriodStatus.COMPUTED
    period.reopened_at = timezone.now()
    period.reopened_by = acting_user
    period.reopen_reason = reason[:500]
    period.checked_at, period.checked_by = None, None
    period.submitted_at, period.submitted_by = None, None
    period.save(
        update_fields=[
            "status",
            "reopened_at",
            "reopened_by",
            "reopen_reason",
            "checked_at",
            "checked_by",
            "submitted_at",
            "submitted_by",
        ]
    )
    return period
