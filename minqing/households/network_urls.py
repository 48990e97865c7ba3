"""The liaison network: contact households, liaisons, the network map, contact cards."""

from django.urls import path

from minqing.households import card_views, contact_views, liaison_views, map_views

app_name = "network"
urlpatterns = [
    path("", contact_views.index, name="index"),
    # Contact households (联系户): assignment screen and coverage, per village.
    path("contacts/<str:village>/", contact_views.village_contacts, name="contacts"),
    path("contacts/<str:village>/assign/", contact_views.assign, name="assign"),
    path("contacts/end/<int:pk>/", contact_views.end, name="end"),
    # Liaisons (联络员) and each group's network posts (组长 / 成员 / 联户党员).
    path("liaisons/<str:village>/", liaison_views.village_liaisons, name="liaisons"),
    path("liaisons/<str:village>/appoint/", liaison_views.appoint, name="appoint"),
    path("liaisons/<str:village>/posts/", liaison_views.add_post, name="add_post"),
    path("liaisons/letter/<int:pk>.pdf", liaison_views.letter_pdf, name="letter"),
    path("liaisons/dismiss/<int:pk>/", liaison_views.dismiss, name="dismiss"),
    path("posts/remove/<int:pk>/", liaison_views.remove_post, name="remove_post"),
    # Network map (网络图), per township.
    path("map/<str:township>/", map_views.network_map, name="map"),
    path("map/<str:township>/data.json", map_views.map_data, name="map_data"),
    path("map/<str:township>/a3.pdf", map_views.map_pdf, name="map_pdf"),
    # Contact cards (民情联系卡), per village.
    path("cards/<str:village>/", card_views.village_cards, name="cards"),
    path("cards/<str:village>/print.pdf", card_views.cards_pdf, name="cards_pdf"),
    path("cards/<str:village>/issue/", card_views.issue, name="cards_issue"),
    path("cards/<str:village>/reissue/", card_views.reissue, name="cards_reissue"),
]
