"""`{% unread_notification_count as n %}` for the top-bar bell: one COUNT per request."""

from typing import Any

from django import template

from minqing.notify.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context: dict[str, Any]) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return 0
    # Cached on the request: the bell and the inbox page may both ask.
    if not hasattr(request, "_mq_unread_count"):
        request._mq_unread_count = unread_count(user)
    return int(request._mq_unread_count)
