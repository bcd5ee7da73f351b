from django.core.management.base import BaseCommand

from portal import embedded


class Command(BaseCommand):
    help = "内置 PostgreSQL：start 启动 / stop 停止 / url 显示连接地址"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["start", "stop", "url"])

    def handle(self, *args, action: str, **options):
        if action == "stop":
            stopped = embedded.stop()
            self.stdout.write("内置数据库已停止" if stopped else "内置数据库未在运行")
        elif action == "start":
            self.stdout.write(embedded.database_url())
        else:
            self.stdout.write(embedded.expected_database_url())
