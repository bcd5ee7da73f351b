"""党建工作指导员 and their 派驻, 第一书记, 培训 and 工作津贴."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from instructors.choices import InstructorSource, TrainingAudience
from instructors.querysets import (
    AssignmentQuerySet,
    FirstSecretaryQuerySet,
    InstructorQuerySet,
    StipendQuerySet,
    TrainingQuerySet,
)
from portal.fields import DigestField, EncryptedTextField
from portal.validators import validate_phone


class Instructor(models.Model):
    """党建工作指导员: dispatched to enterprises without members (work coverage)."""

    name = models.CharField(_("姓名"), max_length=64)
    source = models.CharField(_("来源"), max_length=24, choices=InstructorSource.choices)
    employer = models.CharField(_("原工作单位及职务"), max_length=200, blank=True)
    dual_duty = models.BooleanField(_("一岗双责"), default=False)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    phone_digest = DigestField(_("联系电话摘要"), source="phone", db_index=True, db_default="")
    region = models.ForeignKey("portal.Region", verbose_name=_("所属区域"), on_delete=models.PROTECT)
    is_member = models.BooleanField(_("是党员"), default=True)
    # 结束工作: the instructor left the work (never deleted; past assignments stay).
    ended_on = models.DateField(_("结束工作日期"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=255, blank=True, default="", db_default="")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = InstructorQuerySet.as_manager()

    class Meta:
        verbose_name = _("党建工作指导员")
        verbose_name_plural = _("党建工作指导员")
        ordering = ["region__path", "name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("instructors:detail", args=[self.pk])

    def get_history_url(self) -> str:
        """Its 变更记录 page (the floor's RecordHistoryView, routed in this app's urls.py)."""
        return reverse("instructors:history", args=[self.pk])

    def clean(self) -> None:
        if self.phone:
            try:
                validate_phone(self.phone)
            except ValidationError as exc:
                raise ValidationError({"phone": exc.messages}) from exc
        if self.dual_duty and not (self.employer or "").strip():
            raise ValidationError({"employer": "一岗双责的指导员请填写所在单位及职务"})


class Assignment(models.Model):
    """派驻: an instructor dispatched to an enterprise between two dates (open end allowed)."""

    instructor = models.ForeignKey(
        Instructor, verbose_name=_("指导员"), on_delete=models.CASCADE, related_name="assignments"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="assignments"
    )
    start_on = models.DateField(_("派驻开始"))
    end_on = models.DateField(_("派驻结束"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=255, blank=True, default="", db_default="")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("派驻")
        verbose_name_plural = _("派驻")
        ordering = ["-start_on"]
        indexes = [models.Index(fields=["enterprise", "start_on", "end_on"], name="assignment_enterprise_dates")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__isnull=True) | models.Q(end_on__gte=models.F("start_on")),
                name="assignment_end_after_start",
                violation_error_message="派驻结束日期不能早于开始日期",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instructor} → {self.enterprise}"

    def get_absolute_url(self) -> str:
        """An assignment is read on its enterprise's page (派驻指导员)."""
        return reverse("enterprises:detail", args=[self.enterprise_id])

    def get_history_url(self) -> str:
        """Its 变更记录 page (the floor's RecordHistoryView, routed in this app's urls.py)."""
        return reverse("instructors:assignment-history", args=[self.pk])


