"""Idle sign-out without a database write on every request.

SESSION_SAVE_EVERY_REQUEST would renew the cookie on each hit, but it also rewrites the
session row each time — on SQLite a second write transaction per request. Touching the
session at most once a minute keeps the idle timeout (to within a minute) at a fraction
of the writes.
"""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

TOUCH_EVERY_SECONDS = 60


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated:
            now = int(time.time())
            if now - int(session.get("_touched", 0)) >= TOUCH_EVERY_SECONDS:
                session["_touched"] = now  # modified → saved, cookie expiry renewed
        return self.get_response(request)
