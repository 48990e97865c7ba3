"""Background jobs of the case loop, run by the task worker."""

from dataclasses import asdict

from django.tasks import task

from minqing.cases.services import deadlines_scan


@task
def scan_deadlines_task() -> dict[str, int]:
    return asdict(deadlines_scan())
