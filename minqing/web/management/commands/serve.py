"""`python -m minqing serve`: the web server, the task worker and the scheduler together.

Ctrl-C (or SIGTERM) stops both; if either dies, the other is stopped too, so the embedded
deployment never runs half-alive (a web server whose queued tasks nobody executes).
"""

import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动 Web 服务和任务处理进程 (web server + task worker)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args: Any, bind: str, workers: int, threads: int, **options: Any) -> None:
        python = sys.executable
        web = subprocess.Popen(
            [
                python, "-m", "gunicorn", "minqing.wsgi:application",
                "--config", "python:minqing.gunicorn_conf",
                "--bind", bind,
                "--workers", str(workers),
                "--threads", str(threads),
                "--access-logfile", "-",
                "--graceful-timeout", "10",
            ]
        )  # fmt: skip
        worker = subprocess.Popen([python, "-m", "minqing", "db_worker"])
        scheduler = subprocess.Popen([python, "-m", "minqing", "scheduler"])
        children = [web, worker, scheduler]
        self.stdout.write(self.style.SUCCESS(f"民情通已启动: http://{bind}/  (Ctrl-C 停止)"))

        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [
            c.args[2] for c in children if c.returncode not in (0, -15, None) and not stopping
        ]
        if failed:
            self.stderr.write(f"进程异常退出 (a process exited unexpectedly): {failed}")
            sys.exit(1)
        self.stdout.write("民情通已停止。")
