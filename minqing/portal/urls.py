from django.urls import path

from minqing.portal import board_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("track/", views.track, name="track"),
    path("track/rate/", views.rate, name="rate"),
    path("board/", board_views.board, name="board"),
    path("board/publish/<str:number>/", board_views.publish, name="board_publish"),
    path("board/withdraw/<str:number>/", board_views.withdraw, name="board_withdraw"),
    path("board/<str:code>/", board_views.board_place, name="board_place"),
]
