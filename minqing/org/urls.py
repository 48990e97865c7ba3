from django.urls import path

from minqing.org import views

app_name = "org"
urlpatterns = [
    path("tree/", views.tree, name="tree"),
    path("tree/<str:code>/", views.node_detail, name="node"),
    path("staff/", views.staff_list, name="staff"),
]
