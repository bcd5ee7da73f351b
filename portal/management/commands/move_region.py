"""`manage.py move_region CODE NEW_PARENT_CODE --user USERNAME`: 行政区划调整 from the command line.

Parses the codes, calls `portal.services.region_move` (which checks the user's capability, the
cycle and level rules, and attributes the change) and prints the outcome in Chinese."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.models import Region
from portal.services import region_move


def _region(code: str) -> Region:
    try:
        return Region.objects.select_related("parent").get(code=code)
    except Region.DoesNotExist:
        raise CommandError(f"区划代码 {code} 不存在") from None


def _messages(error: ValidationError) -> str:
    return "；".join(error.messages)


class Command(BaseCommand):
    help = "行政区划调整：把区域及其全部下级调整到新的上级区域之下"

    def add_arguments(self, parser):
        parser.add_argument("code", help="要调整的区域的区划代码")
        parser.add_argument("new_parent_code", help="新的上级区域的区划代码")
        parser.add_argument("--user", required=True, help="执行调整的市级管理员用户名（记入变更记录）")

    def handle(self, *args, code: str, new_parent_code: str, user: str, **options):
        try:
            acting_user = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"用户 {user} 不存在") from None
        region, new_parent = _region(code), _region(new_parent_code)
        try:
            outcome = region_move(region=region, new_parent=new_parent, acting_user=acting_user)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(f"未调整：{_messages(exc)}") from None
        old = outcome.old_parent.name if outcome.old_parent else "（无上级）"
        self.stdout.write(
            f"已将“{outcome.region.name}”（{outcome.region.code}）从“{old}”调整到“{new_parent.name}”之下，"
            f"共更新 {outcome.moved_count} 个区域的路径"
        )
