from django.urls import path

from minqing.households import import_views, views

app_name = "households"
urlpatterns = [
    path("", views.household_list, name="list"),
    path("export.xlsx", views.export, name="export"),
    path("import/", import_views.upload, name="import"),
    path("import/<str:token>/<str:village>/", import_views.check, name="import_check"),
    path("<str:code>/", views.household_detail, name="detail"),
    path("<str:code>/tags/", views.set_tags, name="tags"),
    path("<str:code>/profile/", views.edit_profile, name="profile"),
    path("<str:code>/members/<int:pk>/reveal/", views.reveal_member, name="reveal"),
]
