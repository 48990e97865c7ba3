"""Background delivery, run by the task worker (`db_worker`)."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from minqing.notify.services.delivery import outbox_deliver


@task
def deliver_outbox(*, outbox_ids: list[int] | None = None) -> dict[str, int]:
    """Deliver the given rows (queued after their transaction committed), or, without ids,
    every due row (the periodic sweep)."""
    report = outbox_deliver(ids=outbox_ids)
    schedule_retry(report.next_retry_at)
    return report.as_dict()


def schedule_retry(at: dt.datetime | None) -> None:
    """Queue a sweep for when the earliest failed row is due again, if the task backend can
    defer; otherwise the periodic `notify_sweep` picks the row up."""
    if at is None or not deliver_outbox.get_backend().supports_defer:
        return
    deliver_outbox.using(run_after=at).enqueue()
