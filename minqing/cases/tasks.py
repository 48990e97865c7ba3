"""Background jobs of the case loop, run by the task worker."""

from dataclasses import asdict

from django.tasks import task

from minqing.cases.deadline_scan import scan_deadlines


@task
def scan_deadlines_task() -> dict[str, int]:
    return asdict(scan_deadlines())
