"""`make run`: the web server and a Celery worker (with beat) side by side, stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand

# The start of celery.platforms.ROOT_DISCOURAGED (a `-W` message filter matches from the start).
ROOT_WORKER_WARNING = "You're running the worker with superuser privileges"


class Command(BaseCommand):
    help = "启动门户网站（127.0.0.1:8000）并在旁边启动 Celery worker 与定时任务"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host: str, port: str, **options):
        python = sys.executable
        # A development container runs `make run` as root; Celery's warning against a root worker
        # is for production, whose workers run as the image's own user (Dockerfile: USER portal).
        worker_env = os.environ.copy()
        worker_env["PYTHONWARNINGS"] = ",".join(
            filter(None, [worker_env.get("PYTHONWARNINGS"), f"ignore:{ROOT_WORKER_WARNING}"])
        )
        worker = subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter
            [
                python,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--beat",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
            ],
            env=worker_env,
        )
        self.stdout.write(f"Celery worker 已启动（pid {worker.pid}）")
        self.stdout.write(f"门户网站：http://{host}:{port}/")
        try:
            subprocess.run(  # noqa: S603
                [python, "manage.py", "runserver", f"{host}:{port}", "--noreload"],
                check=False,
                env=os.environ.copy(),
            )
        except KeyboardInterrupt:
            pass
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
