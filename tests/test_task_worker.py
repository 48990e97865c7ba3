"""The task worker runs queued jobs: node statistics are recounted from the registry."""

import pytest
from django.core.management import call_command

from minqing.households.models import Household
from minqing.org.models import Node
from minqing.org.tasks import refresh_node_statistics


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def test_queued_statistics_job_runs_in_the_db_worker(transactional_db, county, db_tasks):
    # transactional_db: the worker commits and closes connections like the real process.
    result = refresh_node_statistics.enqueue(root_code=county.county.code)
    county.t1.refresh_from_db()
    assert county.t1.household_count == 0  # nothing happens until the worker runs

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == 10  # the county, 2 townships, 3 villages and 4 groups
    county.t1.refresh_from_db()
    county.county.refresh_from_db()
    assert (county.t1.household_count, county.t1.population) == (3, 3)
    assert county.county.household_count == 4
    assert Node.objects.get(code=county.gx.code).household_count == 0  # other county untouched


def test_statistics_follow_the_registry_when_a_household_leaves(county):
    from minqing.org import services

    services.node_statistics_refresh(actor=None, root=county.county)
    Household.objects.filter(pk=county.households["H1b"].pk).delete()
    changed = services.node_statistics_refresh(actor=None, root=county.county)
    assert changed == 4  # g1b, v1, t1, county
    county.v1.refresh_from_db()
    assert county.v1.household_count == 1


@pytest.mark.django_db
def test_database_statistics_job_runs():
    from django.db import connection

    from minqing.web.tasks import optimize_database

    result = optimize_database.call()
    if connection.vendor != "sqlite":
        assert result == "skipped"
        return
    assert result in {"analyze", "optimize"}
    assert optimize_database.call() == "optimize"  # statistics exist after the first run
