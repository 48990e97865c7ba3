from django.urls import path

from minqing.households import views

app_name = "households"
urlpatterns = [
    path("", views.household_list, name="list"),
    path("<str:code>/", views.household_detail, name="detail"),
]
