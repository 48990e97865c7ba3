"""Django admin for the county administrator only, with the same scoping as the app."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.translation import gettext_lazy as _

from minqing.org.roles import Cap, has_cap


class MinQingAdminSite(admin.AdminSite):
    site_header = _("民情通 管理后台")
    site_title = _("民情通")
    index_title = _("县级管理")

    def has_permission(self, request: HttpRequest) -> bool:
        return has_cap(request.user, Cap.USE_ADMIN)

    def get_urls(self) -> list[URLPattern | URLResolver]:
        return [
            path("lockouts/", self.admin_view(self.lockouts_view), name="lockouts"),
            *super().get_urls(),
        ]

    def lockouts_view(self, request: HttpRequest) -> HttpResponse:
        from minqing.web.lockout_views import lockouts

        return lockouts(request, self)

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        """The 登录锁定 page is not a model of ours (axes owns the rows), so it joins the
        index and the side menu as an entry of its own."""
        apps = super().get_app_list(request, app_label)
        if app_label is None and self.has_permission(request):
            url = reverse("admin:lockouts", current_app=self.name)
            entry = {"name": _("登录锁定"), "object_name": "Lockout", "admin_url": url,
                     "add_url": None, "view_only": True, "perms": {"view": True}}  # fmt: skip
            apps.append({"name": _("登录安全"), "app_label": "login_security", "app_url": url,
                         "has_module_perms": True, "models": [entry]})  # fmt: skip
        return apps


class MinQingAdminConfig(AdminConfig):
    default_site = "minqing.web.admin_site.MinQingAdminSite"
