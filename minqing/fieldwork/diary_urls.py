"""Sentiment diary (民情日记) pages, under /field/diary/ with the namespace `diary`."""

from django.urls import path

from minqing.fieldwork import diary_views as views

urlpatterns = [
    path("", views.diary_list, name="list"),
    path("new/", views.diary_new, name="new"),
    path("review/", views.diary_review_queue, name="review"),
    path("team/", views.diary_team, name="team"),
    path("compile/", views.diary_compile, name="compile"),
    path("<int:pk>/", views.diary_detail, name="detail"),
    path("<int:pk>/edit/", views.diary_edit, name="edit"),
    path("<int:pk>/follow-up/", views.diary_follow_up, name="follow_up"),
    path("<int:pk>/result/", views.diary_result, name="result"),
    path("<int:pk>/case/", views.diary_raise_case_view, name="raise_case"),
    path("<int:pk>/review/", views.diary_review_entry, name="review_entry"),
]
