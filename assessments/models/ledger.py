"""The coverage ledger (台账): dated snapshots of the grouped figures, and the periods a district
computes, checks and submits (重新统计 → 校核 → 上报)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.choices import Dimension, PeriodStatus, SnapshotStatus
from assessments.querysets import (
    LedgerEnterpriseFactQuerySet,
    LedgerRowQuerySet,
    RegionBoundQuerySet,
    SnapshotQuerySet,
)
from assessments.rules import FIGURES, SUMS, figure_bit


class LedgerPeriod(models.Model):
    """A reporting period of one district's ledger: 重新统计 (take a snapshot) → 校核 (checks pass)
    → 上报 (submitted: locked, its figures no longer change)."""

    region = models.ForeignKey("portal.Region", verbose_name=_("上报区域"), on_delete=models.PROTECT)
    name = models.CharField(_("期间名称"), max_length=64)
    as_of = models.DateField(_("统计截止日期"))
    status = models.CharField(_("状态"), max_length=16, choices=PeriodStatus.choices, default=PeriodStatus.DRAFT)
    check_errors = models.JSONField(_("校核问题"), default=list, blank=True)
    computed_at = models.DateTimeField(_("统计时间"), null=True, blank=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("统计人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("校核时间"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("校核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The last reopening of a submitted period by a city administrator (the audit log keeps all).
    reopened_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("退回人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reopen_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = RegionBoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("台账期间")
        verbose_name_plural = _("台账期间")
        ordering = ["-as_of", "region__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "as_of"],
                name="ledger_period_once_per_region_date",
                violation_error_message="该区域该截止日期的台账期间已存在",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.name}"

    @property
    def is_locked(self) -> bool:
        return self.status == PeriodStatus.SUBMITTED


class LedgerSnapshot(models.Model):
    """The grouped figures as of a date, for the whole portal (period empty: the nightly snapshot)
    or for one period's district. Taking it again for the same (as_of, period) replaces its rows
    with identical ones; a run left RUNNING or FAILED is redone."""

    as_of = models.DateField(_("统计日期"))
    period = models.ForeignKey(
        LedgerPeriod,
        verbose_name=_("台账期间"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="snapshots",
    )
    status = models.CharField(_("状态"), max_length=16, choices=SnapshotStatus.choices, default=SnapshotStatus.RUNNING)
    reason = models.CharField(_("触发原因"), max_length=128, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    computed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    failure_reason = models.TextField(_("失败原因"), blank=True)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("台账快照")
        verbose_name_plural = _("台账快照")
        ordering = ["-as_of", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["as_of", "period"],
                nulls_distinct=False,
                name="ledger_snapshot_once_per_date_period",
                violation_error_message="该日期的台账快照已存在",
            )
        ]

    def __str__(self) -> str:
        return f"台账快照 {self.as_of}" + (f"（{self.period}）" if self.period_id else "")


class LedgerRow(models.Model):
    """One group of a snapshot: a dimension (region, region × kind, carrier ...) and its key, with
    one integer column per figure of assessments.rules.FIGURES and per sum of SUMS. Region rows
    are rolled up the tree: a district's row counts its streets' enterprises."""

    snapshot = models.ForeignKey(LedgerSnapshot, verbose_name=_("快照"), on_delete=models.CASCADE, related_name="rows")
    dimension = models.CharField(_("分组"), max_length=24, choices=Dimension.choices)
    # Always set (for carrier rows: the carrier's region), so rows scope like everything else.
    region = models.ForeignKey("portal.Region", verbose_name=_("区域"), on_delete=models.CASCADE, related_name="+")
    carrier = models.ForeignKey(
        "enterprises.Carrier",
        verbose_name=_("载体"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Keys are NULL when not part of the row's grouping, "" when the group is the blank value.
    industry = models.CharField(_("行业门类"), max_length=1, blank=True, null=True)  # noqa: DJ001
    kind = models.CharField(_("企业类型"), max_length=32, blank=True, null=True)  # noqa: DJ001
    above_scale = models.BooleanField(_("规模以上"), null=True, blank=True)
    size_band = models.CharField(_("从业人员规模"), max_length=4, blank=True, null=True)  # noqa: DJ001
    legal_member = models.BooleanField(_("法定代表人是党员"), null=True, blank=True)

    objects = LedgerRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("台账行")
        verbose_name_plural = _("台账行")
        ordering = ["snapshot", "dimension", "region__path", "id"]
        indexes = [
            models.Index(fields=["snapshot", "dimension", "region"], name="ledger_row_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot} {self.get_dimension_display()} {self.region_id}"


class LedgerEnterpriseFact(models.Model):
    """One enterprise as a snapshot counted it: the snapshot's grouping keys and one bit per
        figure (bit i of `figures` = FIGURES[i] holds), plus the counts the snapshot sums. The
        snapshot's LedgerRow rows are grouped from these rows in the same transaction, so the list
        behind any number of a snapshot is these rows filtered by the line's keys and the figure's bit.

        Derived data, partitioned by snapshot (migration 0005): each snapshot's facts are one UNLOGGED
        partition, replaced when the snapshot is taken again and dropped by `snapshots.prune_facts`
        (lost after a crash: the drill-down then falls back to the live rules). References to
        snapshots, enterprises, regions and carriers carry no database constraint: deleting an
    enterprise is never blocked by, nor slowed down by, its past facts."""

    pk = models.CompositePrimaryKey("snapshot", "enterprise")
    # No database constraint either: a deferred check per row at COMMIT cost a third of the
    # snapshot (0.6 s of 2.2 s at 200,000). The facts are written in the snapshot's own locked
    # transaction, and deleting a snapshot deletes its facts (CASCADE, done by Django).
    snapshot = models.ForeignKey(
        LedgerSnapshot,
        verbose_name=_("快照"),
        on_delete=models.CASCADE,
        related_name="facts",
        db_index=False,
        db_constraint=False,
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    region = models.ForeignKey(
        "portal.Region",
        verbose_name=_("区域"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    carrier = models.ForeignKey(
        "enterprises.Carrier",
        verbose_name=_("载体"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    kind = models.CharField(_("企业类型"), max_length=32)
    industry = models.CharField(_("行业门类"), max_length=1, blank=True)
    above_scale = models.BooleanField(_("规模以上"))
    size_band = models.CharField(_("从业人员规模"), max_length=4, blank=True)
    legal_member = models.BooleanField(_("法定代表人是党员"))
    figures = models.BigIntegerField(_("指标位图"))
    full_members = models.PositiveIntegerField(_("正式党员数"))
    probationary_members = models.PositiveIntegerField(_("预备党员数"))
    active_instructors = models.PositiveIntegerField(_("派驻指导员数"))
    employee_count = models.PositiveIntegerField(_("从业人员数"), null=True, blank=True)

    objects = LedgerEnterpriseFactQuerySet.as_manager()

    class Meta:
        verbose_name = _("台账企业明细")
        verbose_name_plural = _("台账企业明细")
        ordering = ["snapshot_id", "enterprise_id"]

    def __str__(self) -> str:
        return f"{self.snapshot_id}:{self.enterprise_id}"

    def holds(self, figure: str) -> bool:
        return bool(self.figures & figure_bit(figure))


# One integer column per figure and per sum: written once in assessments.rules, never by hand here.
for _figure in FIGURES:
    LedgerRow.add_to_class(_figure.name, models.PositiveIntegerField(_figure.label, default=0))
for _name, _source, _label in SUMS:
    LedgerRow.add_to_class(_name, models.PositiveBigIntegerField(_label, default=0))
