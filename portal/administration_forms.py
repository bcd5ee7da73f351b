"""Forms of the administrators' pages (系统管理, portal/administration.py): users and regions.

Built on the workspace floor (portal/forms.py): the forms convert and check what a form alone can
check (two passwords alike); the services in portal/services.py hold the rules (scope, the
model's clean, Django's password validators) and their messages land beside these fields.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q

from portal.choices import RegionLevel, Role
from portal.filters import PortalFilterSet, RegionFilter
from portal.forms import FormTokenField, WorkspaceForm, WorkspaceModelForm, scoped_choice
from portal.models import PARENT_LEVEL, Region, User
from portal.scoping import region_visible_to

SET, GENERATE = "set", "generate"
PASSWORD_MODES = [(SET, "由我设置"), (GENERATE, "自动生成（只显示一次）")]


def _jurisdiction_field():
    return scoped_choice(
        Region,
        url="portal:region-autocomplete",
        scope=region_visible_to,
        required=False,
        label="管辖区域",
        help_text="用户能看到和维护的区域范围；除超级用户外必须填写，且在您的管辖区域之内",
    )


class PasswordFieldsMixin:
    """`password_mode` (set / generate), `password` and its confirmation."""

    def clean_passwords(self) -> None:
        form: Any = self  # a forms.Form
        data = form.cleaned_data
        if data.get("password_mode") != SET:
            data["password"] = ""
            return
        if not data.get("password"):
            form.add_error("password", "请输入密码，或选择自动生成")
        elif data.get("password") != data.get("password_confirm"):
            form.add_error("password_confirm", "两次输入的密码不一致")


def _password_fields() -> dict[str, forms.Field]:
    return {
        "password_mode": forms.ChoiceField(label="密码设置方式", choices=PASSWORD_MODES, initial=SET),
        "password": forms.CharField(
            label="新密码",
            required=False,
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            help_text="至少 10 位，含大写字母、小写字母、数字、符号中的三类",
        ),
        "password_confirm": forms.CharField(
            label="再次输入新密码",
            required=False,
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        ),
    }


class UserCreateForm(PasswordFieldsMixin, WorkspaceForm):
    username = forms.CharField(label="用户名", max_length=150, help_text="登录用的名字：字母、数字和 @ . + - _")
    full_name = forms.CharField(label="姓名", max_length=64)
    # No preselected role: a hurried administrator must not create a city-wide one by default.
    role = forms.ChoiceField(label="角色", choices=[("", "请选择"), *Role.choices])
    jurisdiction = _jurisdiction_field()
    password_mode = _password_fields()["password_mode"]
    password = _password_fields()["password"]
    password_confirm = _password_fields()["password_confirm"]
    form_token = FormTokenField()

    def clean(self):
        data = super().clean()
        self.clean_passwords()
        return data


class UserUpdateForm(WorkspaceModelForm):
    jurisdiction = _jurisdiction_field()

    class Meta:
        model = User
        fields = ("full_name", "role", "jurisdiction")


class UserActiveForm(WorkspaceForm):
    reason = forms.CharField(label="原因", max_length=100, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    form_token = FormTokenField()


class PasswordResetForm(PasswordFieldsMixin, WorkspaceForm):
    password_mode = _password_fields()["password_mode"]
    password = _password_fields()["password"]
    password_confirm = _password_fields()["password_confirm"]
    form_token = FormTokenField()

    def clean(self):
        data = super().clean()
        self.clean_passwords()
        return data


def parent_regions(user):
    """Where a street or a community may be added: districts and streets of the user's region."""
    return region_visible_to(user).filter(level__in=(RegionLevel.DISTRICT, RegionLevel.STREET))


class RegionCreateForm(WorkspaceForm):
    parent = scoped_choice(
        Region,
        url="portal:region-parent-autocomplete",
        scope=parent_regions,
        label="上级区域",
        help_text="区县下新增街道乡镇，街道乡镇下新增社区村",
    )
    code = forms.CharField(
        label="区划代码", max_length=12, help_text="12 位统计用区划代码，以上级区划代码开头，如 370902001000"
    )
    name = forms.CharField(label="名称", max_length=64)
    form_token = FormTokenField()


class RegionRenameForm(WorkspaceModelForm):
    class Meta:
        model = Region
        fields = ("name",)


class RegionMoveForm(WorkspaceForm):
    """调整隶属: the new district. `confirmed` is set by the confirmation page's button."""

    new_parent = forms.ModelChoiceField(label="调整到", queryset=Region.objects.none(), empty_label="—— 请选择 ——")
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    form_token = FormTokenField()

    def __init__(self, *args: Any, region: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent_level = PARENT_LEVEL.get(region.level, RegionLevel.DISTRICT)  # a street's: a district
        field: Any = self.fields["new_parent"]
        field.queryset = (
            region_visible_to(self.user).filter(level=parent_level).exclude(pk=region.parent_id).order_by("path")
        )


class UserFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(label="姓名或用户名", method="search")
    role = django_filters.ChoiceFilter(label="角色", choices=Role.choices)
    jurisdiction = RegionFilter(label="管辖区域", region_lookup="jurisdiction")
    is_active = django_filters.ChoiceFilter(
        label="状态", choices=[("true", "启用"), ("false", "停用")], method="active"
    )

    class Meta:
        model = User
        fields = ["q", "role", "jurisdiction", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(full_name__contains=value) | Q(username__icontains=value))

    def active(self, queryset, name, value):
        return queryset.filter(is_active=value == "true")
