from django.urls import path

from minqing.cases import box_views, pdf_views, supervision_views, views

app_name = "cases"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("all/", views.case_list, name="list"),
    path("new/", views.register, name="register"),
    path("box/", box_views.box_session, name="box"),
    path("supervision/", supervision_views.board, name="supervision"),
    path("<str:number>/track/", supervision_views.track, name="track"),
    path("<str:number>/supervision/<int:pk>/", supervision_views.follow_up, name="follow_up"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/act/", views.act, name="act"),
    path("<str:number>/attach/", views.attach, name="attach"),
    path("<str:number>/edit/", views.edit_details, name="edit"),
    path("<str:number>/reveal/", views.reveal, name="reveal"),
    path("<str:number>/files/<int:pk>/", views.attachment_file, name="file"),
    path("<str:number>/pdf/<str:form>/", pdf_views.case_pdf, name="pdf"),
]
