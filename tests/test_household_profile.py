"""The 民情档案 page: 四知四清 profile, contact cadres, liaison and card status."""

from __future__ import annotations

from django.urls import reverse

from minqing.audit.models import AuditEvent
from minqing.households.services import contact_assign, liaison_appoint


def test_registry_keepers_edit_the_profile_and_the_log_names_fields_not_contents(
    county, client_for
):
    h1a = county.households["H1a"]
    response = client_for("cadre").post(
        reverse("households:profile", args=[h1a.code]),
        {"basic_situation": "三口之家", "economy": "种植柑橘", "key_persons": "",
         "migrants": "儿子在宁波务工", "hardship": "妻子长期患病"},
        follow=True,
    )  # fmt: skip
    assert "民情档案已更新" in response.content.decode()
    h1a.refresh_from_db()
    assert (h1a.economy, h1a.hardship) == ("种植柑橘", "妻子长期患病")
    event = AuditEvent.objects.filter(object_type="households.household").latest("at")
    assert event.changes == {"profile": ["basic_situation", "economy", "hardship", "migrants"]}
    assert "患病" not in str(event.changes)


def test_profile_edit_is_refused_without_registry_rights_or_outside_scope(county, client_for):
    h1a = county.households["H1a"]
    url = reverse("households:profile", args=[h1a.code])
    for persona in ("township_staff", "sibling", "liaison"):
        assert client_for(persona).post(url, {"hardship": "x"}).status_code == 404
    h1a.refresh_from_db()
    assert h1a.hardship == ""


def test_household_page_shows_its_cadre_liaison_and_card_status(county, client_for):
    h1a = county.households["H1a"]
    contact_assign(actor=county.users["cadre"], cadre=county.users["township_staff"],
                   village=county.v1, households=[h1a])  # fmt: skip
    liaison_appoint(actor=county.users["cadre"], group=county.g1a, name="老周",
                    phone="13900001111", background="veteran")  # fmt: skip
    html = (
        client_for("colleague").get(reverse("households:detail", args=[h1a.code])).content.decode()
    )
    section = html.split('data-testid="household-network"')[1]
    assert "吴镇干" in section
    assert "老周" in section
    assert "未发放" in section
    # The sibling group's liaison is not this household's.
    other = (
        client_for("colleague")
        .get(reverse("households:detail", args=[county.households["H1b"].code]))
        .content.decode()
    )
    assert "老周" not in other.split('data-testid="household-network"')[1]


def test_household_page_lists_the_visits_and_diary_entries_that_name_it(county, client_for):
    import datetime as dt

    from minqing.fieldwork.models import DiaryEntry, Visit

    h1a = county.households["H1a"]
    cadre = county.users["cadre"]
    visit = Visit.objects.create(visitor=cadre, node=county.v1, date=dt.date(2026, 11, 2),
                                 form="home", heard="路灯坏了")  # fmt: skip
    visit.households.set([h1a])
    entry = DiaryEntry.objects.create(
        author=cadre, node=county.v1, date=dt.date(2026, 11, 3), category="hot_issues",
        title="路灯维修", narrative="x",
    )  # fmt: skip
    entry.households.set([h1a])
    own = client_for("cadre").get(reverse("households:detail", args=[h1a.code])).text
    assert f"/field/visits/{visit.pk}/" in own
    assert "路灯维修" in own
    # A colleague may see the household but not another cadre's visit or diary.
    other = client_for("colleague").get(reverse("households:detail", args=[h1a.code])).text
    assert f"/field/visits/{visit.pk}/" not in other
    assert "路灯维修" not in other
