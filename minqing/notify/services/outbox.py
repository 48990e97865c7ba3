"""Queueing messages in the outbox, and queueing failed ones again.

`outbox_queue` is called by other services *inside* their transaction: the outbox row commits or
rolls back with the change that caused it, and delivery is queued only after the commit.

A message to a staff user about an object (`related`) is queued only if the user may open
that object (`minqing.notify.access`): a unit's member outside the matter's place hears
nothing of it. Messages to residents' addresses are not staff messages and are not checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from minqing.audit.models import Action as AuditAction
from minqing.audit.services import record
from minqing.notify import access
from minqing.notify.models import Channel, Outbox, Status
from minqing.org.models import User

# What a message is about: a model instance, or an explicit ("cases.case", number) pair
# when the readable key is not the primary key.
Related = models.Model | tuple[str, str]


class TransactionRequired(RuntimeError):
    """outbox_queue() outside a transaction could announce a change that then fails to commit."""


def _related(related: Related | None) -> tuple[str, str]:
    if related is None:
        return "", ""
    if isinstance(related, models.Model):
        return access.related_key(related)
    kind, ident = related
    return kind, str(ident)


def _may_receive(users: list[User], related: tuple[str, str]) -> list[User]:
    """The staff users who may open the message's object (all of them if it names none)."""
    related_type, related_id = related
    if not related_type:
        return users
    return access.who_may_open(users, related_type, related_id)


def _check(*, channel: str, dedupe_key: str, user: User | None, url: str) -> None:
    """Programming errors, raised so the caller's transaction fails loudly in tests."""
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if not dedupe_key or len(dedupe_key) > Outbox._meta.get_field("dedupe_key").max_length:
        raise ValueError("dedupe_key must be 1–200 characters")
    if channel == Channel.IN_APP and user is None:
        raise ValueError("in-app messages need a recipient user")
    # Links are rendered as href and followed after "mark read": only paths on this site.
    if url and not (url.startswith("/") and url_has_allowed_host_and_scheme(url, None)):
        raise ValueError("url must be a path on this site")


def _address(channel: str, user: User | None, address: str) -> str:
    if address or user is None or channel == Channel.IN_APP:
        return address
    return user.phone if channel == Channel.SMS else user.email


def _insert(
    *,
    channel: str,
    dedupe_key: str,
    subject: str,
    body: str,
    user: User | None,
    address: str,
    url: str,
    related: tuple[str, str],
) -> Outbox | None:
    _check(channel=channel, dedupe_key=dedupe_key, user=user, url=url)
    address = _address(channel, user, address)
    related_type, related_id = related
    row = Outbox(
        channel=channel,
        dedupe_key=dedupe_key,
        subject=subject[:200],
        body=body,
        recipient_user=user,
        recipient_address=address,
        url=url,
        related_type=related_type,
        related_id=related_id,
    )
    if channel != Channel.IN_APP and not address:
        # A cadre without a phone number is a data gap, not a reason to refuse the change
        # that caused the message: keep the row, dead, where the administrator sees it.
        row.status, row.last_error = Status.DEAD, "no recipient address"
    try:
        with transaction.atomic():  # savepoint: a duplicate must not poison the caller
            row.save()
    except IntegrityError:
        if Outbox.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    return row


def _deliver_after_commit(ids: list[int]) -> None:
    # Imported here: the task module imports the delivery service, which is in this package.
    from minqing.notify.tasks import deliver_outbox

    if ids:
        # robust: the caller's change has committed; a failed enqueue must not turn its
        # response into an error. The row waits for the periodic sweep instead.
        transaction.on_commit(partial(deliver_outbox.enqueue, outbox_ids=ids), robust=True)


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise TransactionRequired("call outbox_queue() inside the transaction of the change")


def outbox_queue(
    *,
    channel: str,
    dedupe_key: str,
    subject: str,
    body: str,
    user: User | None = None,
    address: str = "",
    url: str = "",
    related: Related | None = None,
) -> Outbox | None:
    """Queue one message. Returns the outbox row, or None if `dedupe_key` was queued before
    or the staff `user` may not open `related` (then nothing is queued, on any channel).

    SMS/e-mail to a staff user default to the user's phone/e-mail; residents are reached
    by `address` alone."""
    _require_transaction()
    about = _related(related)
    if user is not None and not _may_receive([user], about):
        return None
    row = _insert(
        channel=channel, dedupe_key=dedupe_key, subject=subject, body=body, user=user,
        address=address, url=url, related=about,
    )  # fmt: skip
    if row is not None and row.status == Status.PENDING:
        _deliver_after_commit([row.pk])
    return row


def outbox_queue_staff(
    *,
    users: Iterable[User],
    dedupe_key: str,
    subject: str,
    body: str,
    url: str = "",
    related: Related | None = None,
    channels: Iterable[str] = (Channel.IN_APP,),
) -> list[Outbox]:
    """Queue one event to several staff users on each channel (inactive users, and users
    who may not open `related`, skipped).

    Each row's key is `{dedupe_key}:{channel}:u{user id}`; returns the rows newly queued."""
    _require_transaction()
    about = _related(related)
    rows: list[Outbox] = []
    for user in _may_receive([user for user in users if user.is_active], about):
        for channel in channels:
            row = _insert(
                channel=channel, dedupe_key=f"{dedupe_key}:{channel}:u{user.pk}",
                subject=subject, body=body, user=user, address="", url=url, related=about,
            )  # fmt: skip
            if row is not None:
                rows.append(row)
    _deliver_after_commit([row.pk for row in rows if row.status == Status.PENDING])
    return rows


def outbox_retry(
    *, actor: User | None, rows: Iterable[Outbox], now: dt.datetime | None = None
) -> int:
    """Give failed or dead rows a fresh set of attempts, due now; returns how many."""
    ids = [row.pk for row in rows if row.status in (Status.FAILED, Status.DEAD)]
    if not ids:
        return 0
    with transaction.atomic():
        count = Outbox.objects.filter(pk__in=ids, status__in=[Status.FAILED, Status.DEAD]).update(
            status=Status.PENDING, attempts=0, next_attempt_at=now or timezone.now()
        )
        record(
            action=AuditAction.UPDATE, actor=actor, object_type="notify.outbox",
            object_id=",".join(map(str, ids))[:64], note=f"重试 {count} 条待发消息",
        )  # fmt: skip
        _deliver_after_commit(ids)
    return count
