from django.urls import path

from minqing.households import views

app_name = "households"
urlpatterns = [
    path("", views.household_list, name="list"),
    path("export.xlsx", views.export, name="export"),
    path("<str:code>/", views.household_detail, name="detail"),
    path("<str:code>/members/<int:pk>/reveal/", views.reveal_member, name="reveal"),
]
