"""The ledger period workflow: 重新统计 → 校核 → 上报. A submitted period is locked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessments.choices import Dimension, PeriodStatus
from assessments.models import LedgerPeriod, LedgerRow
from assessments.selectors import snapshot_mismatches
from assessments.snapshots import LedgerLocked, take_snapshot
from portal.models import Region, User


def period_create(*, region: Region, name: str, as_of: dt.date, acting_user: User) -> LedgerPeriod:
    period = LedgerPeriod(region=region, name=name, as_of=as_of)
    period.full_clean()
    period.save()
    return period


def _locked_for_update(period: LedgerPeriod) -> LedgerPeriod:
    period = LedgerPeriod.objects.select_for_update().select_related("region").get(pk=period.pk)
    if period.is_locked:
        raise LedgerLocked(f"{period} 已上报，数据已锁定")
    return period


def period_compute(*, period: LedgerPeriod, acting_user: User) -> LedgerPeriod:
    """重新统计: take (or retake) the period's snapshot of its district; checks must run again."""
    snapshot = take_snapshot(as_of=period.as_of, period=period, reason=f"重新统计（{acting_user}）")
    with transaction.atomic():
        period = _locked_for_update(period)
        period.status = PeriodStatus.COMPUTED
        period.computed_at = snapshot.computed_at
        period.check_errors = []
        period.save(update_fields=["status", "computed_at", "check_errors"])
    return period


def period_checks(period: LedgerPeriod) -> list[str]:
    """校核: the snapshot is complete, its figures are consistent with each other, and the live
    per-enterprise rules still give the same numbers (nothing changed since 重新统计)."""
    snapshot = period.snapshots.first()
    if snapshot is None:
        return ["尚未统计，请先重新统计"]
    problems = []
    # Any: the figure columns are added to LedgerRow per FIGURES, unseen by the type checker.
    row: Any = LedgerRow.objects.filter(snapshot=snapshot, dimension=Dimension.REGION, region=period.region).first()
    if row is None:
        return ["快照中没有本区域的数据"]
    if row.with_members + row.without_members != row.enterprises:
        problems.append("有党员企业与无党员企业之和不等于企业总数")
    if row.org_covered > row.with_members or row.work_covered > row.without_members:
        problems.append("覆盖数大于应覆盖数")
    if row.standalone + row.joint_only + row.no_org != row.enterprises:
        problems.append("单独建立、联合建立、未建立党组织的企业之和不等于单位数")
    if row.no_org_due + row.no_org_few + row.no_org_none != row.no_org:
        problems.append("未建立党组织的企业分类之和不等于未建立党组织数")
    problems += snapshot_mismatches(snapshot, regions=[period.region])
    return problems


def period_check(*, period: LedgerPeriod, acting_user: User) -> LedgerPeriod:
    with transaction.atomic():
        period = _locked_for_update(period)
        if period.status == PeriodStatus.DRAFT:
            raise ValidationError("尚未统计，请先重新统计")
        problems = period_checks(period)
        period.check_errors = problems
        period.status = PeriodStatus.COMPUTED if problems else PeriodStatus.CHECKED
        period.checked_at = timezone.now()
        period.save(update_fields=["check_errors", "status", "checked_at"])
    return period


def period_submit(*, period: LedgerPeriod, acting_user: User) -> LedgerPeriod:
    """上报: only a checked period; afterwards its snapshot is never taken again."""
    with transaction.atomic():
        period = _locked_for_update(period)
        if period.status != PeriodStatus.CHECKED:
            raise ValidationError("校核通过后才能上报")
        period.status = PeriodStatus.SUBMITTED
        period.submitted_at = timezone.now()
        period.submitted_by = acting_user
        period.save(update_fields=["status", "submitted_at", "submitted_by"])
    return period
