"""URLs of the keyword pages under /insight/ (included by minqing/textanalysis/urls.py)."""

from django.urls import URLPattern, path

from minqing.textanalysis import keyword_views

urlpatterns: list[URLPattern] = [
    path("keywords/", keyword_views.keywords, name="keywords"),
    path("keywords/export.xlsx", keyword_views.keywords_export, name="keywords_export"),
]
