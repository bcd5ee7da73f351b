"""Enterprises (非公企业), their carriers (载体), register imports and the survey campaign."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from enterprises.choices import (
    CarrierKind,
    EnterpriseKind,
    ImportRowAction,
    ImportSource,
    ImportStatus,
    Industry,
    ProblemSeverity,
    RegistrationStatus,
)
from enterprises.querysets import (
    CarrierQuerySet,
    EnterpriseQuerySet,
    RegisterImportQuerySet,
    SurveyCampaignQuerySet,
    SurveyVisitQuerySet,
)
from portal.choices import RegionLevel
from portal.validators import credit_code_check_warning, validate_credit_code

CREDIT_CODE_DB_REGEX = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"


class Carrier(models.Model):
    """载体: a park, corridor, building, market, community, association, chamber or incubator on
    which joint organizations are built."""

    name = models.CharField(_("名称"), max_length=128)
    kind = models.CharField(_("类型"), max_length=32, choices=CarrierKind.choices)
    region = models.ForeignKey("portal.Region", verbose_name=_("所属区域"), on_delete=models.PROTECT)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    ended_on = models.DateField(
        _("停用日期"), null=True, blank=True, help_text=_("载体撤销或不再使用的日期；记录保留，不删除")
    )
    end_reason = models.CharField(
        _("停用原因"), max_length=255, blank=True, db_default=""
    )  # raw imports insert carriers
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CarrierQuerySet.as_manager()

    class Meta:
        verbose_name = _("载体")
        verbose_name_plural = _("载体")
        ordering = ["region__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="carrier_unique_name_in_region",
                violation_error_message="同一区域内已有同名载体",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("enterprises:carrier-detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.ended_on is None

    def get_history_url(self) -> str:
        """Its 变更记录 page (the floor's RecordHistoryView, routed in this app's urls.py)."""
        return reverse("enterprises:carrier-history", args=[self.pk])


class Enterprise(models.Model):
    """非公有制经济组织: one enterprise or individual business of the register.

    The credit code is the natural key: imports upsert on it. Only 存续/在业 count in the ledger.
    """

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code])
    credit_code_check_confirmed = models.BooleanField(
        _("已确认校验位"), default=False, help_text=_("校验位不符但经核实为合法早期代码时勾选")
    )
    name = models.CharField(_("企业名称"), max_length=200)
    kind = models.CharField(_("企业类型"), max_length=32, choices=EnterpriseKind.choices)
    industry = models.CharField(_("行业门类"), max_length=1, choices=Industry.choices, blank=True)
    industry_division = models.CharField(_("行业大类"), max_length=2, blank=True)
    region = models.ForeignKey("portal.Region", verbose_name=_("所属区域"), on_delete=models.PROTECT)
    carrier = models.ForeignKey(
        Carrier,
        verbose_name=_("所属载体"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enterprises",
    )
    address = models.CharField(_("地址"), max_length=255, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=64, blank=True)
    legal_representative_is_member = models.BooleanField(_("法定代表人是党员"), default=False)
    investor = models.CharField(_("出资人"), max_length=255, blank=True)
    employee_count = models.PositiveIntegerField(_("从业人员数"), null=True, blank=True)
    above_scale = models.BooleanField(_("规模以上"), default=False)
    registration_status = models.CharField(
        _("登记状态"), max_length=16, choices=RegistrationStatus.choices, default=RegistrationStatus.EXISTING
    )
    registered_on = models.DateField(_("注册日期"), null=True, blank=True)
    deregistered_on = models.DateField(_("注销/迁出日期"), null=True, blank=True)
    annual_report_year = models.PositiveSmallIntegerField(
        _("最近年报年度"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1980), MaxValueValidator(2100)],
    )
    last_import = models.ForeignKey(
        "enterprises.RegisterImport",
        verbose_name=_("最近导入批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="touched_enterprises",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["credit_code"]
        indexes = [
            models.Index(fields=["region", "registration_status"], name="enterprise_region_status"),
            models.Index(fields=["carrier"], name="enterprise_carrier"),
            models.Index(fields=["industry"], name="enterprise_industry"),
            models.Index(fields=["name"], name="enterprise_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(credit_code__regex=CREDIT_CODE_DB_REGEX),
                name="enterprise_credit_code_format",
                violation_error_message="统一社会信用代码格式不正确",
            ),
            models.CheckConstraint(
                condition=models.Q(annual_report_year__isnull=True)
                | models.Q(annual_report_year__gte=1980, annual_report_year__lte=2100),
                name="enterprise_annual_report_year_range",
                violation_error_message="年报年度应在 1980–2100 之间",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("enterprises:detail", args=[self.pk])

    def get_history_url(self) -> str:
        """Its 变更记录 page (the floor's RecordHistoryView, routed in this app's urls.py)."""
        return reverse("enterprises:history", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.credit_code and not self.credit_code_check_confirmed:
            warning = credit_code_check_warning(self.credit_code)
            if warning:
                errors["credit_code"] = warning
        if self.region_id and self.region.level not in (
            RegionLevel.DISTRICT,
            RegionLevel.STREET,
            RegionLevel.COMMUNITY,
        ):
            errors["region"] = "企业应归属到区县或更下一级区域"
        if (
            self.carrier_id
            and self.region_id
            and not self.region.path.startswith(self.carrier.region.path[: len(self.region.path)])
        ):
            errors["carrier"] = "所属载体不在企业所在区域"
        if errors:
            raise ValidationError(errors)


class RegisterImport(models.Model):
    """登记名单 / 年检名单: one uploaded register file, its checking, preview and outcome."""

    source = models.CharField(_("名单类型"), max_length=16, choices=ImportSource.choices)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    sha256 = models.CharField(_("文件摘要"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("文件大小"), default=0)
    region = models.ForeignKey("portal.Region", verbose_name=_("导入区域"), on_delete=models.PROTECT)
    status = models.CharField(_("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    new_count = models.PositiveIntegerField(_("新增"), default=0)
    changed_count = models.PositiveIntegerField(_("变更"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变"), default=0)
    rejected_count = models.PositiveIntegerField(_("拒绝"), default=0)
    warning_count = models.PositiveIntegerField(_("待确认"), default=0)
    summary = models.JSONField(_("摘要"), default=dict, blank=True)
    failure_reason = models.TextField(_("失败原因"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    validated_at = models.DateTimeField(_("校验完成时间"), null=True, blank=True)
    applied_at = models.DateTimeField(_("导入完成时间"), null=True, blank=True)

    objects = RegisterImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("名单导入")
        verbose_name_plural = _("名单导入")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100),
                name="register_import_progress_max",
                violation_error_message="进度不能超过 100",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.original_name}"


class RegisterImportRow(models.Model):
    """One data row of a register file, normalized and staged for the preview and the apply.

    Rows are COPYed in by the validation, classified against `enterprises_enterprise` in SQL
    (new / changed with old → new per field / unchanged / rejected) and upserted from here in one
    statement when the import is confirmed. A NULL staged value means "the file says nothing":
    blank cells never erase stored data. The error report re-reads the stored file for the original
    cells of the rows that have problems.
    """

    register_import = models.ForeignKey(
        RegisterImport,
        verbose_name=_("名单导入"),
        on_delete=models.CASCADE,
        related_name="rows",
        db_index=False,
        db_constraint=False,  # scratch rows COPYed 100,000 at a time: no per-row RI trigger
    )
    row_number = models.PositiveIntegerField(_("行号"))
    credit_code = models.CharField(_("统一社会信用代码"), max_length=64, blank=True)
    name = models.CharField(_("企业名称"), max_length=200, null=True, blank=True)  # noqa: DJ001 - NULL: the file says nothing
    kind = models.CharField(_("企业类型"), max_length=32, choices=EnterpriseKind.choices, null=True, blank=True)  # noqa: DJ001 - NULL: the file says nothing
    industry = models.CharField(_("行业门类"), max_length=1, choices=Industry.choices, null=True, blank=True)  # noqa: DJ001 - NULL: the file says nothing
    district = models.ForeignKey(
        "portal.Region",
        verbose_name=_("所属区县"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    region = models.ForeignKey(
        "portal.Region",
        verbose_name=_("所属区域"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    carrier = models.ForeignKey(
        Carrier,
        verbose_name=_("所属载体"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    carrier_name = models.CharField(_("载体名称"), max_length=128, null=True, blank=True)  # noqa: DJ001 - NULL: the file says nothing
    employee_count = models.PositiveIntegerField(_("从业人员数"), null=True, blank=True)
    registered_on = models.DateField(_("注册日期"), null=True, blank=True)
    annual_report_year = models.PositiveSmallIntegerField(_("最近年报年度"), null=True, blank=True)
    registration_status = models.CharField(  # noqa: DJ001 - NULL: the file says nothing
        _("登记状态"), max_length=16, choices=RegistrationStatus.choices, null=True, blank=True
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=64, null=True, blank=True)  # noqa: DJ001 - NULL: the file says nothing
    address = models.CharField(_("地址"), max_length=255, null=True, blank=True)  # noqa: DJ001 - NULL: the file says nothing
    investor = models.CharField(_("出资人"), max_length=255, null=True, blank=True)  # noqa: DJ001 - NULL: the file says nothing
    above_scale = models.BooleanField(_("规模以上"), null=True, blank=True)
    needs_confirmation = models.BooleanField(_("需确认校验位"), default=False)
    action = models.CharField(_("预览结果"), max_length=16, choices=ImportRowAction.choices)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    changes = models.JSONField(_("变更字段"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入行")
        verbose_name_plural = _("导入行")
        ordering = ["register_import", "row_number"]
        indexes = [
            models.Index(fields=["register_import", "credit_code"], name="import_row_code"),
            models.Index(fields=["register_import", "row_number"], name="import_row_number"),
        ]

    def __str__(self) -> str:
        return f"第 {self.row_number} 行 {self.credit_code}"


class RegisterImportProblem(models.Model):
    """A rejected or doubtful cell: row number, column and the reason in Chinese (DOMAIN.md: bad
    data is never silently dropped). Errors reject the row; warnings are imported (the check
    character only when the user confirms)."""

    register_import = models.ForeignKey(
        RegisterImport,
        verbose_name=_("名单导入"),
        on_delete=models.CASCADE,
        related_name="problems",
        db_index=False,
        db_constraint=False,
    )
    row_number = models.PositiveIntegerField(_("行号"))
    column = models.CharField(_("列"), max_length=64, blank=True)
    severity = models.CharField(_("级别"), max_length=8, choices=ProblemSeverity.choices)
    code = models.CharField(_("类别"), max_length=32)
    message = models.CharField(_("原因"), max_length=255)
    value = models.CharField(_("单元格内容"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("导入问题")
        verbose_name_plural = _("导入问题")
        ordering = ["register_import", "row_number", "id"]
        indexes = [models.Index(fields=["register_import", "row_number"], name="import_problem_row")]

    def __str__(self) -> str:
        return f"第 {self.row_number} 行 {self.column}：{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == ProblemSeverity.ERROR


class SurveyCampaign(models.Model):
    """摸底调查 / 拉网式排查: a campaign with a deadline; visits confirm enterprises' data."""

    name = models.CharField(_("名称"), max_length=128)
    region = models.ForeignKey("portal.Region", verbose_name=_("区域"), on_delete=models.PROTECT)
    starts_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("截止日期"))
    is_current = models.BooleanField(_("当前排查"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = SurveyCampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("排查活动")
        verbose_name_plural = _("排查活动")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("starts_on")),
                name="survey_campaign_deadline_after_start",
                violation_error_message="截止日期不能早于开始日期",
            ),
            models.UniqueConstraint(
                fields=["region"],
                condition=models.Q(is_current=True),
                name="survey_campaign_one_current_per_region",
                violation_error_message="该区域已有当前排查活动",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SurveyVisit(models.Model):
    """One visit to an enterprise in a campaign, confirming its data and member count."""

    campaign = models.ForeignKey(
        SurveyCampaign, verbose_name=_("排查活动"), on_delete=models.CASCADE, related_name="visits"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="survey_visits"
    )
    visited_on = models.DateField(_("走访日期"))
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("走访人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    member_count_confirmed = models.PositiveIntegerField(_("核实党员数"), null=True, blank=True)
    employee_count_confirmed = models.PositiveIntegerField(_("核实从业人员数"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = SurveyVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "enterprise"],
                name="survey_visit_once_per_campaign",
                violation_error_message="该企业在本次排查中已有走访记录",
            )
        ]
        indexes = [models.Index(fields=["enterprise", "campaign"], name="survey_visit_enterprise")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.visited_on}"
