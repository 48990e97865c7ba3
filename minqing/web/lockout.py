"""Sign-in lockout on top of django-axes: two rules, both lifted by the cool-off.

- per account and address (AXES_FAILURE_LIMIT, from MINQING_LOGIN_FAILURE_LIMIT, default
  5): a typing cadre, or a guesser at one address;
- per account across all addresses (MINQING_ACCOUNT_FAILURE_LIMIT, default 10): a guesser
  who spreads attempts over many addresses (issue 12: 20 tries from 5 addresses went by).

Neither rule is permanent: an outsider can delay a cadre's sign-in by the cool-off, never
lock the account for good, and failures during a lock do not prolong it. The county
administrator lifts a lock earlier on the admin's 登录锁定 page (`account_unlock`, services).

axes compares one failure count with one limit, taking the largest count over its lockout
parameters, so two rules with different limits need the handler below.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from minqing.lib.clientip import client_ip as lib_client_ip

# The widest sign-in name there can be (User.username); longer ones name nobody, and
# axes' own column (varchar 255) must never see them.
USERNAME_MAX = 150

PER_ADDRESS = "address"
PER_ACCOUNT = "account"


def limits() -> dict[str, int]:
    return {
        PER_ADDRESS: settings.AXES_FAILURE_LIMIT,
        PER_ACCOUNT: settings.MINQING_ACCOUNT_FAILURE_LIMIT,
    }


def username_of(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the name tried, cut to what a user name can be.

    The admin's sign-in form does not enforce the length, and a 300-character name
    crashed the failure record on PostgreSQL (issue 12, 7a)."""
    if credentials:
        name = credentials.get("username")
    else:
        name = getattr(request, "POST", {}).get("username")
    return None if name is None else str(name)[:USERNAME_MAX]


def client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address the audit log and the portal's limits use, else
    every sign-in behind a proxy would share one address."""
    return lib_client_ip(request)


def _fresh_attempts(*, username: str | None, since: dt.datetime) -> QuerySet[AccessAttempt]:
    return AccessAttempt.objects.filter(username=username, attempt_time__gte=since)


def failure_total(attempts: QuerySet[AccessAttempt]) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def failure_counts(
    *, username: str | None, ip_address: str | None, since: dt.datetime
) -> dict[str, int]:
    """Failures inside the cool-off window, per rule."""
    attempts = _fresh_attempts(username=username, since=since)
    return {
        PER_ADDRESS: failure_total(attempts.filter(ip_address=ip_address)),
        PER_ACCOUNT: failure_total(attempts),
    }


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with the two rules above."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        counts = failure_counts(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
            since=get_cool_off_threshold(request),
        )
        # axes locks when this reaches AXES_FAILURE_LIMIT (the per-address limit). Reported
        # on that scale: the per-address limit minus the smaller distance of either rule
        # to its own limit, so it reaches the limit exactly when either rule does.
        own = limits()
        return own[PER_ADDRESS] - min(own[rule] - counts[rule] for rule in own)

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """On a successful sign-in clear this address's failures only: a guesser's
        failures from elsewhere keep counting towards the account limit."""
        username = get_client_username(request, credentials)
        deleted, _rows = AccessAttempt.objects.filter(
            username=username,
            ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        ).delete()
        return deleted


def _lifts_when_below(
    attempts: list[tuple[dt.datetime, int]], limit: int, cool_off: dt.timedelta
) -> dt.datetime | None:
    """When a rule stops holding: rows leave the window oldest first; the lock ends when
    the row that brought the newest ones up to the limit leaves."""
    total = 0
    for attempt_time, failures in sorted(attempts, reverse=True):
        total += failures
        if total >= limit:
            return attempt_time + cool_off
    return None


def lock_lifts_at(
    *, username: str | None, ip_address: str | None, now: dt.datetime | None = None
) -> tuple[list[str], dt.datetime | None]:
    """(the rules holding, when the last of them lifts by itself)."""
    cool_off = get_cool_off()
    now = now or timezone.now()
    rows = list(
        _fresh_attempts(username=username, since=now - cool_off).values_list(
            "ip_address", "attempt_time", "failures_since_start"
        )
    )
    per_rule = {
        PER_ADDRESS: [(at, n) for ip, at, n in rows if ip == ip_address],
        PER_ACCOUNT: [(at, n) for _ip, at, n in rows],
    }
    holding: list[str] = []
    ends: list[dt.datetime] = []
    for rule, limit in limits().items():
        end = _lifts_when_below(per_rule[rule], limit, cool_off)
        if end is not None:
            holding.append(rule)
            ends.append(end)
    return holding, max(ends, default=None)


@dataclass(frozen=True)
class AccountLock:
    """One account's failures inside the cool-off window, for the administrator's list."""

    username: str
    failures: int
    addresses: list[str]
    last_failure: dt.datetime
    locked_addresses: list[str]  # where the per-address rule holds
    across_addresses: bool  # the per-account rule holds: locked from everywhere
    lifts_at: dt.datetime | None

    @property
    def locked(self) -> bool:
        return self.across_addresses or bool(self.locked_addresses)


def account_locks(*, usernames: QuerySet[Any] | list[str]) -> list[AccountLock]:
    """Accounts among `usernames` with failures in the window, locked ones first."""
    cool_off = get_cool_off()
    rows = AccessAttempt.objects.filter(
        username__in=usernames, attempt_time__gte=timezone.now() - cool_off
    ).values_list("username", "ip_address", "attempt_time", "failures_since_start")
    by_user: dict[str, list[tuple[str, dt.datetime, int]]] = {}
    for username, ip, at, failures in rows:
        by_user.setdefault(username, []).append((ip, at, failures))
    own = limits()
    locks = []
    for username, attempts in by_user.items():
        addresses = sorted({ip for ip, _at, _n in attempts})
        ends: dict[str, dt.datetime | None] = {
            ip: _lifts_when_below(
                [(at, n) for a, at, n in attempts if a == ip], own[PER_ADDRESS], cool_off
            )
            for ip in addresses
        }
        account_end = _lifts_when_below(
            [(at, n) for _ip, at, n in attempts], own[PER_ACCOUNT], cool_off
        )
        all_ends = [end for end in [*ends.values(), account_end] if end is not None]
        locks.append(
            AccountLock(
                username=username,
                failures=sum(n for _ip, _at, n in attempts),
                addresses=addresses,
                last_failure=max(at for _ip, at, _n in attempts),
                locked_addresses=[ip for ip, end in ends.items() if end is not None],
                across_addresses=account_end is not None,
                lifts_at=max(all_ends, default=None),
            )
        )
    return sorted(locks, key=lambda lock: (not lock.locked, lock.username))


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the locked-out page says which rule, until when, and who can
    lift it sooner."""
    username = get_client_username(request, credentials)
    holding, lifts_at = lock_lifts_at(
        username=username, ip_address=getattr(request, "axes_ip_address", None)
    )
    left = (lifts_at - timezone.now()).total_seconds() if lifts_at else 0
    context = {
        "username": username or "",
        "across_addresses": PER_ACCOUNT in holding,
        "lifts_at": lifts_at,
        "minutes_left": max(1, math.ceil(left / 60)),
        "limits": limits(),
    }
    return render(
        request,
        "registration/locked_out.html",
        context,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
