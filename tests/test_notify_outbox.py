"""The outbox: messages commit with the change that causes them, queue once per event, are
sent once, and are retried with backoff until they go dead."""

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from minqing.notify.models import Channel, Notification, Outbox, Status
from minqing.notify.services import (
    TransactionRequired,
    delivery,
    outbox_deliver,
    outbox_queue,
    outbox_queue_staff,
    outbox_retry,
)
from minqing.notify.services.delivery import BACKOFF

PHONE = "13800001111"


class Boom(Exception):
    pass


class BrokenGateway:
    transactional = False

    def __init__(self) -> None:
        self.calls = 0

    def send(self, row: Outbox) -> None:
        self.calls += 1
        raise ConnectionError("gateway timeout")


@pytest.fixture
def sms_log(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.MINQING_SMS_BACKEND = "minqing.notify.backends.FileSMSBackend"
    return tmp_path / "outbox" / "sms.log"


def sms(key: str = "case:X1:received", **extra: object) -> Outbox | None:
    return outbox_queue(
        channel=Channel.SMS, dedupe_key=key, subject="", body="您反映的问题已登记。",
        address=PHONE, **extra,
    )  # fmt: skip


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_outbox_row_rolls_back_with_the_callers_transaction(
    db, sms_log, django_capture_on_commit_callbacks
):
    def register_then_fail() -> None:
        with transaction.atomic():
            assert sms() is not None
            raise Boom  # e.g. the case's own write failed after the message was queued

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom):
        register_then_fail()
    assert Outbox.objects.count() == 0
    assert callbacks == []
    assert lines(sms_log) == []


def test_notify_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(TransactionRequired):
        sms()
    assert Outbox.objects.count() == 0


def test_the_same_event_queues_once_and_the_caller_carries_on(
    db, sms_log, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            first = sms()
            assert sms() is None  # a retried request, a doubled scheduler tick
            assert sms("case:X1:other") is not None  # the savepoint left the caller usable
    assert first is not None
    assert Outbox.objects.count() == 2
    assert len(callbacks) == 2
    assert [line["dedupe_key"] for line in lines(sms_log)] == ["case:X1:received", "case:X1:other"]


def test_committed_message_is_written_to_the_sms_file_once(
    db, sms_log, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        row = sms(related=("cases.case", "X1"))
    row.refresh_from_db()
    assert (row.status, row.attempts, row.related_type, row.related_id) == (
        Status.SENT, 1, "cases.case", "X1",
    )  # fmt: skip
    assert row.sent_at is not None
    later = row.sent_at + dt.timedelta(days=1)
    assert outbox_deliver().sent == 0
    assert outbox_deliver(now=later).sent == 0
    (line,) = lines(sms_log)
    assert (line["to"], line["body"], line["id"]) == (PHONE, "您反映的问题已登记。", row.pk)


def test_delivery_run_twice_without_the_task_sends_once(db, sms_log):
    with transaction.atomic():
        sms()  # no on-commit callbacks run: as if the queued task were lost
    assert outbox_deliver().as_dict() == {"sent": 1, "failed": 0, "dead": 0}
    assert outbox_deliver().as_dict() == {"sent": 0, "failed": 0, "dead": 0}
    assert len(lines(sms_log)) == 1


def test_a_row_claimed_by_another_worker_is_not_sent_again(db, sms_log):
    with transaction.atomic():
        row = sms()
    now = row.next_attempt_at
    (claimed,) = delivery._claim(now=now, limit=10, ids=None)  # another worker, mid-send
    assert outbox_deliver(now=now).sent == 0
    # …until its claim is old enough to mean that worker died: the documented
    # at-least-once window. The re-claim counts as an attempt.
    assert outbox_deliver(now=now + dt.timedelta(minutes=11)).sent == 1
    # The first worker finishing late cannot overwrite the newer claim's outcome.
    assert delivery._mark_sent(claimed, now) is False
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)


def test_failing_backend_backs_off_then_goes_dead_then_retry_now_sends(
    db, sms_log, settings, monkeypatch
):
    settings.MINQING_NOTIFY_MAX_ATTEMPTS = 6
    gateway = BrokenGateway()
    monkeypatch.setattr(delivery, "backend_for", lambda channel: gateway)
    with transaction.atomic():
        row = sms()
    now = row.next_attempt_at
    waits = []
    for attempt in range(1, 6):
        assert outbox_deliver(now=now).failed == 1
        row.refresh_from_db()
        assert (row.status, row.attempts) == (Status.FAILED, attempt)
        assert row.last_error == "ConnectionError: gateway timeout"
        waits.append(row.next_attempt_at - now)
        assert outbox_deliver(now=row.next_attempt_at - dt.timedelta(seconds=1)).failed == 0
        now = row.next_attempt_at
    assert waits == list(BACKOFF[:5])  # 1 min, 5 min, 30 min, 2 h, 6 h
    assert outbox_deliver(now=now).dead == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.DEAD, 6)
    assert outbox_deliver(now=now + dt.timedelta(days=30)).as_dict() == {
        "sent": 0, "failed": 0, "dead": 0,
    }  # fmt: skip
    assert gateway.calls == 6

    monkeypatch.undo()  # the gateway is back
    assert outbox_retry(actor=None, rows=[row]) == 1
    assert outbox_deliver().sent == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 1)
    assert len(lines(sms_log)) == 1


