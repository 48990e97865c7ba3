"""Reads of a staff user's own in-app notifications (never anyone else's).

Only messages about an object the user may open *now* are listed, counted or opened: a
message queued while a matter lay in the user's area disappears once the matter is placed
elsewhere or the user moves, and comes back if either moves back. It is hidden rather than
shown as a stub, since even a stub would tell its time and kind, and a count the user
cannot clear would keep the bell lit for nothing.
"""

from __future__ import annotations

from django.db.models import QuerySet

from minqing.notify.access import openable
from minqing.notify.models import Notification
from minqing.org.models import User


def notifications_for(user: User) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(user=user).filter(openable(user)).order_by("-created_at", "-id")
    )


def unread_count(user: User) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()
