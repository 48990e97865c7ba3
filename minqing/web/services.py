"""Writes of the web layer's own: lifting a sign-in lock (the 登录锁定 page).

The lockout rules themselves, and django-axes' handler that records and clears failures at
sign-in, are in minqing.web.lockout.
"""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.http import HttpRequest
from django.utils.translation import gettext as _

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.org.models import User
from minqing.web.lockout import failure_total


def account_unlock(*, actor: Any, username: str, request: HttpRequest | None = None) -> int:
    """Lift a sign-in lock now: clear the account's failures from every address. Audited
    against the staff user; returns how many failure records were cleared."""
    attempts = AccessAttempt.objects.filter(username=username)
    failures = failure_total(attempts)
    deleted, _rows = attempts.delete()
    user = User.objects.filter(username=username).first()
    record(
        action=Action.UPDATE,
        actor=actor,
        request=request,
        obj=user,
        object_type="" if user else "org.user",
        object_id="" if user else username[:64],
        changes={"failed_logins": [failures, 0]},
        note=_("解除登录锁定：清除 %(n)d 次失败登录记录") % {"n": failures},
    )
    return int(deleted)
