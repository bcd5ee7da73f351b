from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgLevel(models.TextChoices):
    COMMITTEE = "COMMITTEE", _("党委")
    GENERAL_BRANCH = "GENERAL_BRANCH", _("党总支")
    BRANCH = "BRANCH", _("党支部")


class Formation(models.TextChoices):
    STANDALONE = "STANDALONE", _("单独组建")
    JOINT = "JOINT", _("联合组建")


class MemberStatus(models.TextChoices):
    FULL = "FULL", _("正式党员")
    PROBATIONARY = "PROBATIONARY", _("预备党员")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Education(models.TextChoices):
    POSTGRADUATE = "POSTGRADUATE", _("研究生")
    BACHELOR = "BACHELOR", _("大学本科")
    COLLEGE = "COLLEGE", _("大学专科")
    SECONDARY = "SECONDARY", _("中专/高中")
    JUNIOR = "JUNIOR", _("初中及以下")


class DiscoveredVia(models.TextChoices):
    ORG_FOUND = "ORG_FOUND", _("组织找党员")
    SELF_REPORTED = "SELF_REPORTED", _("党员找组织")
    PEER_FOUND = "PEER_FOUND", _("党员找党员")


class OrgLifeKind(models.TextChoices):
    MEMBER_MEETING = "MEMBER_MEETING", _("支部党员大会")
    COMMITTEE_MEETING = "COMMITTEE_MEETING", _("支委会")
    GROUP_MEETING = "GROUP_MEETING", _("党小组会")
    PARTY_LESSON = "PARTY_LESSON", _("党课")
    THEME_DAY = "THEME_DAY", _("主题党日")
    LIFE_MEETING = "LIFE_MEETING", _("组织生活会")
