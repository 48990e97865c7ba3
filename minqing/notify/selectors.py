"""Reads of a staff user's own in-app notifications (never anyone else's)."""

from __future__ import annotations

from django.db.models import QuerySet

from minqing.notify.models import Notification
from minqing.org.models import User


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
