"""The one view guard: signed in, and allowed to open the page, or 404 and a log line."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.org.roles import Cap, has_cap

View = Callable[..., HttpResponse]
# A capability, or a test of the user for a rule that combines capabilities with something
# else (talk days are run by fieldwork roles with a territory, say).
Need = Cap | Callable[[Any], bool]


def _meets(user: Any, need: Need) -> bool:
    return has_cap(user, need) if isinstance(need, Cap) else need(user)


def requires(*needs: Need, label: str = "") -> Callable[[View], View]:
    """Signed-in users who meet none of `needs` get 404 (the page does not exist for them)
    and a DENIED line in the audit log; anonymous users go to the sign-in page.

    `requires(Cap.VIEW_CASES)`; `requires(Cap.FIELDWORK, Cap.REVIEW_FIELDWORK)` for pages
    either may open; `requires(can_run_talk, label="talk_run")` for a combined rule, the
    label naming it in the log (capabilities name themselves).
    """
    if not needs:
        raise TypeError("requires() needs at least one capability or test")
    names = label or "/".join(n if isinstance(n, Cap) else n.__name__ for n in needs)
    note = f"缺少权限 {names}"

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not any(_meets(request.user, need) for need in needs):
                record(action=Action.DENIED, request=request, note=note)
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
