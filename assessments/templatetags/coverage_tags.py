"""`{% enterprise_coverage enterprise %}`: the coverage panel of an enterprise's page, from the same
rules as the ledger (enterprises never imports assessments; the template loads this tag), with
each gap and the button that closes it (assessments/actions.py). `row|gap_actions:gap`: the
actions of a gap-list row."""

from __future__ import annotations

from django import template
from django.utils import timezone

from assessments.actions import Action, enterprise_gaps, gap_list_actions
from assessments.rules import annotate_ledger
from enterprises.models import Enterprise
from organizations.models import PartyOrganization
from organizations.querysets import active_on_q
from portal.permissions import Capability, has_capability

register = template.Library()


@register.inclusion_tag("assessments/_coverage_panel.html", takes_context=True)
def enterprise_coverage(context, enterprise: Enterprise) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    as_of = timezone.localdate()
    state = annotate_ledger(Enterprise.objects.visible_to(user).filter(pk=enterprise.pk), as_of).first()
    organizations = (
        PartyOrganization.objects.visible_to(user).filter(active_on_q(as_of), covered_enterprises=enterprise)
        if state is not None
        else []
    )
    return {
        "state": state,
        "organizations": organizations,
        "as_of": as_of,
        "gaps": enterprise_gaps(state) if state is not None else [],
        "can_act": has_capability(user, Capability.EDIT_PARTY),
    }


@register.filter
def gap_actions(enterprise, gap: str | None = None) -> list[Action]:
    """The actions that close `gap` on a list row (every gap of the row when `gap` is empty)."""
    return gap_list_actions(enterprise, gap or None)
