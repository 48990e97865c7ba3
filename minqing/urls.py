from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from minqing.households import card_views
from minqing.portal import views as portal_views
from minqing.web import views as web_views
from minqing.web.auth_views import StaffLoginView, StaffPasswordChangeView

urlpatterns = [
    path("", web_views.home, name="home"),
    path("accounts/login/", StaffLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        StaffPasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/setlang/", set_language, name="set_language"),
    path("org/", include("minqing.web.org_urls")),
    path("households/", include("minqing.households.urls")),
    path("network/", include("minqing.households.network_urls")),
    path("k/<str:token>", card_views.card_landing, name="card_landing"),
    path("portal/", include("minqing.portal.urls")),
    path("field/", include("minqing.fieldwork.urls")),
    path("track/", portal_views.track, name="track"),
    path("cases/", include("minqing.cases.urls")),
    path("insight/", include("minqing.textanalysis.urls")),
    path("notifications/", include("minqing.notify.urls")),
    path("admin/", admin.site.urls),
]
