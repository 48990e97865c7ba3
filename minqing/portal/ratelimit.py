"""Fixed-window request counters in the database, shared by every server process.

The database rather than a per-process cache: gunicorn runs several workers, and a limit
each worker counts on its own is several times the limit. One row per key and window.
Counting a request (a write) is `rate_count` in minqing.portal.services; this reads.
"""

from __future__ import annotations

import time

from django.http import HttpRequest

from minqing.lib.clientip import client_ip as lib_client_ip
from minqing.portal.models import RateCounter


def client_ip(request: HttpRequest) -> str:
    """The resident's address (see minqing.lib.clientip), "" when there is none."""
    return lib_client_ip(request) or ""


def peek(key: str, window_seconds: int, now: float | None = None) -> int:
    """The current window's total for `key`, without counting this call."""
    now = time.time() if now is None else now
    window = int(now // window_seconds * window_seconds)
    row = RateCounter.objects.filter(key=key[:120], window=window).first()
    return row.count if row else 0
