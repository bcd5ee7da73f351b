from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils import timezone

from organizations.models import ExcellenceSystem, OrgLifeRecord, PartyMember, PartyOrganization
from organizations.services import organization_members
from portal.forms import EndForm, WorkspaceModelForm, scoped_choice


class PartyMemberLookupForm(forms.Form):
    """按身份证号/手机号精确查找: one exact value, sent in a POST body (never the query string)."""

    id_number = forms.CharField(label="身份证号码", required=False, max_length=32, strip=True)
    phone = forms.CharField(label="手机号/电话", required=False, max_length=32, strip=True)

    def clean(self):
        data = super().clean()
        given = [name for name in ("id_number", "phone") if data.get(name)]
        if len(given) != 1:
            raise forms.ValidationError("请填写身份证号码或手机号/电话其中一项", code="one_value")
        return data

    def lookup(self) -> tuple[str, str]:
        """(field, value) of a valid form."""
        field = "id_number" if self.cleaned_data.get("id_number") else "phone"
        return field, self.cleaned_data[field]


# --- Staff workspace (issue 10): members, organizations, survey visits (NAME=org) ---------------
# (helpers appending after this block: keep it whole)


from enterprises.models import Carrier, Enterprise  # noqa: E402
from portal.forms import FormTokenField, WorkspaceForm  # noqa: E402
from portal.models import Region  # noqa: E402
from portal.scoping import region_visible_to  # noqa: E402

_DATE = {"type": "date"}


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs=_DATE, format="%Y-%m-%d")


def organization_regions(user):
    return region_visible_to(user).select_related("parent")


MEMBER_FORM_FIELDS = (
    "name",
    "status",
    "gender",
    "birth_date",
    "education",
    "joined_on",
    "id_number",
    "phone",
    "workplace",
    "organization",
    "participates_in",
    "is_mobile",
    "mobile_home_organization",
    "mobile_home_region",
    "is_hidden",
    "discovered_via",
)


