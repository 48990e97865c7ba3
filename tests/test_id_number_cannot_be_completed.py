"""No role can rebuild a resident's ID number from what MinQing shows without the logged
reveal: not from one page, not by putting pages, exports, PDFs and the admin together.

An ID number is region (6) + birth date (8) + sequence (3) + check digit. The region is the
county's own code for most residents, so it counts as known; a full birth date shown
anywhere, and every character a mask leaves visible, add to what is known; the check digit
then confirms a guess. For every persona the test gathers everything it can reach and
counts how many valid numbers fit what it saw: a number is safe only when many do.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from minqing.households.models import ContactCard, ContactRules, Household, Resident
from minqing.households.services import (
    cards_ensure,
    contact_assign,
    group_post_add,
    liaison_appoint,
)
from minqing.lib.idcard import make_id_number
from tests.support.privacy import (
    ENOUGH_CANDIDATES,
    candidates,
    known_positions,
    response_text,
)

PERSONAS = [
    "cadre", "colleague", "sibling", "other_township", "township_staff", "dept_handler",
    "county_admin", "county_supervisor", "liaison", "deputy", "other_admin",
]  # fmt: skip


def test_the_derivation_catches_the_old_mask_beside_a_birth_date():
    # The rule the test below applies, shown on the leak that was found: 5227 + mask +
    # last 4, with the birth date in the next column.
    number = make_id_number("522723", dt.date(1968, 3, 14), 923)
    page = f"<td>1968-03-14</td><td>{number[:4]}**********{number[-4:]}</td>"
    assert candidates(number, known_positions(number, dt.date(1968, 3, 14), page)) == 1
    safe = f"<td>1968</td><td>**************{number[-4:]}</td>"
    assert candidates(number, known_positions(number, dt.date(1968, 3, 14), safe)) >= 10


@pytest.fixture
def network(county):
    for resident in Resident.objects.all():  # birth dates that agree with the numbers
        number = resident.id_number
        resident.birth_date = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        resident.save(update_fields=["birth_date"])
    actor = county.users["cadre"]
    contact_assign(actor=actor, cadre=county.users["township_staff"], village=county.v1,
                   households=[county.households["H1a"], county.households["H1b"]])  # fmt: skip
    liaison_appoint(actor=actor, group=county.g1a, name="老周", phone="13911112222",
                    background="veteran")  # fmt: skip
    group_post_add(actor=actor, group=county.g1a, kind="leader", name="郑组长", phone="13933334444")
    cards_ensure(actor=actor, households=[county.households["H1a"], county.households["H1b"]])
    return county


def _everything_reachable(client: Client, county) -> str:
    """The text of every page, PDF and export about residents the client can open."""
    gets = [
        reverse("households:list"),
        reverse("households:export"),
        reverse("network:index"),
        "/admin/households/household/",
        "/admin/audit/auditevent/",
    ]
    for village in (county.v1, county.v2, county.v3):
        gets += [
            reverse("network:contacts", args=[village.code]),
            reverse("network:liaisons", args=[village.code]),
            reverse("network:cards", args=[village.code]),
        ]
    for township in (county.t1, county.t2):
        gets += [
            reverse("network:map", args=[township.code]),
            reverse("network:map_data", args=[township.code]),
            reverse("network:map_pdf", args=[township.code]),
        ]
    for household in Household.objects.all():
        gets.append(reverse("households:detail", args=[household.code]))
        gets.append(f"/admin/households/household/{household.pk}/change/")
    gets += [reverse("card_landing", args=[c.token]) for c in ContactCard.objects.current()]
    seen = []
    for url in gets:
        response = client.get(url)
        if response.status_code == 200:
            seen.append(response_text(response))
    for village in (county.v1, county.v2, county.v3):
        response = client.post(reverse("network:cards_pdf", args=[village.code]))
        if response.status_code == 200:
            seen.append(response_text(response))
    return "\n".join(seen)


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_role_can_complete_an_id_number_from_everything_it_can_open(
    network, client_for, persona
):
    seen = _everything_reachable(client_for(persona), network)
    for resident in Resident.objects.exclude(id_number=""):
        number = resident.id_number
        assert number not in seen
        known = known_positions(number, resident.birth_date, seen)
        assert candidates(number, known) >= ENOUGH_CANDIDATES, (persona, sorted(known))


def test_a_county_may_mask_every_character(network, client_for):
    ContactRules.objects.create(county=network.county, id_mask_tail=0)
    household = network.households["H1a"]
    page = client_for("cadre").get(reverse("households:detail", args=[household.code])).text
    members = page.split('data-testid="member-table"', 1)[1]
    assert "*" * 18 in members
    assert household.members.get().id_number[-4:] not in members


def test_the_full_birth_date_comes_only_with_the_logged_reveal(network, client_for):
    household = network.households["H1a"]
    resident = household.members.get()
    client = client_for("cadre")
    page = client.get(reverse("households:detail", args=[household.code])).text
    assert f"{resident.birth_date:%Y-%m-%d}" not in page
    assert str(resident.birth_date.year) in page
    shown = client.post(
        reverse("households:reveal", args=[household.code, resident.pk]), {"reason": "核实低保"}
    )
    assert f"{resident.birth_date:%Y-%m-%d}" in shown.text
    assert resident.id_number in shown.text
    assert "no-store" in shown["Cache-Control"]
