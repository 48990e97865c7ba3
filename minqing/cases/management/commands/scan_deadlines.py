from typing import Any

from django.core.management.base import BaseCommand

from minqing.cases.services import deadlines_scan


class Command(BaseCommand):
    help = "扫描解决期限：到期提醒、标记逾期、逾期自动督办 (idempotent deadline scan)"

    def handle(self, *args: Any, **options: Any) -> None:
        report = deadlines_scan()
        self.stdout.write(
            f"提醒 {report.reminded} 件，逾期 {report.overdue} 件，"
            f"自动督办 {report.supervised} 件。"
        )
