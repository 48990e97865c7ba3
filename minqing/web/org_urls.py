"""The territory pages under org's URL names (org:tree, org:node, org:staff); their views
are web's (see minqing.web.views)."""

from django.urls import path

from minqing.web import views

app_name = "org"
urlpatterns = [
    path("tree/", views.tree, name="tree"),
    path("tree/<str:code>/", views.node_detail, name="node"),
    path("staff/", views.staff_list, name="staff"),
]
