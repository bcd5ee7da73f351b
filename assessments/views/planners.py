"""The planners: 组建建议, 派驻建议, 落实到街道 and the 本轮排查 worklist. Thin: parse, call the
reads of assessments/planners.py (or the bulk placing service), render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import TemplateView

from assessments import actions, planners
from assessments.rules import GAPS
from assessments.selectors import current_campaigns
from assessments.views.ledger import LedgerMixin
from enterprises import services as enterprise_services
from portal.choices import RegionLevel
from portal.models import Region
from portal.permissions import Capability, has_capability
from portal.scoping import home_region, region_visible_to

PAGE_SIZE = 50


class PlannerView(LedgerMixin, TemplateView):
    title = ""

    def page(self, object_list, size: int = PAGE_SIZE):
        return Paginator(object_list, size).get_page(self.request.GET.get("page"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title,
            gaps=GAPS,
            today=timezone.localdate(),
            can_act=has_capability(self.request.user, Capability.EDIT_PARTY),
        )
        return context


class JointPlanView(PlannerView):
    """组建建议: per carrier, enterprises with 1–2 full members adding up to 3 or more, and the
    enterprises without members beside them, proposed as one joint organization."""

    template_name = "assessments/plan_joint.html"
    title = "组建建议"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = self.page(planners.joint_plan(self.request.user, context["today"]), 20)
        context.update(page_obj=page, proposals=planners.joint_proposals(list(page)))
        return context


class DispatchPlanView(PlannerView):
    """派驻建议: uncovered enterprises without members, each proposed to the least loaded
    instructor of its street or carrier."""

    template_name = "assessments/plan_dispatch.html"
    title = "派驻建议"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = self.page(planners.dispatch_candidates(self.request.user, context["today"]))
        proposals = planners.dispatch_proposals(self.request.user, list(page), context["today"])
        context.update(page_obj=page, proposals=proposals)
        return context


class PlacePlanView(PlannerView):
    """落实到街道: enterprises registered only at district level, a street proposed from the
    address; the ticked proposals are confirmed in one POST."""

    template_name = "assessments/plan_place.html"
    title = "落实到街道"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = self.page(planners.unplaced_enterprises(self.request.user))
        rows = list(page)
        streets = Region.objects.in_bulk([e.proposed_street for e in rows if e.proposed_street])
        for enterprise in rows:
            enterprise.street = streets.get(enterprise.proposed_street)
        context.update(
            page_obj=page,
            rows=rows,
            can_place=has_capability(self.request.user, Capability.EDIT_ENTERPRISE),
            errors=kwargs.get("errors", []),
        )
        return context

    def post(self, request, *args, **kwargs):
        placements: dict[int, int] = {}
        for value in request.POST.getlist("place"):
            enterprise_id, _sep, street_id = value.partition(":")
            if enterprise_id.isdigit() and street_id.isdigit():
                placements[int(enterprise_id)] = int(street_id)
        try:
            placed = enterprise_services.enterprise_place_bulk(placements=placements, acting_user=request.user)
        except ValidationError as exc:
            errors = [m for ms in exc.message_dict.values() for m in ms]
            return self.render_to_response(self.get_context_data(errors=errors), status=400)
        messages.success(request, f"已落实到街道：{placed} 家企业")
        return redirect(request.get_full_path())


class SurveyWorklistView(PlannerView):
    """本轮排查: the current campaign's in-scope enterprises not yet visited, by street, with the
    countdown to the deadline and each street's progress."""

    template_name = "assessments/plan_survey.html"
    title = "本轮排查"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        street = None
        code = self.request.GET.get("street", "")
        if code:
            street = get_object_or_404(region_visible_to(user).filter(level=RegionLevel.STREET), code=code[:12])
        today = context["today"]
        campaigns = [
            {"campaign": c, "days_left": (c.deadline - today).days, "overdue": (today - c.deadline).days}
            for c in current_campaigns(home_region(user))
        ]
        page = self.page(planners.survey_worklist(user, street))
        for enterprise in page:
            enterprise.visit_action = actions.survey_visit(enterprise.pk)
        context.update(
            campaigns=campaigns,
            progress=planners.survey_progress(user),
            street=street,
            page_obj=page,
            querystring=f"street={street.code}" if street else "",
        )
        return context
