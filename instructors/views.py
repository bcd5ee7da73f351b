from __future__ import annotations

from instructors.filtersets import InstructorFilterSet
from instructors.models import Instructor
from portal.views import Column, PersonalDataMixin, RevealMixin, ScopedDetailView, ScopedListView


class InstructorListView(ScopedListView):
    model = Instructor
    filterset_class = InstructorFilterSet
    select_related = ("region",)
    columns = (
        Column("姓名", "name", link=True),
        Column("来源", "get_source_display"),
        Column("原工作单位及职务", "employer"),
        Column("一岗双责", "dual_duty"),
        Column("所属区域", "region"),
    )


class InstructorDetailView(PersonalDataMixin, ScopedDetailView):
    """Phone masked; "查看完整信息" (REVEAL_PERSONAL) shows it, logged."""

    model = Instructor
    template_name = "instructors/instructor_detail.html"
    reveal_url_name = "instructors:reveal"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["assignments"] = self.object.assignments.visible_to(self.request.user).select_related("enterprise")
        context.update(self.personal_context(self.object))
        return context


class InstructorRevealView(RevealMixin, InstructorDetailView):
    """POST: the instructor's phone in clear, written to the access log."""