def test_in_app_message_to_staff_creates_one_notification_each(
    county, django_capture_on_commit_callbacks
):
    cadre, colleague = county.users["cadre"], county.users["colleague"]
    colleague.is_active = False
    colleague.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        rows = outbox_queue_staff(
            users=[cadre, colleague, county.users["sibling"]], dedupe_key="case:X1:assigned",
            subject="新交办事项", body="东风村路灯不亮", url="/cases/X1/",
        )  # fmt: skip
    assert len(callbacks) == 1  # one task for the whole event
    assert [r.dedupe_key for r in rows] == [
        f"case:X1:assigned:in_app:u{cadre.pk}",
        f"case:X1:assigned:in_app:u{county.users['sibling'].pk}",
    ]
    outbox_deliver()
    assert Notification.objects.filter(user=cadre).count() == 1
    assert not Notification.objects.filter(user=colleague).exists()
    note = Notification.objects.get(user=cadre)
    assert (note.title, note.url, note.read_at) == ("新交办事项", "/cases/X1/", None)


def test_email_goes_through_djangos_mail_framework(
    county, mailoutbox, django_capture_on_commit_callbacks
):
    cadre = county.users["cadre"]
    cadre.email = "cadre@example.org"
    cadre.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox_queue(
            channel=Channel.EMAIL,
            dedupe_key="e1",
            subject="督办提醒",
            body="请尽快办理",
            user=cadre,
        )
    (message,) = mailoutbox
    assert (message.subject, message.to) == ("督办提醒", ["cadre@example.org"])
    assert Outbox.objects.get().status == Status.SENT


def test_console_sms_backend_is_chosen_by_setting(db, settings, capsys):
    settings.MINQING_SMS_BACKEND = "minqing.notify.backends.ConsoleSMSBackend"
    with transaction.atomic():
        sms()
    assert outbox_deliver().sent == 1
    assert PHONE in capsys.readouterr().out


def test_sms_to_staff_without_a_phone_is_kept_dead_and_the_change_commits(county):
    with transaction.atomic():
        row = outbox_queue(
            channel=Channel.SMS, dedupe_key="s1", subject="", body="x", user=county.users["cadre"]
        )
    assert (row.status, row.last_error) == (Status.DEAD, "no recipient address")
    assert outbox_deliver().as_dict() == {"sent": 0, "failed": 0, "dead": 0}


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_links_must_stay_on_this_site(county, url):
    with pytest.raises(ValueError, match="url"), transaction.atomic():
        outbox_queue(
            channel=Channel.IN_APP, dedupe_key="u1", subject="t", body="b",
            user=county.users["cadre"], url=url,
        )  # fmt: skip


def test_sweep_command_delivers_rows_whose_task_was_lost(db, sms_log, capsys):
    with transaction.atomic():
        sms()
    call_command("notify_sweep")
    assert "sent=1" in capsys.readouterr().out
    assert len(lines(sms_log)) == 1


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def test_after_commit_task_is_run_by_the_db_worker(transactional_db, county, sms_log, db_tasks):
    with transaction.atomic():
        row = sms()
    row.refresh_from_db()
    assert row.status == Status.PENDING  # queued, not sent, until the worker runs
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert len(lines(sms_log)) == 1


ROOT = Path(__file__).resolve().parents[1]
QUEUE_ROWS = """
from django.db import transaction
from minqing.notify.services import outbox_queue
with transaction.atomic():
    for i in range({n}):
        outbox_queue(
            channel="sms", dedupe_key=f"k{{i}}", subject="", body="b", address="13800001111"
        )
"""


def _scratch_env(tmp_path: Path) -> tuple[dict[str, str], Callable[[], object]]:
    """A real file- or server-backed database that several processes share."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_ALLOW_ASYNC")}
    env |= {"MINQING_VAR_DIR": str(tmp_path), "MINQING_SMS_BACKEND": ""}
    if connection.vendor != "postgresql":
        env.pop("DATABASE_URL", None)
        return env, lambda: None
    url = urlparse(os.environ["DATABASE_URL"])
    name = f"minqing_notify_{uuid.uuid4().hex[:8]}"
    admin = ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432)]
    admin += ["-U", url.username or "postgres"]
    subprocess.run(["createdb", *admin, "-E", "UTF8", "-T", "template0", name], check=True)
    env["DATABASE_URL"] = url._replace(path=f"/{name}").geturl()
    return env, lambda: subprocess.run(["dropdb", *admin, "--force", name], check=True)


@pytest.mark.slow
def test_concurrent_sweeps_send_every_row_exactly_once(tmp_path):
    env, drop = _scratch_env(tmp_path)
    python = [sys.executable, "-m", "minqing"]
    try:
        subprocess.run([*python, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        queue = QUEUE_ROWS.format(n=120)
        subprocess.run([*python, "shell", "-c", queue], cwd=ROOT, env=env, check=True)
        sweep = [*python, "notify_sweep", "--limit", "3"]
        pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
        sweeps = [subprocess.Popen(sweep, cwd=ROOT, env=env, **pipes) for _ in range(5)]
        outputs = [proc.communicate(timeout=300) for proc in sweeps]
        assert all(proc.returncode == 0 for proc in sweeps), outputs
    finally:
        drop()
    keys = [line["dedupe_key"] for line in lines(tmp_path / "outbox" / "sms.log")]
    assert sorted(keys) == sorted(f"k{i}" for i in range(120)), "a row was sent twice or not"
    assert sum(int(out.split("sent=")[1].split()[0]) for out, _ in outputs) == 120
