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


class Dimension(models.TextChoices):
    """How a snapshot row groups enterprises. Region dimensions are rolled up the region tree."""

    REGION = "region", _("区域")
    # Enterprises registered at the region itself, not at any region below it (an imported
    # register often gives only the district): with the children's rows they add up to the
    # region's row.
    REGION_UNPLACED = "region_unplaced", _("区域直属（未落实到下级）")
    REGION_KIND = "region_kind", _("区域 × 企业类型")
    REGION_INDUSTRY = "region_industry", _("区域 × 行业")
    REGION_ABOVE_SCALE = "region_above_scale", _("区域 × 规模以上")
    REGION_SIZE = "region_size", _("区域 × 从业人员规模")
    REGION_LEGAL = "region_legal", _("区域 × 法定代表人是党员")
    CARRIER = "carrier", _("载体")


class SnapshotStatus(models.TextChoices):
    RUNNING = "RUNNING", _("统计中")
    COMPLETE = "COMPLETE", _("已完成")
    FAILED = "FAILED", _("失败")


class PeriodStatus(models.TextChoices):
    DRAFT = "DRAFT", _("未统计")
    COMPUTED = "COMPUTED", _("已统计")
    CHECKED = "CHECKED", _("已校核")
    SUBMITTED = "SUBMITTED", _("已上报")
