"""Channel backends. Each has `send(row) -> None` and raises on failure; delivery retries.

SMS and e-mail backends are named by dotted path in settings (MINQING_SMS_BACKEND,
MINQING_EMAIL_BACKEND) so a deployment plugs in its SMS gateway without code changes here.
The in-app channel is always the database.
"""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from pathlib import Path
from typing import ClassVar, Protocol

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.utils import timezone
from django.utils.module_loading import import_string

from minqing.notify.models import Channel, Notification, Outbox


class Backend(Protocol):
    # True when `send` only writes to the database: delivery then runs send and "mark sent"
    # in one transaction, which makes that channel exactly-once.
    transactional: ClassVar[bool]

    def send(self, row: Outbox) -> None: ...


class InAppBackend:
    transactional = True

    def send(self, row: Outbox) -> None:
        if row.recipient_user_id is None:
            raise ValueError("in-app message without a recipient user")
        Notification.objects.get_or_create(
            source=row,
            defaults={
                "user_id": row.recipient_user_id,
                "title": row.subject or row.body[:60],
                "body": row.body,
                "url": row.url,
            },
        )


def _sms_record(row: Outbox) -> dict[str, object]:
    return {
        "at": timezone.now().isoformat(),
        "id": row.pk,
        "to": row.recipient_address,
        "body": row.body,
        "dedupe_key": row.dedupe_key,
    }


class ConsoleSMSBackend:
    """Development: print the message. Never for production (phones end up in logs)."""

    transactional = False

    def send(self, row: Outbox) -> None:
        sys.stdout.write(json.dumps(_sms_record(row), ensure_ascii=False) + "\n")
        sys.stdout.flush()


class FileSMSBackend:
    """Embedded/demo profile: append one JSON line per message to var/outbox/sms.log."""

    transactional = False

    @staticmethod
    def path() -> Path:
        return Path(settings.VAR_DIR) / "outbox" / "sms.log"

    def send(self, row: Outbox) -> None:
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        line = (json.dumps(_sms_record(row), ensure_ascii=False) + "\n").encode()
        # One write() on an O_APPEND descriptor: lines from concurrent workers never
        # interleave, and fsync makes "sent" mean "on disk" like the database does.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)


class DjangoEmailBackend:
    """E-mail through Django's mail framework: settings.MAILERS picks SMTP, file or console."""

    transactional = False

    def send(self, row: Outbox) -> None:
        message = EmailMessage(subject=row.subject, body=row.body, to=[row.recipient_address])
        # The configured MAILERS["default"]; its errors propagate, so delivery retries.
        if mailers.default.send_messages([message]) != 1:
            raise RuntimeError("e-mail backend accepted no message")


@cache
def _load(path: str) -> Backend:
    return import_string(path)()  # type: ignore[no-any-return]


def backend_for(channel: str) -> Backend:
    if channel == Channel.IN_APP:
        return _load("minqing.notify.backends.InAppBackend")
    if channel == Channel.SMS:
        return _load(settings.MINQING_SMS_BACKEND)
    if channel == Channel.EMAIL:
        return _load(settings.MINQING_EMAIL_BACKEND)
    raise ValueError(f"unknown channel {channel!r}")
