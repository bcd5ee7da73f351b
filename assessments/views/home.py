"""The home page: the headline figures of the latest snapshot, each linked to its list."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from assessments.choices import Dimension
from assessments.models import LedgerRow
from assessments.selectors import latest_snapshot
from enterprises.models import Enterprise
from instructors.models import Instructor
from organizations.models import PartyOrganization
from portal.permissions import Capability, CapabilityRequiredMixin, has_capability
from portal.scoping import home_region


class HomeView(LoginRequiredMixin, CapabilityRequiredMixin, TemplateView):
    """工作台: the user's headline figures, from the latest complete snapshot (the ledger's own
    definitions, so the same label means the same number as on the dashboard and the statistics
    table), each labelled with what it counts and as of when, and linked to its list."""

    required_capability = None  # every signed-in user has a home page
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        region = home_region(user)
        snapshot = latest_snapshot()
        row = None
        ledger = has_capability(user, Capability.VIEW_LEDGER)
        if ledger and snapshot is not None and region is not None:
            row = (
                LedgerRow.objects.visible_to(user)
                .filter(snapshot=snapshot, dimension=Dimension.REGION, region=region)
                .first()
            )
        cards = []
        today = timezone.localdate()
        if row is not None and ledger:
            base = reverse("assessments:enterprises")
            query = f"snapshot={snapshot.pk}&region={region.code}"
            statistics = f"{reverse('assessments:statistics')}?{query}"
            cards += [
                ("在册存续企业", "登记状态为存续/在业", row.enterprises, f"{base}?figure=enterprises&{query}"),
                ("有党员企业", "在册存续企业中有党员的", row.with_members, f"{base}?figure=with_members&{query}"),
                (
                    "党员（含预备党员）",
                    "在册存续企业中的正式党员和预备党员",
                    row.full_members + row.probationary_members,
                    statistics,
                ),
                (
                    "应建未建",
                    "3名以上正式党员、未单独建立党组织的企业",
                    row.standalone_due,
                    f"{base}?figure=standalone_due&{query}",
                ),
            ]
            cards = [(*card, snapshot.as_of) for card in cards]
        if has_capability(user, Capability.VIEW_DATA):
            cards.append(
                (
                    "全部登记企业",
                    "企业名录中的全部企业（含迁出、吊销、注销）；实时",
                    Enterprise.objects.visible_to(user).count(),
                    reverse("enterprises:list"),
                    today,
                )
            )
        if has_capability(user, Capability.VIEW_PARTY):
            cards.append(
                (
                    "党组织名录",
                    "名录中的全部党组织（含已撤销），与党组织列表的总数一致；实时",
                    PartyOrganization.objects.visible_to(user).count(),
                    reverse("organizations:list"),
                    today,
                )
            )
            cards.append(
                (
                    "党建工作指导员",
                    "在册的党建工作指导员；实时",
                    Instructor.objects.visible_to(user).count(),
                    reverse("instructors:list"),
                    today,
                )
            )
        # The snapshot line is said only above figures that come from it (not to commerce staff).
        context.update(cards=cards, snapshot=snapshot if row is not None else None, region=region, today=today)
        return context
