"""Fieldwork URLs: diaries, visits and plans, talk days and receptions, field photos."""

from django.urls import include, path

from minqing.fieldwork import photo_views

urlpatterns = [
    path("diary/", include(("minqing.fieldwork.diary_urls", "diary"))),
    path("visits/", include(("minqing.fieldwork.visit_urls", "visits"))),
    path("talk/", include(("minqing.fieldwork.talk_urls", "talk"))),
    path("photos/<int:pk>/", photo_views.photo_file, name="field_photo"),
    path("photos/visit/<int:pk>/", photo_views.visit_photos_add, name="field_photo_add_visit"),
    path("photos/diary/<int:pk>/", photo_views.entry_photos_add, name="field_photo_add_entry"),
]
