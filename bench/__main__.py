"""`make bench`: every benchmark module in this package, each printing figures and ratios against
a baseline measured in the same run (machines are shared and noisy: the ratio is what holds).

    make bench                               # all benchmarks, default sizes
    make bench BENCH_ARGS="--only ledger"    # one benchmark
    make bench BENCH_ARGS="--rows 1000000"   # bigger

Benchmarks run in their own database (`<name>_bench`), never in the portal's.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import subprocess
import sys
import time

import bench


def main(argv: list[str] | None = None) -> int:
    modules = sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_") and m.name != "common"
    )
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--only", choices=modules, action="append")
    parser.add_argument("--rows", type=int, default=None, help="size override passed to each benchmark")
    args = parser.parse_args(argv)
    selected = args.only or modules
    if len(selected) > 1:
        # Each benchmark configures Django for its own database: one process each.
        failed = 0
        for name in selected:
            command = [sys.executable, "-m", "bench", "--only", name]
            if args.rows is not None:
                command += ["--rows", str(args.rows)]
            failed += subprocess.run(command, check=False).returncode != 0  # noqa: S603 - our own module
        return 1 if failed else 0
    failed = 0
    for name in selected:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n##### {name}: {(module.__doc__ or '').strip().splitlines()[0]}", flush=True)
        started = time.perf_counter()
        ok = module.run(rows=args.rows)
        print(f"##### {name}: {'ok' if ok is not False else 'FAILED'} in {time.perf_counter() - started:.1f} s")
        failed += ok is False
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
