"""The county administrator's 登录锁定 page in the admin: who is locked out of signing in,
from where, until when, and a button to lift the lock now (audited)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from minqing.org.models import User
from minqing.web.lockout import account_locks, limits
from minqing.web.services import account_unlock


def lockouts(request: HttpRequest, site: admin.AdminSite) -> HttpResponse:
    """Reached through `site.admin_view`, which already requires Cap.USE_ADMIN."""
    # Only the administrator's own staff: a neighbouring county's accounts stay theirs.
    in_scope = User.objects.for_user(request.user)
    if request.method == "POST":
        username = request.POST.get("username", "")[:150]
        user = in_scope.filter(username=username).first()
        if user is None:
            messages.error(request, _("没有找到这个账号，或它不在您的管辖范围内。"))
        else:
            account_unlock(actor=request.user, username=user.username, request=request)
            messages.success(
                request, _("已解除 %(name)s 的登录锁定，现在可以重新登录。") % {"name": user}
            )
        return HttpResponseRedirect(reverse("admin:lockouts"))
    locks = account_locks(usernames=in_scope.values("username"))
    names = dict(in_scope.filter(username__in=[lock.username for lock in locks]).values_list(
        "username", "name"
    ))  # fmt: skip
    context = {
        **site.each_context(request),
        "title": _("登录锁定"),
        "locks": [(lock, names.get(lock.username, "")) for lock in locks],
        "limits": limits(),
    }
    return render(request, "admin/lockouts.html", context)
