from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers
from django.views.generic import TemplateView

from instructors.filtersets import InstructorFilterSet
from instructors.forms import InstructorLookupForm
from instructors.models import Instructor
from portal.middleware import client_ip
from portal.permissions import Capability, CapabilityRequiredMixin
from portal.services import LookupThrottled, can_reveal, masked, personal_data_lookup
from portal.views import Column, PersonalDataMixin, RevealMixin, ScopedDetailView, ScopedListView

LOOKUP_BY_GET_REFUSED = "按电话精确查找须在指导员列表页用“精确查找”表单提交（POST），且需要查看个人敏感信息的权限"


class InstructorListView(ScopedListView):
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

    def get(self, request, *args, **kwargs):
        if "phone" in request.GET:
            return HttpResponseBadRequest(LOOKUP_BY_GET_REFUSED, content_type="text/plain; charset=utf-8")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if can_reveal(self.request.user):
            context["lookup_form"] = InstructorLookupForm()
        return context


class InstructorLookupView(LoginRequiredMixin, CapabilityRequiredMixin, TemplateView):
    """POST: 按手机号/电话精确查找指导员. Needs REVEAL_PERSONAL; logged and throttled like a reveal
    (portal.services.personal_data_lookup)."""

    required_capability = Capability.REVEAL_PERSONAL
    http_method_names = ["post"]
    template_name = "instructors/instructor_lookup.html"

    def post(self, request, *args, **kwargs):
        form = InstructorLookupForm(request.POST)
        results, status = None, 200
        if form.is_valid():
            try:
                found = personal_data_lookup(
                    user=request.user,
                    model=Instructor,
                    field="phone",
                    value=form.cleaned_data["phone"],
                    ip=client_ip(request),
                )
            except LookupThrottled as exc:
                form.add_error(None, str(exc))
                status = 429
            else:
                results = [(instructor, masked(instructor)) for instructor in found.select_related("region")]
                form = InstructorLookupForm()  # the value looked up is not echoed back into the page
        response = self.render_to_response(
            self.get_context_data(title="按手机号/电话精确查找指导员", lookup_form=form, results=results), status=status
        )
        add_never_cache_headers(response)
        return response


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
