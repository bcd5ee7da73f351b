from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from enterprises.forms import enterprise_regions
from enterprises.models import Enterprise
from instructors.models import FirstSecretaryAppointment, Instructor, Stipend, Training
from instructors.services import instructor_loads
from organizations.models import PartyOrganization
from portal.fields import mask_phone
from portal.forms import EndForm, FormTokenField, WorkspaceForm, WorkspaceModelForm, scoped_choice
from portal.models import Region

# --- Staff workspace: instructors and their assignments (派驻) -------------------------------------


def dispatchable_instructors(user) -> QuerySet:
    """Instructors `user` may dispatch: of their region, still at work, with their current load
    (InstructorAutocompleteView offers the same rows)."""
    today = timezone.localdate()
    rows = Instructor.objects.visible_to(user).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
    return instructor_loads(rows, today)


def instructor_label(instructor: Instructor) -> str:
    """王强（工商干部，已联系3户）: the source and the current load, to choose among instructors."""
    load = getattr(instructor, "load", None)
    suffix = f"，已联系{load}户" if load is not None else ""
    return f"{instructor.name}（{instructor.get_source_display()}{suffix}）"


class InstructorForm(WorkspaceModelForm):
    region = scoped_choice(
        Region,
        url="enterprises:region-autocomplete",
        scope=enterprise_regions,
        label="所属区域",
        placeholder="输入街道、园区所在社区或区县名称",
    )
    phone = forms.CharField(label="联系电话", max_length=32, required=False)

    class Meta:
        model = Instructor
        fields = ("name", "source", "dual_duty", "employer", "region", "phone", "is_member")
        labels = {"employer": "单位及职务", "dual_duty": "一岗双责（保留原岗位，兼任指导员）"}
        help_texts = {"employer": "一岗双责的，填写所在单位及职务"}

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        instance = self.instance
        if instance.pk:
            # Never put the stored phone in the page: blank keeps it (instructor_update).
            self.initial["phone"] = ""
            if instance.phone:
                self.fields["phone"].help_text = f"当前：{mask_phone(instance.phone)}；留空则不修改"
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})


class InstructorEndForm(EndForm):
    """结束工作: the instructor leaves the work; their active assignments end the same day."""


class DispatchForm(WorkspaceForm):
    """派驻指导员: one instructor to one or several enterprises without members."""

    instructor = scoped_choice(
        Instructor,
        url="instructors:autocomplete",
        scope=dispatchable_instructors,
        label="指导员",
        placeholder="输入指导员姓名搜索",
    )
    enterprise = scoped_choice(
        Enterprise,
        url="enterprises:enterprise-autocomplete",
        multiple=True,
        label="派驻企业（可多选）",
        placeholder="输入企业名称或信用代码搜索",
        help_text="只能派驻到没有党员的企业；有党员的企业应组建党组织或纳入联合党组织",
    )
    start_on = forms.DateField(label="派驻开始日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end_on = forms.DateField(
        label="派驻截至（可不填）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="派驻的最后一天；不填表示长期派驻",
    )
    form_token = FormTokenField()

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["instructor"].label_from_instance = instructor_label  # type: ignore[attr-defined]


class AssignmentEndForm(EndForm):
    """结束派驻: from this date the instructor no longer serves the enterprise."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].label = "结束日期"
        self.fields["ended_on"].help_text = "自该日起不再派驻（派驻截至前一天）"


# --- end of the instructors/assignments workspace block --------------------------------------------


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
