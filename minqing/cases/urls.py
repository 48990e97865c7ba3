from django.urls import path

from minqing.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("all/", views.case_list, name="list"),
    path("new/", views.register, name="register"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/act/", views.act, name="act"),
]
