"""The daily hot-spot job, run by the task worker (scheduled in MINQING_PERIODIC_JOBS).

Idempotent per day: the scheduler runs it at start-up and then every
MINQING_HOTSPOT_SECONDS; a second run on the same day over the same matters changes
nothing and alerts no one twice (see `hotspots_refresh`)."""

from django.tasks import task

from minqing.textanalysis.services import hotspots_refresh_all


@task
def refresh_hotspots_task() -> dict[str, int]:
    return hotspots_refresh_all()
