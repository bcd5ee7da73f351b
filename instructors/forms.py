from __future__ import annotations

from django import forms

from enterprises.forms import enterprise_regions
from instructors.models import FirstSecretaryAppointment, Instructor, Stipend, Training
from organizations.models import PartyOrganization
from portal.forms import EndForm, WorkspaceModelForm, scoped_choice
from portal.models import Region


class InstructorLookupForm(forms.Form):
    """按手机号/电话精确查找: the value is sent in a POST body (never the query string)."""

    phone = forms.CharField(label="手机号/电话", max_length=32, strip=True)

    def lookup(self) -> tuple[str, str]:
        """(field, value) to look up."""
        return "phone", self.cleaned_data["phone"]


# --- 第一书记, 培训, 工作津贴 (staff workspace, issue 10) ---------------------------------------------

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FirstSecretaryForm(WorkspaceModelForm):
    """任命第一书记. On the edit form the phone is never shown (personal data, masked): a new number
    replaces it, a blank keeps it."""

    organization = scoped_choice(
        PartyOrganization,
        url="instructors:records-organization-autocomplete",
        label="党组织",
        placeholder="输入党组织名称搜索",
    )
    phone = forms.CharField(label="联系电话", max_length=32, required=False)

    class Meta:
        model = FirstSecretaryAppointment
        fields = ("organization", "name", "employer", "phone", "start_on", "end_on")
        widgets = {"start_on": DATE_WIDGET, "end_on": DATE_WIDGET}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["phone"] = ""
            self.fields["phone"].help_text = "已登记的号码不显示；填写新号码将替换，留空则保持不变"

    def clean_phone(self) -> str | None:
        phone = self.cleaned_data.get("phone") or ""
        if not phone and self.instance.pk:
            return None  # keep the stored number
        return phone


class FirstSecretaryEndForm(EndForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].label = "离任日期"
        self.fields["reason"].label = "离任原因"


class TrainingForm(WorkspaceModelForm):
    region = scoped_choice(Region, url="enterprises:region-autocomplete", scope=enterprise_regions, label="主办区域")
    instructors = scoped_choice(
        Instructor,
        url="instructors:records-instructor-autocomplete",
        multiple=True,
        required=False,
        label="参训指导员",
        placeholder="输入姓名搜索指导员，可选多项",
        help_text="培训对象为党建工作指导员时选择；未填参训人数时按所选人数计",
    )

    class Meta:
        model = Training
        fields = ("title", "audience", "region", "held_on", "hours", "participant_count", "instructors", "trainees")
        widgets = {"held_on": DATE_WIDGET, "trainees": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant_count"].required = False
        if not self.instance.pk:
            self.initial.update(hours=None, participant_count=None)  # not a misleading 0


class StipendForm(WorkspaceModelForm):
    instructor = scoped_choice(
        Instructor, url="instructors:records-instructor-autocomplete", label="指导员", placeholder="输入姓名搜索指导员"
    )

    class Meta:
        model = Stipend
        fields = ("instructor", "year", "month", "amount", "paid_on")
        widgets = {"paid_on": DATE_WIDGET}
