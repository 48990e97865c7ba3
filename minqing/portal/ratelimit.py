"""Fixed-window request counters in the database, shared by every server process.

The database rather than a per-process cache: gunicorn runs several workers, and a limit
each worker counts on its own is several times the limit. One row per key and window.
"""

from __future__ import annotations

import random
import time

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest

from minqing.lib.clientip import client_ip as lib_client_ip
from minqing.portal.models import RateCounter


def client_ip(request: HttpRequest) -> str:
    """The resident's address (see minqing.lib.clientip), "" when there is none."""
    return lib_client_ip(request) or ""


def count(key: str, window_seconds: int, now: float | None = None) -> int:
    """Add one request for `key` in the current window and return the window's total."""
    now = time.time() if now is None else now
    window = int(now // window_seconds * window_seconds)
    key = key[:120]
    for _attempt in range(3):
        with transaction.atomic():
            updated = RateCounter.objects.filter(key=key, window=window).update(
                count=F("count") + 1
            )
            if not updated:
                try:
                    with transaction.atomic():
                        RateCounter.objects.create(key=key, window=window, count=1)
                except IntegrityError:
                    continue  # another process created it first: count again
            total = RateCounter.objects.get(key=key, window=window).count
        if random.random() < 0.01:
            RateCounter.objects.filter(window__lt=now - 86400).delete()
        return total
    return RateCounter.objects.get(key=key, window=window).count


def peek(key: str, window_seconds: int, now: float | None = None) -> int:
    """The current window's total for `key`, without counting this call."""
    now = time.time() if now is None else now
    window = int(now // window_seconds * window_seconds)
    row = RateCounter.objects.filter(key=key[:120], window=window).first()
    return row.count if row else 0
