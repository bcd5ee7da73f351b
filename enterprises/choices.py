from django.db import models
from django.utils.translation import gettext_lazy as _


class EnterpriseKind(models.TextChoices):
    """企业类型 (ownership type; the statistics table's "by ownership type" columns)."""

    LIMITED_COMPANY = "LIMITED_COMPANY", _("有限责任公司")
    JOINT_STOCK = "JOINT_STOCK", _("股份有限公司")
    SOLE_PROPRIETORSHIP = "SOLE_PROPRIETORSHIP", _("个人独资企业")
    PARTNERSHIP = "PARTNERSHIP", _("合伙企业")
    FOREIGN_INVESTED = "FOREIGN_INVESTED", _("外商投资企业")
    COOPERATIVE = "COOPERATIVE", _("农民专业合作社")
    INDIVIDUAL = "INDIVIDUAL", _("个体工商户")
    OTHER = "OTHER", _("其他")


class RegistrationStatus(models.TextChoices):
    EXISTING = "EXISTING", _("存续")
    OPERATING = "OPERATING", _("在业")
    MOVED_OUT = "MOVED_OUT", _("迁出")
    REVOKED = "REVOKED", _("吊销")
    CANCELLED = "CANCELLED", _("注销")


# Registration statuses that put an enterprise in the ledger's scope (DOMAIN.md: 存续/在业).
IN_SCOPE_STATUSES = (RegistrationStatus.EXISTING, RegistrationStatus.OPERATING)


class Industry(models.TextChoices):
    """GB/T 4754-2017 国民经济行业分类, sections A–T."""

    A = "A", _("农、林、牧、渔业")
    B = "B", _("采矿业")
    C = "C", _("制造业")
    D = "D", _("电力、热力、燃气及水生产和供应业")
    E = "E", _("建筑业")
    F = "F", _("批发和零售业")
    G = "G", _("交通运输、仓储和邮政业")
    H = "H", _("住宿和餐饮业")
    I = "I", _("信息传输、软件和信息技术服务业")  # noqa: E741
    J = "J", _("金融业")
    K = "K", _("房地产业")
    L = "L", _("租赁和商务服务业")
    M = "M", _("科学研究和技术服务业")
    N = "N", _("水利、环境和公共设施管理业")
    O = "O", _("居民服务、修理和其他服务业")  # noqa: E741
    P = "P", _("教育")
    Q = "Q", _("卫生和社会工作")
    R = "R", _("文化、体育和娱乐业")
    S = "S", _("公共管理、社会保障和社会组织")
    T = "T", _("国际组织")


class CarrierKind(models.TextChoices):
    PARK = "PARK", _("园区")
    CORRIDOR = "CORRIDOR", _("经济走廊")
    BUILDING = "BUILDING", _("商务楼宇")
    MARKET = "MARKET", _("商圈市场")
    COMMUNITY = "COMMUNITY", _("社区")
    INDUSTRY_ASSOCIATION = "INDUSTRY_ASSOCIATION", _("行业协会")
    CHAMBER = "CHAMBER", _("商会")
    INCUBATOR = "INCUBATOR", _("孵化中心")


class ImportSource(models.TextChoices):
    REGISTRATION = "registration", _("登记名单")
    ANNUAL_REPORT = "annual_report", _("年检名单")


class ImportStatus(models.TextChoices):
    UPLOADED = "UPLOADED", _("已上传")
    VALIDATING = "VALIDATING", _("校验中")
    VALIDATED = "VALIDATED", _("待确认")
    APPLYING = "APPLYING", _("导入中")
    APPLIED = "APPLIED", _("已导入")
    FAILED = "FAILED", _("失败")
    CANCELLED = "CANCELLED", _("已取消")


class ImportRowAction(models.TextChoices):
    """What the preview says a register row will do (classified in SQL against the stored enterprise)."""

    NEW = "NEW", _("新增")
    CHANGED = "CHANGED", _("变更")
    UNCHANGED = "UNCHANGED", _("未变")
    REJECTED = "REJECTED", _("拒绝")


class ProblemSeverity(models.TextChoices):
    ERROR = "ERROR", _("错误")
    WARNING = "WARNING", _("警告")