class FirstSecretaryAppointment(models.Model):
    """第一书记: a person appointed to an organization for a period; ended (end_on) with a
    reason, never deleted. The phone is personal data: encrypted at rest like an instructor's."""

    organization = models.ForeignKey(
        "organizations.PartyOrganization",
        verbose_name=_("党组织"),
        on_delete=models.CASCADE,
        related_name="first_secretaries",
    )
    name = models.CharField(_("姓名"), max_length=64)
    employer = models.CharField(_("派出单位及职务"), max_length=200, blank=True)
    phone = EncryptedTextField(_("联系电话"), blank=True, db_default="")
    start_on = models.DateField(_("任职开始"))
    end_on = models.DateField(_("任职结束"), null=True, blank=True)
    end_reason = models.CharField(_("离任原因"), max_length=255, blank=True, db_default="")

    objects = FirstSecretaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("第一书记")
        verbose_name_plural = _("第一书记")
        ordering = ["-start_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__isnull=True) | models.Q(end_on__gte=models.F("start_on")),
                name="first_secretary_end_after_start",
                violation_error_message="任职结束日期不能早于开始日期",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.organization}）"

    def get_absolute_url(self) -> str:
        return reverse("instructors:first-secretary-update", args=[self.pk])

    def get_history_url(self) -> str:
        return reverse("instructors:first-secretary-history", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.phone:
            try:
                validate_phone(self.phone)
            except ValidationError as exc:
                errors["phone"] = exc.messages[0]
        if self.start_on is not None and self.start_on > timezone.localdate():
            errors["start_on"] = "任职开始日期不能晚于今天"
        elif self.start_on is not None and self.organization_id:
            org = self.organization
            if self.start_on < org.established_on:
                errors["start_on"] = f"任职开始日期不能早于党组织成立日期（{org.established_on:%Y-%m-%d}）"
            elif org.dissolved_on is not None and self.start_on >= org.dissolved_on:
                errors["start_on"] = f"党组织已于 {org.dissolved_on:%Y-%m-%d} 撤销，不能任命第一书记"
        if self.start_on is not None and self.end_on is not None and self.end_on < self.start_on:
            errors["end_on"] = "任职结束日期不能早于开始日期"
        if errors:
            raise ValidationError(errors)


class Training(models.Model):
    """培训 for secretaries, instructors or investors: the course, the day, the hours, and who
    took part (the instructors by name when the audience is instructors, else a list of names)."""

    title = models.CharField(_("培训名称"), max_length=200)
    audience = models.CharField(_("培训对象"), max_length=16, choices=TrainingAudience.choices)
    region = models.ForeignKey("portal.Region", verbose_name=_("主办区域"), on_delete=models.PROTECT)
    held_on = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1, default=0)
    participant_count = models.PositiveIntegerField(_("参训人数"), default=0)
    instructors = models.ManyToManyField(Instructor, verbose_name=_("参训指导员"), blank=True, related_name="trainings")
    trainees = models.TextField(_("参训人员名单"), blank=True, db_default="", help_text=_("姓名，用逗号或换行分隔"))

    objects = TrainingQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训")
        verbose_name_plural = _("培训")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("instructors:training-update", args=[self.pk])

    def get_history_url(self) -> str:
        return reverse("instructors:training-history", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.held_on is not None and self.held_on > timezone.localdate():
            errors["held_on"] = "培训日期不能晚于今天"
        if self.hours is not None and self.hours <= 0:
            errors["hours"] = "学时应大于 0"
        if self.participant_count is not None and self.participant_count <= 0:
            errors["participant_count"] = "参训人数应大于 0"
        if errors:
            raise ValidationError(errors)


class Stipend(models.Model):
    """工作津贴 paid to an instructor for a month."""

    instructor = models.ForeignKey(
        Instructor, verbose_name=_("指导员"), on_delete=models.CASCADE, related_name="stipends"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)

    objects = StipendQuerySet.as_manager()

    class Meta:
        verbose_name = _("工作津贴")
        verbose_name_plural = _("工作津贴")
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["instructor", "year", "month"],
                name="stipend_once_per_month",
                violation_error_message="该指导员本月津贴已登记",
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12),
                name="stipend_month_range",
                violation_error_message="月份应为 1–12",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="stipend_amount_non_negative",
                violation_error_message="金额不能为负",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instructor} {self.year}-{self.month:02d}"

    def get_absolute_url(self) -> str:
        return reverse("instructors:stipend-update", args=[self.pk])

    def get_history_url(self) -> str:
        return reverse("instructors:stipend-history", args=[self.pk])

    @property
    def period(self) -> str:
        return f"{self.year}-{self.month:02d}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.month and not 1 <= self.month <= 12:
            errors["month"] = "月份应为 1–12"
        if self.year is not None and not 2000 <= self.year <= timezone.localdate().year + 1:
            errors["year"] = "年度不正确"
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = "金额应大于 0"
        if self.paid_on is not None:
            if self.paid_on > timezone.localdate():
                errors["paid_on"] = "发放日期不能晚于今天"
            elif (
                "year" not in errors
                and "month" not in errors
                and self.year
                and self.month
                and (self.paid_on.year, self.paid_on.month) < (self.year, self.month)
            ):
                errors["paid_on"] = "发放日期不能早于津贴所属月份"
        if errors:
            raise ValidationError(errors)
