"""Filled in by the visit feature."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
