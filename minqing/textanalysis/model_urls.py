"""The county's text models and the intake / case-page insight panels under /insight/."""

from django.urls import path

from minqing.textanalysis import model_views

urlpatterns = [
    path("models/", model_views.models_page, name="models"),
    path("models/train/<str:kind>/", model_views.train, name="train"),
    path("models/<int:pk>/activate/", model_views.activate, name="activate"),
    path("models/import/", model_views.import_examples, name="import_examples"),
    path("suggest/", model_views.suggest, name="suggest"),
    path("case/<str:number>/", model_views.case_panel, name="case_panel"),
    path("case/<str:number>/category/", model_views.adopt_category, name="adopt_category"),
]
