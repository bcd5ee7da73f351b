"""The evaluations: 双强六好, 述职评议, 党建示范点, 五好县级工商联 / 四好商会."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.choices import FederationKind, Rating, ReviewSubject, SiteLevel
from assessments.querysets import EnterpriseBoundQuerySet, RegionBoundQuerySet

# 党建示范点: quota per level per year (the seeds name 20).
DEMONSTRATION_SITE_QUOTA = 20

GOOD_FIELDS = (
    "good_production",
    "good_culture",
    "good_labour_relations",
    "good_leading_team",
    "good_member_team",
    "good_social_reputation",
)


class DualStrongSixGood(models.Model):
    """双强六好: strong development and strong party building; good production, culture, labour
    relations, leading team, member team and social reputation. One evaluation per enterprise a year."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="dual_strong_evaluations",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    strong_development = models.BooleanField(_("发展强"), default=False)
    strong_party_building = models.BooleanField(_("党建强"), default=False)
    good_production = models.BooleanField(_("生产经营好"), default=False)
    good_culture = models.BooleanField(_("企业文化好"), default=False)
    good_labour_relations = models.BooleanField(_("劳动关系好"), default=False)
    good_leading_team = models.BooleanField(_("领导班子好"), default=False)
    good_member_team = models.BooleanField(_("党员队伍好"), default=False)
    good_social_reputation = models.BooleanField(_("社会评价好"), default=False)
    evaluated_on = models.DateField(_("评定日期"))

    objects = EnterpriseBoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("双强六好评定")
        verbose_name_plural = _("双强六好评定")
        ordering = ["-year", "enterprise"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year"],
                name="dual_strong_once_per_year",
                violation_error_message="该企业本年度已有双强六好评定",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}"

    @property
    def passed(self) -> bool:
        return self.strong_development and self.strong_party_building and all(getattr(self, f) for f in GOOD_FIELDS)


class PerformanceReview(models.Model):
    """述职评议: a secretary (of an organization) or an instructor reports and is rated."""

    year = models.PositiveSmallIntegerField(_("年度"))
    subject = models.CharField(_("述职对象"), max_length=16, choices=ReviewSubject.choices)
    organization = models.ForeignKey(
        "organizations.PartyOrganization",
        verbose_name=_("党组织"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    instructor = models.ForeignKey(
        "instructors.Instructor", verbose_name=_("指导员"), null=True, blank=True, on_delete=models.CASCADE
    )
    region = models.ForeignKey("portal.Region", verbose_name=_("区域"), on_delete=models.PROTECT)
    score = models.DecimalField(
        _("得分"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    rating = models.CharField(_("评议等次"), max_length=16, choices=Rating.choices)
    reviewed_on = models.DateField(_("评议日期"))

    objects = RegionBoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("述职评议")
        verbose_name_plural = _("述职评议")
        ordering = ["-year", "-score"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(subject=ReviewSubject.SECRETARY, organization__isnull=False, instructor__isnull=True)
                )
                | (models.Q(subject=ReviewSubject.INSTRUCTOR, instructor__isnull=False, organization__isnull=True)),
                name="review_subject_matches_target",
                violation_error_message="书记述职应选择党组织，指导员述职应选择指导员",
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=100),
                name="review_score_range",
                violation_error_message="得分应在 0–100 之间",
            ),
        ]

    def __str__(self) -> str:
        target = self.organization or self.instructor
        return f"{self.year} {self.get_subject_display()} {target}"


class DemonstrationSite(models.Model):
    """党建示范点: named per level per year, within a quota (DEMONSTRATION_SITE_QUOTA)."""

    name = models.CharField(_("示范点名称"), max_length=200)
    level = models.CharField(_("级别"), max_length=16, choices=SiteLevel.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    region = models.ForeignKey("portal.Region", verbose_name=_("命名区域"), on_delete=models.PROTECT)
    organization = models.ForeignKey(
        "organizations.PartyOrganization",
        verbose_name=_("党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="demonstration_sites",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="demonstration_sites",
    )
    named_on = models.DateField(_("命名日期"))

    objects = RegionBoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("党建示范点")
        verbose_name_plural = _("党建示范点")
        ordering = ["-year", "level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organization__isnull=False) | models.Q(enterprise__isnull=False),
                name="demonstration_site_has_target",
                violation_error_message="示范点应关联党组织或企业",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not (self.year and self.level and self.region_id):
            return
        taken = (
            DemonstrationSite.objects.filter(year=self.year, level=self.level, region=self.region)
            .exclude(pk=self.pk)
            .count()
        )
        if taken >= DEMONSTRATION_SITE_QUOTA:
            raise ValidationError(
                f"{self.year} 年{self.get_level_display()}示范点已满 {DEMONSTRATION_SITE_QUOTA} 个名额"
            )


class FederationRating(models.Model):
    """五好县级工商联 / 四好商会: the party-building indicator can veto the rating (一票否决)."""

    kind = models.CharField(_("评比类型"), max_length=24, choices=FederationKind.choices)
    carrier = models.ForeignKey(
        "enterprises.Carrier", verbose_name=_("工商联/商会"), on_delete=models.CASCADE, related_name="ratings"
    )
    region = models.ForeignKey("portal.Region", verbose_name=_("区域"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("年度"))
    score = models.DecimalField(
        _("得分"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    veto_party_building = models.BooleanField(_("党建工作一票否决"), default=False)
    rated_on = models.DateField(_("评定日期"))

    objects = RegionBoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("工商联/商会评比")
        verbose_name_plural = _("工商联/商会评比")
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "carrier", "year"],
                name="federation_rating_once_per_year",
                violation_error_message="该组织本年度已有此项评比",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.carrier} {self.year}"

    @property
    def passed(self) -> bool:
        return not self.veto_party_building and self.score >= 60
