"""Fieldwork URLs: diaries, visits and plans, talk days and receptions."""

from django.urls import include, path

urlpatterns = [
    path("diary/", include(("minqing.fieldwork.diary_urls", "diary"))),
    path("visits/", include(("minqing.fieldwork.visit_urls", "visits"))),
    path("talk/", include(("minqing.fieldwork.talk_urls", "talk"))),
]
