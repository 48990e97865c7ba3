"""Residents' secrets stay behind the logged reveal in the search box, in the admin, in the
audit log and in the browser's cache.

Finding a household by a full ID or phone number tells whose number it is: only roles
that may reveal may do it, and each time it is logged. The admin's household, liaison and
group-post pages show phones masked and take a new one without showing the old.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from minqing.audit.models import Action, AuditEvent
from minqing.households.models import Household, Liaison, Resident
from minqing.households.services import liaison_appoint


def _codes(response) -> set[str]:
    return {h.code for h in response.context["page"].object_list}


@pytest.mark.parametrize("persona", ["township_staff", "county_supervisor", "liaison"])
def test_roles_that_may_not_reveal_cannot_find_a_household_by_id_or_phone(
    county, client_for, persona
):
    resident = Resident.objects.get(household=county.households["H1a"])
    client = client_for(persona)
    for secret in (resident.id_number, resident.phone, county.households["H1a"].phone):
        response = client.get(reverse("households:list"), {"q": secret})
        assert response.status_code == 200
        assert county.households["H1a"].code not in _codes(response)
        assert "需要查看敏感信息的权限" in response.text
    assert not AuditEvent.objects.filter(action=Action.REVEAL).exists()
    # Names still find the household.
    response = client.get(reverse("households:list"), {"q": "张建国"})
    assert county.households["H1a"].code in _codes(response)


@pytest.mark.parametrize("persona", ["cadre", "county_admin"])
def test_a_search_by_id_or_phone_finds_the_household_and_is_logged_as_a_reveal(
    county, client_for, persona
):
    resident = Resident.objects.get(household=county.households["H1a"])
    response = client_for(persona).get(reverse("households:list"), {"q": resident.id_number})
    assert _codes(response) == {county.households["H1a"].code}
    event = AuditEvent.objects.get(action=Action.REVEAL)
    assert event.actor == county.users[persona]
    assert resident.id_number not in str(event.changes)  # the log itself stays masked
    assert event.changes["found"] == [county.households["H1a"].code]


def test_a_search_by_secret_stays_inside_the_searchers_scope(county, client_for):
    outside = Resident.objects.get(household=county.households["H2"])  # the sibling village
    response = client_for("cadre").get(reverse("households:list"), {"q": outside.id_number})
    assert _codes(response) == set()


def test_the_admin_household_page_shows_the_phone_masked_and_keeps_it_when_left_blank(
    county, client_for
):
    household = county.households["H1a"]
    client = client_for("county_admin")
    url = f"/admin/households/household/{household.pk}/change/"
    page = client.get(url).text
    assert household.phone not in page
    assert household.masked_phone in page
    form = {
        "code": household.code, "group": household.group_id, "address": "新地址1号",
        "head_name": household.head_name, "new_phone": "",
        "basic_situation": "", "economy": "", "key_persons": "", "migrants": "", "hardship": "",
        "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "1",
        "members-0-id": household.members.get().pk, "members-0-household": household.pk,
        "members-0-name": "张建国", "members-0-relationship": "head", "members-0-gender": "M",
    }  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    household.refresh_from_db()
    assert household.address == "新地址1号"
    assert household.phone == "13800000001"  # kept
    client.post(url, {**form, "new_phone": "13712345678"})
    household.refresh_from_db()
    assert household.phone == "13712345678"
    # The audit row of the change names the change without the numbers.
    change = AuditEvent.objects.filter(object_type="households.household").last()
    assert "13712345678" not in str(change.changes)
    assert "13800000001" not in str(change.changes)


def test_the_admin_liaison_page_shows_no_full_phone(county, client_for):
    liaison_appoint(actor=county.users["cadre"], group=county.g1a, name="老周",
                    phone="13911112222", background="veteran")  # fmt: skip
    liaison = Liaison.objects.get()
    page = client_for("county_admin").get(f"/admin/households/liaison/{liaison.pk}/change/").text
    assert "13911112222" not in page
    assert "139****2222" in page


def test_the_reveal_pages_are_never_cached(county, client_for):
    household = Household.objects.get(pk=county.households["H1a"].pk)
    resident = household.members.get()
    response = client_for("cadre").post(
        reverse("households:reveal", args=[household.code, resident.pk]), {"reason": "核实"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
