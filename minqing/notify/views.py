"""The staff inbox. Every lookup goes through `notifications_for(request.user)`, so another
user's message id, or a message about an object the user may no longer open, is simply not
found (404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.notify import services
from minqing.notify.selectors import notifications_for


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_for(request.user), 30).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    return render(request, "notify/list.html", {"page": page})


@require_POST
@login_required
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(notifications_for(request.user), pk=pk)  # type: ignore[arg-type]
    services.notification_mark_read(notification=notification)
    # "Open" marks read and follows the link; the link was checked to be a local path when
    # queued, and is checked again here in case a row was edited by hand.
    target = notification.url
    if request.POST.get("open") and target and url_has_allowed_host_and_scheme(target, None):
        return redirect(target)
    return redirect("notify:list")


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)  # type: ignore[arg-type]
    if count:
        messages.success(request, _("已将 %(n)s 条消息标为已读。") % {"n": count})
    return redirect("notify:list")
