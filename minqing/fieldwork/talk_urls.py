"""Filled in by the talk feature."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
