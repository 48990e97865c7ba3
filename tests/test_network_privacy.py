"""No page, PDF or export of the liaison network shows a resident's full ID number or
phone to anyone — not even roles that may reveal them elsewhere: cards and maps name the
people on the network, and the registry's numbers stay behind the logged reveal."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from minqing.households.cards import ensure_cards
from minqing.households.contacts import contact_assign
from minqing.households.liaisons import group_post_add, liaison_appoint
from minqing.households.models import ContactCard, Resident


def _text(response) -> str:
    if response["Content-Type"] == "application/pdf":
        reader = PdfReader(io.BytesIO(response.content))
        return "".join("".join(page.extract_text().split()) for page in reader.pages)
    return response.content.decode()


@pytest.fixture
def network(county):
    actor = county.users["cadre"]
    contact_assign(actor=actor, cadre=county.users["township_staff"], village=county.v1,
                   households=[county.households["H1a"], county.households["H1b"]])  # fmt: skip
    liaison = liaison_appoint(actor=actor, group=county.g1a, name="老周", phone="13911112222",
                              background="veteran")  # fmt: skip
    group_post_add(actor=actor, group=county.g1a, kind="leader", name="郑组长", phone="13933334444")
    ensure_cards(actor=actor, households=[county.households["H1a"], county.households["H1b"]])
    return liaison


@pytest.mark.parametrize(
    "persona", ["cadre", "township_staff", "county_admin", "county_supervisor"]
)
def test_no_network_page_pdf_or_landing_shows_a_full_id_or_resident_phone(
    county, client_for, network, persona
):
    client = client_for(persona)
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
    if persona != "county_supervisor":  # printing is for those who keep the network
        urls.append(reverse("network:letter", args=[network.pk]))
        urls.append(reverse("network:cards_pdf", args=[county.v1.code]))
    urls += [reverse("card_landing", args=[card.token]) for card in ContactCard.objects.current()]
    residents = list(Resident.objects.filter(household__group__parent=county.v1))
    assert residents
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(response)
        for resident in residents:
            assert resident.id_number not in text, url
            assert resident.phone not in text, url
            # Not the head's phone on the household either.
            assert resident.household.phone not in text, url
