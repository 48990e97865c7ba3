"""Talk days (百姓说事点) and the deputies' office (两代表工作室), under /field/talk/."""

from django.urls import path

from minqing.fieldwork import talk_views as views

urlpatterns = [
    path("", views.index, name="index"),
    path("overview/", views.overview, name="overview"),
    path("village/<str:code>/", views.village, name="village"),
    path("village/<str:code>/schedule/", views.schedule, name="schedule"),
    path("village/<str:code>/schedule/generate/", views.generate, name="generate"),
    path("village/<str:code>/schedule/add/", views.add_day, name="add_day"),
    path("village/<str:code>/schedule/rota/", views.rota, name="rota"),
    path("village/<str:code>/meetings/", views.meetings, name="meetings"),
    path("day/<int:pk>/", views.day, name="day"),
    path("day/<int:pk>/items/", views.item_add, name="item_add"),
    path("day/<int:pk>/note/", views.day_note, name="day_note"),
    path("day/<int:pk>/evaluation/", views.evaluation, name="evaluation"),
    path("item/<int:pk>/sort/", views.item_sort, name="item_sort"),
    path("item/<int:pk>/case/", views.item_case, name="item_case"),
    path("item/<int:pk>/meeting/", views.item_meeting, name="item_meeting"),
    path("receptions/", views.receptions, name="receptions"),
    path("receptions/new/", views.reception_new, name="reception_new"),
    path("receptions/<int:pk>/", views.reception, name="reception"),
    path("receptions/<int:pk>/case/", views.reception_case, name="reception_case"),
]
