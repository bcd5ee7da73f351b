"""`python manage.py seed_demo [--enterprises N] [--seed S] [--if-empty]`"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from demo.seeding import DEFAULT_SEED, DEMO_PASSWORD, DatabaseNotEmpty, database_is_empty, seed_demo_city


class Command(BaseCommand):
    help = "在空数据库中生成演示城市（泰安市）：区县、街道、载体、企业、党员、党组织、指导员、排查走访和演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=20_000, help="企业数量（默认 20000，可到 1000000）")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子：同一种子生成同一城市")
        parser.add_argument("--if-empty", action="store_true", help="数据库非空时跳过（make run 使用）而不是报错")

    def handle(self, *args, enterprises: int, seed: int, if_empty: bool, **options):
        if if_empty and not database_is_empty():
            self.stdout.write("数据库已有数据，跳过演示数据生成。")
            return
        started = time.perf_counter()
        try:
            result = seed_demo_city(enterprises=enterprises, seed=seed, progress=self.stdout.write)
        except DatabaseNotEmpty as exc:
            raise CommandError(str(exc)) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"演示城市已生成（{elapsed:.1f} 秒）："))
        for table, count in sorted(result.counts.items()):
            self.stdout.write(f"  {table:<55} {count:>10,}")
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role, region in result.users:
            self.stdout.write(f"  {username:<18} {role:<14} {region}")
        self.stdout.write(f"  接口令牌（api_client）：{result.api_token}")
