"""Registration numbers: YYYYMM + sequence, widening past 999, unique and gap-free even
when many processes register at once, on SQLite and on PostgreSQL."""

import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.db import connection, transaction
from django.utils import timezone

from minqing.cases.models import NumberCounter
from minqing.cases.services.numbering import format_number, number_allocate

ROOT = Path(__file__).resolve().parents[1]


def test_format_follows_the_paper_register():
    assert format_number("", "200801", 1) == "200801001"
    assert format_number("", "202611", 999) == "202611999"
    assert format_number("", "202611", 1000) == "2026111000"
    assert format_number("522740", "202611", 7) == "522740202611007"


@pytest.mark.django_db
def test_sequence_restarts_each_month_and_per_prefix():
    tz = timezone.get_current_timezone()
    with transaction.atomic():
        a = number_allocate(prefix="", at=dt.datetime(2026, 11, 30, 23, 0, tzinfo=tz))
        b = number_allocate(prefix="", at=dt.datetime(2026, 11, 30, 23, 30, tzinfo=tz))
        c = number_allocate(prefix="", at=dt.datetime(2026, 12, 1, 0, 1, tzinfo=tz))
        d = number_allocate(prefix="522740", at=dt.datetime(2026, 12, 1, 0, 1, tzinfo=tz))
    assert [a, b, c, d] == ["202611001", "202611002", "202612001", "522740202612001"]


@pytest.mark.django_db
def test_month_is_taken_in_local_time():
    # 2026-11-30 17:00 UTC is already 1 December in Asia/Shanghai.
    with transaction.atomic():
        number = number_allocate(prefix="", at=dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC))
    assert number.startswith("202612")


@pytest.mark.django_db
def test_rolled_back_registration_gives_its_number_back():
    at = timezone.now()

    def failing_registration() -> None:
        with transaction.atomic():
            number_allocate(prefix="", at=at)
            raise RuntimeError("registration failed after numbering")

    with pytest.raises(RuntimeError):
        failing_registration()
    with transaction.atomic():
        number = number_allocate(prefix="", at=at)
    assert number.endswith("001")
    assert NumberCounter.objects.get().last == 1


@pytest.mark.django_db(transaction=True)
def test_allocation_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        number_allocate(prefix="", at=timezone.now())


def _scratch_database(tmp_path: Path) -> tuple[dict[str, str], object]:
    """A real, file- or server-backed database the worker processes can share."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_ALLOW_ASYNC")}
    env["MINQING_VAR_DIR"] = str(tmp_path)
    if connection.vendor != "postgresql":
        env.pop("DATABASE_URL", None)
        return env, lambda: None
    url = urlparse(os.environ["DATABASE_URL"])
    name = f"minqing_numbering_{uuid.uuid4().hex[:8]}"
    admin = ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432)]
    admin += ["-U", url.username or "postgres"]
    subprocess.run(
        ["createdb", *admin, "-E", "UTF8", "-T", "template0", "--lc-ctype=C.UTF-8",
         "--lc-collate=C.UTF-8", name],
        check=True,
    )  # fmt: skip
    env["DATABASE_URL"] = url._replace(path=f"/{name}").geturl()
    return env, lambda: subprocess.run(["dropdb", *admin, "--force", name], check=True)


@pytest.mark.slow
def test_concurrent_processes_get_unique_gap_free_numbers(tmp_path):
    env, drop = _scratch_database(tmp_path)
    try:
        python = [sys.executable, "-m", "minqing"]
        subprocess.run([*python, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [*python, "demo", "--scale", "small", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        workers, per_worker = 6, 40
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.support.register_many", str(per_worker), f"w{i}"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for i in range(workers)
        ]
        numbers: list[str] = []
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            numbers += out.split()
    finally:
        drop()
    total = workers * per_worker
    assert len(numbers) == total
    assert len(set(numbers)) == total, "duplicate registration numbers"
    period = numbers[0][:6]
    assert all(n[:6] == period for n in numbers)
    assert sorted(int(n[6:]) for n in numbers) == list(range(1, total + 1)), "gap in numbers"
