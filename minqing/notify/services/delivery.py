"""Delivering outbox rows (`outbox_deliver`): claim, send, mark — each row is sent once.

Guarantees, and the one window where they weaken:

1. *Claim before send.* A short transaction moves due rows to `sending` with a fresh claim
   token (and attempts + 1). The UPDATE repeats the "is due" condition, so two workers
   racing for a row cannot both claim it on any database; on PostgreSQL `SKIP LOCKED`
   additionally lets them pick different rows instead of queueing on each other.
2. *Send outside the transaction* (SMS/e-mail): a slow gateway must not hold SQLite's write
   lock. Outcomes are written only while the claim token still matches.
3. *In-app is exactly-once*: creating the Notification and marking the row sent commit
   together, and the Notification is one-to-one with its row.
4. *At-least-once window*: if a worker dies after the gateway accepted a message but before
   "sent" is committed, the row stays `sending`; once its claim is older than
   MINQING_NOTIFY_CLAIM_TIMEOUT it is claimed again and the message may go out twice.
   That is the only way a row is sent twice; the retry counts as an attempt, so a message
   that crashes its worker every time still ends `dead`.
5. *Still allowed?* A staff row about an object is sent only if its user may still open the
   object (`access.may_open`): a retry hours later must not reach a user moved elsewhere
   meanwhile. Such a row ends `dead`, with the reason, and sends nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from minqing.notify import access
from minqing.notify.backends import backend_for
from minqing.notify.models import Outbox, Status

logger = logging.getLogger(__name__)

# Waits after the 1st, 2nd, … failed attempt; the last one repeats.
BACKOFF: tuple[dt.timedelta, ...] = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
    dt.timedelta(hours=12),
)


def backoff_after(attempts: int) -> dt.timedelta:
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    # Earliest time a row that just failed is due again (for a deferred retry task).
    next_retry_at: dt.datetime | None = None

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "failed": self.failed, "dead": self.dead}


def _due(now: dt.datetime) -> Q:
    stale = now - dt.timedelta(seconds=settings.MINQING_NOTIFY_CLAIM_TIMEOUT)
    return Q(status__in=[Status.PENDING, Status.FAILED], next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lt=stale
    )


def _claim(*, now: dt.datetime, limit: int, ids: Iterable[int] | None) -> list[Outbox]:
    token = uuid.uuid4().hex
    with transaction.atomic():
        candidates = Outbox.objects.filter(_due(now))
        if ids is not None:
            candidates = candidates.filter(pk__in=list(ids))
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        picked = list(
            candidates.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]
        )
        if not picked:
            return []
        Outbox.objects.filter(_due(now), pk__in=picked).update(
            status=Status.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
        )
    return list(
        Outbox.objects.filter(claim_token=token)
        .select_related("recipient_user__node")  # for the "still allowed?" check
        .order_by("next_attempt_at", "pk")
    )


def _mine(row: Outbox) -> QuerySet[Outbox]:
    return Outbox.objects.filter(pk=row.pk, status=Status.SENDING, claim_token=row.claim_token)


class _ClaimLost(Exception):
    pass


def _mark_sent(row: Outbox, now: dt.datetime) -> bool:
    return bool(_mine(row).update(status=Status.SENT, sent_at=now, last_error=""))


def _mark_failed(row: Outbox, error: BaseException, now: dt.datetime) -> str:
    dead = row.attempts >= settings.MINQING_NOTIFY_MAX_ATTEMPTS
    status = Status.DEAD if dead else Status.FAILED
    next_at = now if dead else now + backoff_after(row.attempts)
    message = f"{type(error).__name__}: {error}"[:2000]
    _mine(row).update(status=status, next_attempt_at=next_at, last_error=message)
    row.status, row.next_attempt_at = status, next_at
    logger.warning("outbox %s attempt %s failed: %s", row.pk, row.attempts, message)
    return status


WITHHELD = "withheld: the recipient may not open the related object"


def _withheld(row: Outbox) -> bool:
    if row.recipient_user is None or not row.related_type:
        return False  # a resident's address, or a message about no object
    return not access.may_open(row.recipient_user, row.related_type, row.related_id)


def _send_one(row: Outbox, now: dt.datetime) -> str:
    """Send one claimed row; returns the status it ended in."""
    if _withheld(row):
        _mine(row).update(status=Status.DEAD, last_error=WITHHELD)
        logger.info("outbox %s withheld: recipient may not open %s", row.pk, row.related_type)
        return Status.DEAD
    backend = backend_for(row.channel)
    try:
        if backend.transactional:
            with transaction.atomic():
                backend.send(row)
                if not _mark_sent(row, now):
                    raise _ClaimLost  # roll the in-app message back with the lost claim
        else:
            backend.send(row)
            if not _mark_sent(row, now):
                raise _ClaimLost
    except _ClaimLost:
        logger.warning("outbox %s: claim taken over by another worker", row.pk)
        return Status.SENDING
    except Exception as error:  # any backend failure is retried, never propagated
        return _mark_failed(row, error, now)
    return Status.SENT


def outbox_deliver(
    *, now: dt.datetime | None = None, limit: int = 100, ids: Iterable[int] | None = None
) -> DeliveryReport:
    """Send up to `limit` due rows (only those in `ids`, if given). Safe to run concurrently."""
    now = now or timezone.now()
    report = DeliveryReport()
    for row in _claim(now=now, limit=limit, ids=ids):
        status = _send_one(row, now)
        if status == Status.SENT:
            report.sent += 1
        elif status == Status.DEAD:
            report.dead += 1
        elif status == Status.FAILED:
            report.failed += 1
            if report.next_retry_at is None or row.next_attempt_at < report.next_retry_at:
                report.next_retry_at = row.next_attempt_at
    return report
