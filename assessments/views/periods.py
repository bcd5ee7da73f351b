"""Ledger pages: the period workflow (统计期: create, confirm, submit, reopen). Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from assessments import services
from assessments.choices import PeriodStatus
from assessments.models import LedgerPeriod
from assessments.selectors import parse_date
from assessments.snapshots import LedgerLocked
from assessments.views.ledger import LedgerMixin
from portal.permissions import Capability, has_capability
from portal.scoping import home_region


class PeriodListView(LedgerMixin, TemplateView):
    """台账上报: periods of the user's districts, and their 重新统计 → 校核 → 上报 buttons."""

    template_name = "assessments/periods.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        periods = LedgerPeriod.objects.visible_to(self.request.user).select_related(
            "region", "computed_by", "checked_by", "submitted_by", "reopened_by"
        )
        context.update(
            title="台账统计与上报",
            periods=periods[:100],
            can_manage=has_capability(self.request.user, Capability.MANAGE_LEDGER),
            can_reopen=has_capability(self.request.user, Capability.ADMINISTER),
            home=home_region(self.request.user),
            today=timezone.localdate(),
        )
        return context


class PeriodCreateView(LedgerMixin, View):
    required_capability = Capability.MANAGE_LEDGER

    def post(self, request):
        region = home_region(self.request.user)
        as_of = parse_date(request.POST.get("as_of"))
        name = (request.POST.get("name") or "").strip()
        if region is None or as_of is None or not name:
            messages.error(request, "请填写期间名称和统计截止日期")
        else:
            try:
                services.period_create(region=region, name=name, as_of=as_of, acting_user=request.user)
                messages.success(request, f"已创建台账期间：{name}")
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
        return HttpResponseRedirect(reverse("assessments:periods"))


class PeriodActionView(LedgerMixin, View):
    """POST /periods/<pk>/<compute|check>/."""

    required_capability = Capability.MANAGE_LEDGER
    actions = {
        "compute": (services.period_compute, "已重新统计"),
        "check": (services.period_check, "已校核"),
    }

    def post(self, request, pk: int, action: str):
        period = get_object_or_404(LedgerPeriod.objects.visible_to(request.user), pk=pk)
        if action not in self.actions:
            raise Http404("没有这个操作")
        service, done = self.actions[action]
        try:
            period = service(period=period, acting_user=request.user)
        except (ValidationError, LedgerLocked) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            if action == "check" and period.status != PeriodStatus.CHECKED:
                messages.error(request, f"校核未通过：{len(period.check_errors)} 个问题")
            else:
                messages.success(request, done)
        return HttpResponseRedirect(reverse("assessments:periods"))


class PeriodConfirmView(LedgerMixin, View):
    """An irreversible step asks first: GET shows a confirmation form (a checkbox; for 退回 also
    the reason), POST without the checkbox shows it again. No script: the CSP forbids it."""

    model = LedgerPeriod
    action: str
    title: str
    warning: str
    done: str

    def period(self, pk: int) -> LedgerPeriod:
        return get_object_or_404(
            LedgerPeriod.objects.visible_to(self.request.user).select_related("region", "submitted_by"), pk=pk
        )

    def get(self, request, pk: int):
        return self.confirmation(request, self.period(pk))

    def confirmation(self, request, period: LedgerPeriod, errors: list[str] | None = None):
        return render(
            request,
            "assessments/period_confirm.html",
            {
                "title": self.title,
                "period": period,
                "action": self.action,
                "url": request.path,
                "warning": self.warning,
                "errors": errors or [],
                "reason": request.POST.get("reason", ""),
            },
        )

    def perform(self, period: LedgerPeriod) -> LedgerPeriod:
        raise NotImplementedError

    def post(self, request, pk: int):
        period = self.period(pk)
        if request.POST.get("confirm") != "1":
            return self.confirmation(request, period, ["请勾选确认后再提交"])
        try:
            self.perform(period)
        except (ValidationError, LedgerLocked) as exc:
            return self.confirmation(request, period, getattr(exc, "messages", [str(exc)]))
        messages.success(request, self.done)
        return HttpResponseRedirect(reverse("assessments:periods"))


class PeriodSubmitView(PeriodConfirmView):
    """上报 (irreversible but for a city administrator's 退回): confirm first."""

    required_capability = Capability.MANAGE_LEDGER
    action = "submit"
    title = "确认上报"
    warning = "上报后该期间的台账数据锁定，不再变化；只有市级管理员可以退回。"
    done = "已上报，数据已锁定"

    def perform(self, period: LedgerPeriod) -> LedgerPeriod:
        return services.period_submit(period=period, acting_user=self.request.user)


class PeriodReopenView(PeriodConfirmView):
    """退回: a city administrator unlocks a submitted period, giving the reason."""

    required_capability = Capability.ADMINISTER
    action = "reopen"
    title = "退回已上报的台账"
    warning = "退回后该期间解除锁定，需要重新统计、校核后再次上报。退回原因将记入日志。"
    done = "已退回，可重新统计、校核后再上报"

    def perform(self, period: LedgerPeriod) -> LedgerPeriod:
        return services.period_reopen(
            period=period, reason=self.request.POST.get("reason", ""), acting_user=self.request.user
        )
