"""URLs of the model pages under /insight/ (included by minqing/textanalysis/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
