"""Filled in by the diary feature."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
