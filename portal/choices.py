from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "PROVINCE", _("省")
    CITY = "CITY", _("市")
    DISTRICT = "DISTRICT", _("区县")
    STREET = "STREET", _("街道乡镇")
    COMMUNITY = "COMMUNITY", _("社区村")


class Role(models.TextChoices):
    CITY_ADMIN = "CITY_ADMIN", _("市级管理员")
    DISTRICT_STAFF = "DISTRICT_STAFF", _("区县组织部工作人员")
    COMMERCE_STAFF = "COMMERCE_STAFF", _("工商/市场监管工作人员")
    LEADER = "LEADER", _("领导")
    API_CLIENT = "API_CLIENT", _("接口客户端")


class AuditVia(models.TextChoices):
    WEB = "web", _("网页")
    API = "api", _("接口")
    IMPORT = "import", _("批量导入")
    ADMIN = "admin", _("管理后台")
    SYSTEM = "system", _("系统")


class AuditAction(models.TextChoices):
    INSERT = "I", _("新增")
    UPDATE = "U", _("修改")
    DELETE = "D", _("删除")


class AccessKind(models.TextChoices):
    REVEAL = "REVEAL", _("查看个人敏感信息")
    EXPORT = "EXPORT", _("导出")
