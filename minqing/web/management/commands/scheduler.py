"""`python -m minqing scheduler`: enqueue periodic jobs for the task worker.

One scheduler per deployment (`serve` starts it next to the web server and the worker).
Every job it enqueues is idempotent, so a restart or a second scheduler at worst doubles
a tick, which changes nothing.
"""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "定时提交后台任务 (enqueue periodic jobs)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="enqueue every job once and exit")

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        jobs = [(import_string(path), seconds) for path, seconds in settings.MINQING_PERIODIC_JOBS]
        next_run = dict.fromkeys(range(len(jobs)), 0.0)
        while True:
            now = time.monotonic()
            for index, (job, seconds) in enumerate(jobs):
                if now >= next_run[index]:
                    job.enqueue()
                    next_run[index] = now + seconds
            if once:
                return
            time.sleep(5)
