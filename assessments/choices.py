from django.db import models
from django.utils.translation import gettext_lazy as _


class Rating(models.TextChoices):
    EXCELLENT = "EXCELLENT", _("好")
    GOOD = "GOOD", _("较好")
    FAIR = "FAIR", _("一般")
    POOR = "POOR", _("差")


class ReviewSubject(models.TextChoices):
    SECRETARY = "SECRETARY", _("党组织书记")
    INSTRUCTOR = "INSTRUCTOR", _("党建工作指导员")


class SiteLevel(models.TextChoices):
    CITY = "CITY", _("市级")
    DISTRICT = "DISTRICT", _("区县级")


class FederationKind(models.TextChoices):
    FIVE_GOOD_FEDERATION = "FIVE_GOOD_FEDERATION", _("五好县级工商联")
    FOUR_GOOD_CHAMBER = "FOUR_GOOD_CHAMBER", _("四好商会")
