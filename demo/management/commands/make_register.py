"""python manage.py make_register -n ROWS -o FILE [--list registration|annual_report] [--messy --truth JSON]

Writes a synthetic register of the demo city (demo.registers): .xlsx, or .csv in UTF-8 with BOM
(--encoding gbk / gb18030 for the files older systems export). The same --seed always gives the
same file, and the first N rows of a larger file are the file of N rows.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from demo.registers import DEFAULT_SEED, FAULTS, HEADERS, REGISTRATION, write_register, write_truth


class Command(BaseCommand):
    help = "生成演示城市（泰安市）的企业名单文件（登记名单或年检名单，.xlsx / .csv），用于导入演示和测试"

    def add_arguments(self, parser):
        parser.add_argument("-n", "--rows", type=int, default=10_000, help="数据行数（默认 10000）")
        parser.add_argument("-o", "--output", required=True, help="输出文件（.xlsx 或 .csv）")
        parser.add_argument("--list", dest="list_kind", choices=list(HEADERS), default=REGISTRATION, help="名单类型")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子：同一种子生成同一文件")
        parser.add_argument("--messy", action="store_true", help="加标题行，并让约 2%% 的行带一种常见错误")
        parser.add_argument("--truth", help="另写一个 JSON 文件，列出每种错误所在的数据行（配合 --messy）")
        parser.add_argument(
            "--encoding",
            choices=("utf-8", "gbk", "gb18030"),
            default="utf-8",
            help="CSV 的编码（默认 UTF-8 带 BOM）",
        )

    def handle(self, *args, rows: int, output: str, list_kind: str, seed: int, messy: bool, truth, encoding, **opts):
        path = Path(output)
        if rows < 0:
            raise CommandError("行数不能为负数")
        if path.suffix.lower() not in (".xlsx", ".csv"):
            raise CommandError("输出文件的扩展名应为 .xlsx 或 .csv")
        if encoding != "utf-8" and path.suffix.lower() != ".csv":
            raise CommandError("--encoding 只用于 .csv 文件")
        started = time.perf_counter()
        result = write_register(path, rows=rows, list_kind=list_kind, seed=seed, messy=messy, encoding=encoding)
        if truth:
            write_truth(truth, result)
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"已生成 {path}：{rows:,} 行数据（{elapsed:.1f} 秒）"))
        if messy:
            counts = "，".join(f"{kind} {len(result.faults.get(kind, []))}" for kind in FAULTS)
            self.stdout.write(f"  标题行在第 1 行，表头在第 {result.header_row} 行；带错误的行：{counts}")
