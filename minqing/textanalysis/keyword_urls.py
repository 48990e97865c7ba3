"""URLs of the keyword pages under /insight/ (included by minqing/textanalysis/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
