from django.db import models
from django.utils.translation import gettext_lazy as _


class InstructorSource(models.TextChoices):
    COMMERCE_CADRE = "COMMERCE_CADRE", _("工商干部")
    GOVERNMENT_CADRE = "GOVERNMENT_CADRE", _("机关干部")
    SEMI_RETIRED_CADRE = "SEMI_RETIRED_CADRE", _("退居二线干部")
    VETERAN = "VETERAN", _("复转军人")
    RETIRED_CADRE = "RETIRED_CADRE", _("退休干部")
    OTHER = "OTHER", _("其他")


class TrainingAudience(models.TextChoices):
    SECRETARY = "SECRETARY", _("党组织书记")
    INSTRUCTOR = "INSTRUCTOR", _("党建工作指导员")
    INVESTOR = "INVESTOR", _("出资人")
