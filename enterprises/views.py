from __future__ import annotations

from enterprises.filtersets import CarrierFilterSet, EnterpriseFilterSet
from enterprises.models import Carrier, Enterprise
from portal.views import Column, ScopedDetailView, ScopedListView


class EnterpriseListView(ScopedListView):
    model = Enterprise
    filterset_class = EnterpriseFilterSet
    select_related = ("region",)
    columns = (
        Column("企业名称", "name", link=True),
        Column("统一社会信用代码", "credit_code"),
        Column("企业类型", "get_kind_display"),
        Column("行业", "get_industry_display"),
        Column("所属区域", "region"),
        Column("从业人员", "employee_count"),
        Column("登记状态", "get_registration_status_display"),
    )


class EnterpriseDetailView(ScopedDetailView):
    model = Enterprise
    template_name = "enterprises/enterprise_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("region", "carrier", "last_import")

    def get_context_data(self, **kwargs):
        from instructors.models import Assignment
        from organizations.models import PartyMember

        context = super().get_context_data(**kwargs)
        enterprise = self.object
        user = self.request.user
        context["members"] = (
            PartyMember.objects.visible_to(user).filter(workplace=enterprise).select_related("organization")[:200]
        )
        context["organizations"] = enterprise.covering_organizations.visible_to(user).select_related("carrier")
        context["assignments"] = (
            Assignment.objects.visible_to(user).filter(enterprise=enterprise).select_related("instructor")
        )
        return context


class CarrierListView(ScopedListView):
    model = Carrier
    filterset_class = CarrierFilterSet
    select_related = ("region",)
    columns = (
        Column("名称", "name"),
        Column("类型", "get_kind_display"),
        Column("所属区域", "region"),
        Column("地址", "address"),
    )
