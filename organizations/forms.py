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
