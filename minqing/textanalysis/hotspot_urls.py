"""URLs of the hotspot pages under /insight/ (included by minqing/textanalysis/urls.py)."""

from django.urls import URLPattern, path

from minqing.textanalysis import hotspot_views

urlpatterns: list[URLPattern] = [
    path("hot/", hotspot_views.hot_list, name="hot_list"),
    path("hot/<int:pk>/", hotspot_views.hot_detail, name="hot_detail"),
    path("hot/<int:pk>/handled/", hotspot_views.hot_handle, name="hot_handle"),
]
