from __future__ import annotations

from instructors.filtersets import InstructorFilterSet
from instructors.forms import InstructorLookupForm
from instructors.models import Instructor
from portal.permissions import Capability
from portal.views import (
    Column,
    LookupFormMixin,
    PersonalDataMixin,
    PersonalLookupView,
    RevealMixin,
    ScopedDetailView,
    ScopedListView,
)

LOOKUP_BY_GET_REFUSED = "按电话精确查找须在指导员列表页用“精确查找”表单提交（POST），且需要查看个人敏感信息的权限"


class InstructorListView(LookupFormMixin, ScopedListView):
    model = Instructor
    required_capability = Capability.VIEW_PARTY
    filterset_class = InstructorFilterSet
    select_related = ("region",)
    columns = (
        Column("姓名", "name", link=True),
        Column("来源", "get_source_display"),
        Column("原工作单位及职务", "employer"),
        Column("一岗双责", "dual_duty"),
        Column("所属区域", "region"),
    )
    template_name = "instructors/instructor_list.html"
    lookup_params = ("phone",)
    lookup_refused = LOOKUP_BY_GET_REFUSED
    lookup_form_class = InstructorLookupForm


class InstructorLookupView(PersonalLookupView):
    """POST: 按手机号/电话精确查找指导员. Needs REVEAL_PERSONAL; logged and throttled like a reveal
    (portal.services.personal_data_lookup)."""

    model = Instructor
    form_class = InstructorLookupForm
    select_related = ("region",)
    title = "按手机号/电话精确查找指导员"
    template_name = "instructors/instructor_lookup.html"


class InstructorDetailView(PersonalDataMixin, ScopedDetailView):
    """Phone masked; "查看完整信息" (REVEAL_PERSONAL) shows it, logged."""

    model = Instructor
    required_capability = Capability.VIEW_PARTY
    template_name = "instructors/instructor_detail.html"
    reveal_url_name = "instructors:reveal"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["assignments"] = self.object.assignments.visible_to(self.request.user).select_related("enterprise")
        context.update(self.personal_context(self.object))
        return context


class InstructorRevealView(RevealMixin, InstructorDetailView):
    """POST: the instructor's phone in clear, written to the access log."""
