"""Visits (民情家访日志), visit plans (家访公告/接访公示) and quota progress."""

from django.urls import path

from minqing.fieldwork import visit_views as views

urlpatterns = [
    path("", views.visit_list, name="list"),
    path("new/", views.visit_new, name="new"),
    path("<int:pk>/", views.visit_detail, name="detail"),
    path("<int:pk>/case/", views.visit_to_case, name="to_case"),
    path("plans/", views.plans, name="plans"),
    path("plans/<int:pk>/cancel/", views.plan_cancel_view, name="plan_cancel"),
    path("progress/", views.progress, name="progress"),
]
