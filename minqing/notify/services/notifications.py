"""Writes of the in-app inbox: marking messages read."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from minqing.notify.models import Notification
from minqing.notify.selectors import notifications_for
from minqing.org.models import User


def notification_mark_read(*, notification: Notification, now: dt.datetime | None = None) -> bool:
    """Mark one message read; False if it already was (the first read time is kept)."""
    now = now or timezone.now()
    updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=now
    )
    if updated:
        notification.read_at = now
    return bool(updated)


def notifications_mark_all_read(*, user: User, now: dt.datetime | None = None) -> int:
    """Mark the messages the inbox shows read; hidden ones (about objects the user may no
    longer open) are left alone and are not counted."""
    return (
        notifications_for(user).filter(read_at__isnull=True).update(read_at=now or timezone.now())
    )
