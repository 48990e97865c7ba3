"""URLs of the similar pages under /insight/ (included by minqing/textanalysis/urls.py)."""

from django.urls import URLPattern, path

from minqing.textanalysis import similar_views

urlpatterns: list[URLPattern] = [
    path("similar/<str:number>/", similar_views.similar_for_case, name="similar_for_case"),
]
