"""No page, PDF or export of the liaison network shows a resident's full ID number or
phone to anyone — not even roles that may reveal them elsewhere: cards and maps name the
people on the network, and the registry's numbers stay behind the logged reveal. Nor can
an ID number be completed from what they show together. The network's own people (group
leaders, members, linked Party members, liaisons) are residents too: their numbers are
printed on the contact card by the county's choice and masked everywhere else for roles
that may not reveal residents' numbers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from minqing.households.models import ContactCard, ContactRules, Resident
from minqing.households.services import (
    cards_ensure,
    contact_assign,
    group_post_add,
    liaison_appoint,
)
from tests.support.privacy import ENOUGH_CANDIDATES, candidates, known_positions, response_text

NETWORK_PHONES = ("13911112222", "13933334444")  # the liaison's and the group leader's


@pytest.fixture
def network(county):
    actor = county.users["cadre"]
    contact_assign(actor=actor, cadre=county.users["township_staff"], village=county.v1,
                   households=[county.households["H1a"], county.households["H1b"]])  # fmt: skip
    liaison = liaison_appoint(actor=actor, group=county.g1a, name="老周", phone="13911112222",
                              background="veteran")  # fmt: skip
    group_post_add(actor=actor, group=county.g1a, kind="leader", name="郑组长", phone="13933334444")
    cards_ensure(actor=actor, households=[county.households["H1a"], county.households["H1b"]])
    return liaison


def _network_urls(county, network, persona: str) -> list[tuple[str, str]]:
    urls = [
        reverse("network:index"),
        reverse("network:contacts", args=[county.v1.code]),
        reverse("network:liaisons", args=[county.v1.code]),
        reverse("network:cards", args=[county.v1.code]),
        reverse("network:map", args=[county.t1.code]),
        reverse("network:map_data", args=[county.t1.code]),
        reverse("network:map_pdf", args=[county.t1.code]),
        reverse("households:detail", args=[county.households["H1a"].code]),
    ]
    pages = [("get", url) for url in urls]
    if persona != "county_supervisor":  # printing is for those who keep the network
        pages.append(("get", reverse("network:letter", args=[network.pk])))
        pages.append(("post", reverse("network:cards_pdf", args=[county.v1.code])))
    return pages


@pytest.mark.parametrize(
    "persona", ["cadre", "township_staff", "county_admin", "county_supervisor"]
)
def test_no_network_page_pdf_or_landing_shows_a_full_id_or_resident_phone(
    county, client_for, network, persona
):
    client = client_for(persona)
    pages = _network_urls(county, network, persona)
    pages += [
        ("get", reverse("card_landing", args=[card.token]))
        for card in ContactCard.objects.current()
    ]
    residents = list(Resident.objects.filter(household__group__parent=county.v1))
    assert residents
    seen = []
    for method, url in pages:
        response = getattr(client, method)(url)
        assert response.status_code == 200, url
        text = response_text(response)
        seen.append(text)
        for resident in residents:
            assert resident.id_number not in text, url
            assert resident.phone not in text, url
            # Not the head's phone on the household either.
            assert resident.household.phone not in text, url
    # Nor can a number be completed from what the pages show together.
    everything = "\n".join(seen)
    for resident in residents:
        known = known_positions(resident.id_number, resident.birth_date, everything)
        assert candidates(resident.id_number, known) >= ENOUGH_CANDIDATES


@pytest.mark.parametrize("persona", ["township_staff", "county_supervisor", "liaison"])
def test_roles_that_may_not_reveal_see_the_network_members_numbers_masked(
    county, client_for, network, persona
):
    client = client_for(persona)
    pages = [(m, u) for m, u in _network_urls(county, network, persona) if "cards" not in u]
    # Pages that name the liaison (the letter does not print a phone at all).
    named = {
        reverse("network:liaisons", args=[county.v1.code]),
        reverse("network:map", args=[county.t1.code]),
        reverse("network:map_data", args=[county.t1.code]),
        reverse("households:detail", args=[county.households["H1a"].code]),
    }
    opened = 0
    for method, url in pages:
        response = getattr(client, method)(url)
        if response.status_code != 200:
            continue  # e.g. a liaison has no network pages of the village
        opened += 1
        text = response_text(response)
        for phone in NETWORK_PHONES:
            assert phone not in text, url
        if url in named:
            assert "139****2222" in text, url  # the liaison still shows, masked
    assert opened >= 2


@pytest.mark.parametrize("persona", ["cadre", "county_admin"])
def test_roles_that_may_reveal_see_the_network_members_numbers(
    county, client_for, network, persona
):
    client = client_for(persona)
    for url in (
        reverse("network:liaisons", args=[county.v1.code]),
        reverse("network:map_data", args=[county.t1.code]),
        reverse("households:detail", args=[county.households["H1a"].code]),
    ):
        text = response_text(client.get(url))
        assert all(phone in text for phone in NETWORK_PHONES), url


def test_the_card_publishes_the_network_numbers_by_the_countys_choice(county, client_for, network):
    card = ContactCard.objects.current().get(household=county.households["H1a"])
    anonymous = client_for("anonymous")
    printed = client_for("township_staff").post(reverse("network:cards_pdf", args=[county.v1.code]))
    # The default: the card is where these numbers are published (seed 000).
    for text in (
        anonymous.get(reverse("card_landing", args=[card.token])).text,
        response_text(printed),
    ):
        assert all(phone in text for phone in NETWORK_PHONES)
    ContactRules.objects.create(county=county.county, card_shows_network_phones=False)
    printed = client_for("township_staff").post(reverse("network:cards_pdf", args=[county.v1.code]))
    for text in (
        anonymous.get(reverse("card_landing", args=[card.token])).text,
        response_text(printed),
    ):
        assert not any(phone in text for phone in NETWORK_PHONES)
        assert "139****2222" in text
