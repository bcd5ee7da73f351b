"""Forms of the enterprises app: thin, they parse input and leave the rules to services."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from enterprises.choices import ImportSource, RegistrationStatus
from enterprises.models import Carrier, Enterprise
from enterprises.services import ENDED_STATUSES, ENTERPRISE_PARTY_FIELDS
from portal.choices import RegionLevel
from portal.forms import EndForm, WorkspaceModelForm, scoped_choice
from portal.models import Region
from portal.permissions import Capability, has_capability
from portal.scoping import region_visible_to


class RegisterUploadForm(forms.Form):
    source = forms.ChoiceField(label="名单类型", choices=ImportSource.choices, initial=ImportSource.REGISTRATION)
    file = forms.FileField(
        label="名单文件",
        help_text="支持 .xlsx 和 .csv（UTF-8 或 GBK 编码）；表头可以在标题行之下，列名可用常见写法",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class RegisterConfirmForm(forms.Form):
    confirm_warnings = forms.BooleanField(label="确认导入校验位不符的代码（已逐一核实）", required=False)


# --- Staff workspace (portal/forms.py): carriers and enterprises ---------------------------------

REGION_LEVELS = (RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY)


def enterprise_regions(user) -> QuerySet:
    """Regions an enterprise or a carrier of `user` may be put in: their jurisdiction's district,
    streets and communities (RegionAutocompleteView offers the same rows)."""
    return region_visible_to(user).filter(level__in=REGION_LEVELS).select_related("parent")


class CarrierForm(WorkspaceModelForm):
    region = scoped_choice(
        Region,
        url="enterprises:region-autocomplete",
        scope=enterprise_regions,
        label="所属区域",
        placeholder="输入区县、街道或社区名称",
    )

    class Meta:
        model = Carrier
        fields = ("name", "kind", "region", "address")


class EnterpriseForm(WorkspaceModelForm):
    """All fields for district staff; commerce-bureau staff (no EDIT_PARTY) get the register data
    only: the carrier and 法定代表人是党员 are left out of their form (the service refuses them too)."""

    region = scoped_choice(
        Region,
        url="enterprises:region-autocomplete",
        scope=enterprise_regions,
        label="所属区域",
        placeholder="输入街道或社区名称",
    )
    carrier = scoped_choice(
        Carrier,
        url="enterprises:carrier-autocomplete",
        required=False,
        label="所属载体",
        placeholder="输入载体名称搜索",
    )

    class Meta:
        model = Enterprise
        fields = (
            "credit_code",
            "credit_code_check_confirmed",
            "name",
            "kind",
            "industry",
            "region",
            "carrier",
            "address",
            "legal_representative",
            "legal_representative_is_member",
            "investor",
            "employee_count",
            "above_scale",
            "registration_status",
            "registered_on",
            "annual_report_year",
        )
        widgets = {
            "registered_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "credit_code": forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
            "employee_count": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "annual_report_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }
        help_texts = {"credit_code": "18 位，按 GB 32100 校验；早期代码校验位不符时，核实后勾选下一项"}

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        if not has_capability(user, Capability.EDIT_PARTY):
            for name in ENTERPRISE_PARTY_FIELDS:
                self.fields.pop(name, None)

    def clean_credit_code(self) -> str:
        return (self.cleaned_data.get("credit_code") or "").strip().upper()


class EnterpriseDeregisterForm(EndForm):
    registration_status = forms.ChoiceField(
        label="办理事项",
        choices=[(status.value, status.label) for status in ENDED_STATUSES],
        initial=RegistrationStatus.CANCELLED,
    )

    field_order = ("registration_status", "ended_on", "reason")
