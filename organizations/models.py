"""Party organizations (党组织), party members (党员), organization life and excellence systems."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.choices import (
    DiscoveredVia,
    Education,
    Formation,
    Gender,
    MemberStatus,
    OrgLevel,
    OrgLifeKind,
)
from organizations.querysets import OrgLifeRecordQuerySet, PartyMemberQuerySet, PartyOrganizationQuerySet
from portal.fields import DigestField, EncryptedTextField
from portal.validators import id_number_error, normalize_code, validate_phone


class PartyOrganization(models.Model):
    """党组织: a committee, general branch or branch, standalone (one enterprise) or joint
    (several enterprises, built on a carrier). Active between `established_on` and `dissolved_on`."""

    name = models.CharField(_("党组织名称"), max_length=200)
    level = models.CharField(_("组织类别"), max_length=16, choices=OrgLevel.choices, default=OrgLevel.BRANCH)
    formation = models.CharField(_("组建方式"), max_length=16, choices=Formation.choices, default=Formation.STANDALONE)
    region = models.ForeignKey("portal.Region", verbose_name=_("所属区域"), on_delete=models.PROTECT)
    carrier = models.ForeignKey(
        "enterprises.Carrier",
        verbose_name=_("依托载体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    covered_enterprises = models.ManyToManyField(
        "enterprises.Enterprise",
        verbose_name=_("覆盖企业"),
        blank=True,
        related_name="covering_organizations",
    )
    secretary = models.ForeignKey(
        "organizations.PartyMember",
        verbose_name=_("党组织书记"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_online = models.BooleanField(_("网上e支部"), default=False)
    established_on = models.DateField(_("成立日期"))
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PartyOrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["region__path", "name"]
        indexes = [models.Index(fields=["region", "formation"], name="org_region_formation")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dissolved_on__isnull=True) | models.Q(dissolved_on__gt=models.F("established_on")),
                name="org_dissolved_after_established",
                violation_error_message="撤销日期应晚于成立日期",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organizations:detail", args=[self.pk])

    def get_history_url(self) -> str:
        """Its 变更记录 page (the floor's RecordHistoryView, routed in this app's urls.py)."""
        return reverse("organizations:history", args=[self.pk])

    def clean(self) -> None:
        if self.formation == Formation.JOINT and not self.carrier_id:
            raise ValidationError({"carrier": "联合组建的党组织应填写依托载体"})
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": "上级党组织不能是自身"})


class PartyMember(models.Model):
    """党员. Belongs to one organization (组织关系), may take part in others (一方隶属、多重管理),
    works at one enterprise (workplace). ID number and phone are personal data: encrypted at rest,
    masked unless the role allows, every reveal logged."""

    name = models.CharField(_("姓名"), max_length=64)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    education = models.CharField(_("学历"), max_length=16, choices=Education.choices, blank=True)
    id_number = EncryptedTextField(_("身份证号码"), blank=True)
    id_number_digest = DigestField(_("身份证号码摘要"), source="id_number", db_index=True)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    phone_digest = DigestField(_("联系电话摘要"), source="phone", db_index=True, db_default="")
    status = models.CharField(_("党员类别"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.FULL)
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    workplace = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("工作单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("组织关系所在党组织"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    participates_in = models.ManyToManyField(
        PartyOrganization, verbose_name=_("参加组织生活的党组织"), blank=True, related_name="participants"
    )
    is_hidden = models.BooleanField(_("隐性党员"), default=False)
    discovered_via = models.CharField(_("发现途径"), max_length=16, choices=DiscoveredVia.choices, blank=True)
    is_mobile = models.BooleanField(_("流动党员"), default=False)
    # 流动党员: where their organization relationship stays (the home organization, outside the portal).
    mobile_home_organization = models.CharField(
        _("流出地党组织"), max_length=200, blank=True, default="", db_default=""
    )
    mobile_home_region = models.CharField(_("流出地"), max_length=128, blank=True, default="", db_default="")
    # The last transfer of the organization relationship (组织关系转接); the audit trail keeps every one.
    transferred_on = models.DateField(_("组织关系转入日期"), null=True, blank=True)
    previous_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("原党组织"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region = models.ForeignKey("portal.Region", verbose_name=_("所属区域"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PartyMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["region__path", "name", "id"]
        indexes = [
            models.Index(fields=["workplace", "status"], name="member_workplace_status"),
            models.Index(fields=["organization"], name="member_organization"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_digest"],
                condition=~models.Q(id_number_digest=""),
                name="member_unique_id_number",
                violation_error_message="已有相同身份证号码的党员",
            ),
            models.CheckConstraint(
                condition=models.Q(is_hidden=False) | ~models.Q(discovered_via=""),
                name="member_hidden_needs_discovered_via",
                violation_error_message="隐性党员应填写发现途径",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organizations:member-detail", args=[self.pk])

    def get_history_url(self) -> str:
        """Its 变更记录 page (the floor's RecordHistoryView, routed in this app's urls.py)."""
        return reverse("organizations:member-history", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.id_number:
            self.id_number = normalize_code(self.id_number)
            error = id_number_error(self.id_number)
            if error:
                errors["id_number"] = error
        if self.phone:
            try:
                validate_phone(self.phone)
            except ValidationError as exc:
                errors["phone"] = exc.messages[0]
        if self.joined_on and self.birth_date and self.joined_on <= self.birth_date:
            errors["joined_on"] = "入党日期应晚于出生日期"
        if errors:
            raise ValidationError(errors)


class OrgLifeRecord(models.Model):
    """三会一课 and other organization life: one meeting or lesson held by an organization.
    Corrected, never deleted: a record entered by mistake is voided (作废) with a reason."""

    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("党组织"), on_delete=models.CASCADE, related_name="life_records"
    )
    kind = models.CharField(_("类型"), max_length=24, choices=OrgLifeKind.choices)
    held_on = models.DateField(_("日期"))
    topic = models.CharField(_("主题"), max_length=200)
    attendees = models.ManyToManyField(
        PartyMember, verbose_name=_("参加党员"), blank=True, related_name="life_records_attended"
    )
    attendance = models.PositiveIntegerField(_("实到人数"), default=0)
    expected_count = models.PositiveIntegerField(_("应到人数"), null=True, blank=True)
    notes = models.TextField(_("记录"), blank=True)
    voided_on = models.DateField(_("作废日期"), null=True, blank=True)
    void_reason = models.CharField(_("作废原因"), max_length=255, blank=True, db_default="")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = OrgLifeRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织生活记录")
        verbose_name_plural = _("组织生活记录")
        ordering = ["-held_on"]
        indexes = [models.Index(fields=["organization", "kind", "held_on"], name="orglife_org_kind_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expected_count__isnull=True) | models.Q(attendance__lte=models.F("expected_count")),
                name="orglife_attendance_within_expected",
                violation_error_message="实到人数不能超过应到人数",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"

    def get_absolute_url(self) -> str:
        """The organization's page, at its 组织生活 list (a record has no page of its own)."""
        return reverse("organizations:detail", args=[self.organization_id]) + "#life"

    def get_history_url(self) -> str:
        return reverse("organizations:life-history", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.held_on is not None:
            if self.held_on > timezone.localdate():
                errors["held_on"] = "日期不能晚于今天"
            elif self.organization_id:
                org = self.organization
                if self.held_on < org.established_on:
                    errors["held_on"] = f"日期不能早于党组织成立日期（{org.established_on:%Y-%m-%d}）"
                elif org.dissolved_on is not None and self.held_on >= org.dissolved_on:
                    errors["held_on"] = f"日期不能晚于党组织撤销日期（{org.dissolved_on:%Y-%m-%d}）"
        if self.expected_count is not None and self.attendance > self.expected_count:
            errors["attendance"] = "实到人数不能超过应到人数"
        if errors:
            raise ValidationError(errors)


class ExcellenceSystem(models.Model):
    """创先争优制度: each organization keeps at least one in force. Retired (ended_on) when
    replaced, never deleted."""

    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("党组织"),
        on_delete=models.CASCADE,
        related_name="excellence_systems",
    )
    name = models.CharField(_("制度名称"), max_length=128)
    description = models.TextField(_("内容"), blank=True)
    adopted_on = models.DateField(_("建立日期"))
    ended_on = models.DateField(_("停止执行日期"), null=True, blank=True)
    end_reason = models.CharField(_("停止原因"), max_length=255, blank=True, db_default="")

    objects = OrgLifeRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("创先争优制度")
        verbose_name_plural = _("创先争优制度")
        ordering = ["organization", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("adopted_on")),
                name="excellence_ended_after_adopted",
                violation_error_message="停止执行日期不能早于建立日期",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organizations:detail", args=[self.organization_id]) + "#excellence"

    def get_history_url(self) -> str:
        return reverse("organizations:excellence-history", args=[self.pk])

    def clean(self) -> None:
        if self.adopted_on is None:
            return
        if self.adopted_on > timezone.localdate():
            raise ValidationError({"adopted_on": "建立日期不能晚于今天"})
        if self.organization_id and self.adopted_on < self.organization.established_on:
            raise ValidationError(
                {"adopted_on": f"建立日期不能早于党组织成立日期（{self.organization.established_on:%Y-%m-%d}）"}
            )
