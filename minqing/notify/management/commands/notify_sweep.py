"""`python -m minqing notify_sweep`: deliver every due outbox row now.

The safety net behind the after-commit task: picks up rows whose task was lost, rows due
for a retry, and rows left `sending` by a crashed worker. Safe to run at any time, and
concurrently with the worker (rows are claimed before they are sent)."""

from typing import Any

from django.core.management.base import BaseCommand

from minqing.notify.services import outbox_deliver


class Command(BaseCommand):
    help = "投递到期的待发消息 (deliver due outbox rows)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=100, help="rows per batch")

    def handle(self, *args: Any, limit: int = 100, **options: Any) -> None:
        total = {"sent": 0, "failed": 0, "dead": 0}
        # Batches until a batch comes back short, so a backlog drains in one run.
        while True:
            report = outbox_deliver(limit=limit)
            for key, value in report.as_dict().items():
                total[key] += value
            if sum(report.as_dict().values()) < limit:
                break
        self.stdout.write("sent={sent} failed={failed} dead={dead}".format(**total))
