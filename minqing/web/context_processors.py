from typing import Any

from django.http import HttpRequest

from minqing.org.roles import Cap, has_cap
from minqing.web.nav import nav_entries, nav_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = nav_for(user)
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    active = next((item.key for item in items if item.is_active(view_name)), "")
    return {
        "nav_items": items,
        "nav_entries": nav_entries(items),
        "active_nav": active,
        "can_supervise": has_cap(user, Cap.SUPERVISE),
    }
