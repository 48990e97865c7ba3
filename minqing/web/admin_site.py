"""Django admin for the county administrator only, with the same scoping as the app."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from minqing.org.roles import Cap, has_cap


class MinQingAdminSite(admin.AdminSite):
    site_header = _("民情通 管理后台")
    site_title = _("民情通")
    index_title = _("县级管理")

    def has_permission(self, request: HttpRequest) -> bool:
        return has_cap(request.user, Cap.USE_ADMIN)


class MinQingAdminConfig(AdminConfig):
    default_site = "minqing.web.admin_site.MinQingAdminSite"
