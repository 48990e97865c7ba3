"""View guards: signed in, and holding the capability the page needs."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.org.roles import Cap, has_cap

View = Callable[..., HttpResponse]


def requires(cap: Cap) -> Callable[[View], View]:
    """Signed-in users without `cap` get 404 (the page does not exist for them) and a log line."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_cap(request.user, cap):
                record(action=Action.DENIED, request=request, note=f"缺少权限 {cap}")
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
