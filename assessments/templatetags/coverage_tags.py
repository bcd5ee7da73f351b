"""`{% enterprise_coverage enterprise %}`: the coverage panel of an enterprise's page, from the same
rules as the ledger (enterprises never imports assessments; the template loads this tag)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from assessments.rules import annotate_ledger
from enterprises.models import Enterprise
from organizations.models import PartyOrganization
from organizations.querysets import active_on_q

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
    return {"state": state, "organizations": organizations, "as_of": as_of}