class PartyMemberForm(WorkspaceModelForm):
    """登记党员 / 编辑党员. On edit the organization relationship is left out (组织关系转接 has its own
    page with the date)."""

    workplace = scoped_choice(
        Enterprise,
        url="enterprises:enterprise-autocomplete",
        required=False,
        label="工作单位",
        placeholder="输入企业名称或信用代码",
    )
    organization = scoped_choice(
        PartyOrganization,
        url="organizations:autocomplete",
        required=False,
        label="组织关系所在党组织",
        placeholder="输入党组织名称",
        help_text="党员只能隶属一个党组织（一方隶属）",
    )
    participates_in = scoped_choice(
        PartyOrganization,
        url="organizations:autocomplete",
        multiple=True,
        required=False,
        label="参加组织生活的其他党组织",
        placeholder="输入党组织名称，可选多个",
        help_text="多重管理：可在其他党组织参加组织生活",
    )

    class Meta:
        model = PartyMember
        fields = MEMBER_FORM_FIELDS
        widgets = {
            "birth_date": _date_widget(),
            "joined_on": _date_widget(),
            "id_number": forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }
        help_texts = {
            "mobile_home_organization": "流动党员填写",
            "discovered_via": "隐性党员填写",
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        if self.instance.pk:
            self.fields.pop("organization")
            self.fields["participates_in"].queryset = self.fields["participates_in"].queryset.exclude(
                pk=self.instance.organization_id
            )
        for name in ("id_number", "phone", "gender", "education", "discovered_via"):
            self.fields[name].required = False


class PartyMemberTransferForm(WorkspaceForm):
    organization = scoped_choice(
        PartyOrganization,
        url="organizations:autocomplete",
        label="转入党组织",
        placeholder="输入党组织名称",
    )
    transferred_on = forms.DateField(label="转接日期", widget=_date_widget())
    form_token = FormTokenField()

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["organization"].queryset = self.fields["organization"].queryset.filter(dissolved_on__isnull=True)


class PartyOrganizationForm(WorkspaceModelForm):
    region = scoped_choice(
        Region,
        url="enterprises:region-autocomplete",
        scope=organization_regions,
        required=False,
        label="所属区域",
        placeholder="默认：所覆盖企业或载体的区域",
    )
    carrier = scoped_choice(
        Carrier,
        url="enterprises:carrier-autocomplete",
        required=False,
        label="依托载体",
        placeholder="联合组建时必填：输入载体名称",
    )
    covered_enterprises = scoped_choice(
        Enterprise,
        url="enterprises:enterprise-autocomplete",
        multiple=True,
        label="覆盖企业",
        placeholder="输入企业名称或信用代码，可选多个",
        help_text="单独组建：一家企业（至少3名正式党员）；联合组建：多家企业，有无党员均可",
    )
    parent = scoped_choice(
        PartyOrganization,
        url="organizations:autocomplete",
        required=False,
        label="上级党组织",
        placeholder="输入党组织名称",
    )
    secretary = scoped_choice(
        PartyMember,
        url="organizations:member-autocomplete",
        required=False,
        label="党组织书记",
        placeholder="输入党员姓名",
    )

    class Meta:
        model = PartyOrganization
        fields = (
            "name",
            "formation",
            "covered_enterprises",
            "carrier",
            "level",
            "region",
            "parent",
            "secretary",
            "is_online",
            "established_on",
        )
        widgets = {"established_on": _date_widget()}
        help_texts = {"level": "按党员人数建议：50名以下党支部，51–100名党总支，100名以上党委"}


class PartyOrganizationDissolveForm(EndForm):
    pass


# 记录走访 -------------------------------------------------------------------------------------------

VISIT_MEMBER_FIELDS = (
    "name",
    "status",
    "gender",
    "birth_date",
    "education",
    "joined_on",
    "id_number",
    "phone",
    "is_hidden",
    "discovered_via",
)


class SurveyVisitForm(WorkspaceForm):
    visited_on = forms.DateField(label="走访日期", widget=_date_widget())
    member_count_confirmed = forms.IntegerField(
        label="核实党员数",
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        help_text="走访中核实的在该企业工作的党员人数",
    )
    employee_count = forms.IntegerField(
        label="从业人员数",
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
    )
    address = forms.CharField(label="地址", max_length=255, required=False)
    legal_representative = forms.CharField(label="法定代表人", max_length=64, required=False)
    notes = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    form_token = FormTokenField()


class SurveyVisitEnterpriseForm(WorkspaceForm):
    enterprise = scoped_choice(
        Enterprise, url="enterprises:enterprise-autocomplete", label="走访的企业", placeholder="输入企业名称或信用代码"
    )


class VisitMemberForm(WorkspaceModelForm):
    """One member found at the visited enterprise (a row of the formset)."""

    form_token = None  # type: ignore[assignment]  # the visit form carries the one token

    class Meta:
        model = PartyMember
        fields = VISIT_MEMBER_FIELDS
        widgets = {
            "birth_date": _date_widget(),
            "joined_on": _date_widget(),
            "id_number": forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        for name in ("id_number", "phone", "gender", "education", "discovered_via"):
            self.fields[name].required = False
        for name, field in self.fields.items():
            if not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs["aria-describedby"] = f"{self.prefix}-{name}-errors"


class _VisitMemberFormSet(forms.BaseFormSet):
    def __init__(self, *args, user, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "user": self.user}

    def members(self) -> list[dict]:
        """The filled rows' data (empty rows skipped), in order."""
        return [form.cleaned_data for form in self.forms if form.has_changed() and form.cleaned_data]


VisitMemberFormSet = forms.formset_factory(
    VisitMemberForm, formset=_VisitMemberFormSet, extra=3, max_num=50, validate_max=True
)


# --- 组织生活 and 创先争优制度 (staff workspace, issue 10) -------------------------------------------

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrgLifeRecordForm(WorkspaceModelForm):
    """记录组织生活 of one organization (`organization=`): who attended is picked from that
    organization's members (searchable, scoped to the user's region), and/or the counts."""

    attendees = scoped_choice(
        PartyMember,
        url="organizations:list",  # replaced in __init__ by the organization's own attendee search
        multiple=True,
        required=False,
        label="参加党员",
        placeholder="输入姓名搜索本组织党员，可选多项",
        help_text="选了参加党员而未填实到人数时，按所选人数计",
    )

    class Meta:
        model = OrgLifeRecord
        fields = ("kind", "held_on", "topic", "attendees", "attendance", "expected_count", "notes")
        widgets = {"held_on": DATE_WIDGET, "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, organization: PartyOrganization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        field = self.fields["attendees"]
        field.queryset = organization_members(organization).visible_to(self.user).order_by("name", "id")
        field.widget.url = reverse("organizations:life-attendee-autocomplete", args=[organization.pk])
        self.fields["attendance"].required = False
        self.fields["attendance"].min_value = 0
        if not self.instance.pk:
            self.fields["held_on"].initial = timezone.localdate  # most records are entered on the day
            self.initial["attendance"] = None  # counted from the attendees unless given


class OrgLifeRecordVoidForm(EndForm):
    """作废 a life record: the date and a reason (required)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].label = "作废日期"
        self.fields["reason"].label = "作废原因"
        self.fields["reason"].required = True


class ExcellenceSystemForm(WorkspaceModelForm):
    class Meta:
        model = ExcellenceSystem
        fields = ("name", "adopted_on", "description")
        widgets = {"adopted_on": DATE_WIDGET, "description": forms.Textarea(attrs={"rows": 4})}
