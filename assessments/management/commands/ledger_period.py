"""`manage.py ledger_period ACTION PERIOD_ID --user USERNAME [--reason TEXT]`: the period workflow
(重新统计 compute, 校核 check, 上报 submit, 退回 reopen) from the command line.

Calls the same services as the page, so the capability and scope checks, the rules and the
change log are the same: the change is attributed to --user (channel "system")."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessments import services
from assessments.models import LedgerPeriod
from assessments.snapshots import LedgerLocked

ACTIONS = {
    "compute": ("已重新统计", services.period_compute),
    "check": ("已校核", services.period_check),
    "submit": ("已上报", services.period_submit),
}


class Command(BaseCommand):
    help = "台账期间：重新统计（compute）、校核（check）、上报（submit）、退回（reopen）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=[*ACTIONS, "reopen"])
        parser.add_argument("period_id", type=int, help="台账期间编号")
        parser.add_argument("--user", required=True, help="操作人用户名（记入变更记录）")
        parser.add_argument("--reason", default="", help="退回原因（reopen 时必填）")

    def handle(self, *args, action: str, period_id: int, user: str, reason: str = "", **options):
        acting_user = get_user_model().objects.filter(username=user).first()
        if acting_user is None:
            raise CommandError(f"用户 {user} 不存在")
        period = LedgerPeriod.objects.filter(pk=period_id).first()
        if period is None:
            raise CommandError(f"台账期间 {period_id} 不存在")
        try:
            if action == "reopen":
                done, period = "已退回", services.period_reopen(period=period, reason=reason, acting_user=acting_user)
            else:
                done, service = ACTIONS[action]
                period = service(period=period, acting_user=acting_user)
        except LedgerPeriod.DoesNotExist:
            raise CommandError("该台账期间不在您的管辖范围内") from None
        except (PermissionDenied, LedgerLocked) as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(f"{period}：{done}（{period.get_status_display()}）")
