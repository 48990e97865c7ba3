"""Registration numbers: YYYYMM + a per-month sequence, as on the paper register.

`200801001` is 2008, January, number 1. The sequence is zero-padded to three digits and
simply grows wider after 999 (`2026111000`). A deployment serving several counties may
put the county's 6-digit code in front.

Gap-free and unique under concurrency: the counter row is locked (SELECT … FOR UPDATE on
PostgreSQL; SQLite's IMMEDIATE transactions serialise writers) and incremented in the
same transaction that inserts the case, so a rolled-back registration gives its number
back instead of leaving a hole.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from minqing.cases.models import NumberCounter


def format_number(prefix: str, period: str, sequence: int) -> str:
    return f"{prefix}{period}{sequence:03d}"


def number_allocate(*, prefix: str, at: dt.datetime) -> str:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_allocate must run inside the registering transaction")
    period = timezone.localtime(at).strftime("%Y%m")
    counter, _ = NumberCounter.objects.select_for_update().get_or_create(
        prefix=prefix, period=period
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return format_number(prefix, period, counter.last)
