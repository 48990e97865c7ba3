"""Contact cards (民情联系卡 / 一张联络服务卡): a card per household with a QR code, the
batch A4 PDF, issuance records and the village's issuance rate, and the public page the
QR code opens. Residents' ID numbers and phones appear nowhere on a card."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import timezone
from pypdf import PdfReader

import minqing.urls
from minqing.audit.models import Action, AuditEvent
from minqing.households import cards
from minqing.households import services as card_services
from minqing.households.card_pdf import qr_drawing, qr_modules
from minqing.households.card_selectors import build_cards, village_issuance
from minqing.households.models import (
    ContactAssignment,
    ContactCard,
    ContactRules,
    GroupPost,
    Household,
    Liaison,
    Resident,
)
from minqing.lib.masking import mask_id_number, mask_phone

SITE = "https://mq.example.cn"
LEADER_PHONE = "13611112222"
LIAISON_PHONE = "13733334444"
CADRE_PHONE = "13555556666"
HOTLINE = "0571-12345"


def _portal_submit(request):  # pragma: no cover - only reversed
    return HttpResponse("portal")


# A URL configuration in which the resident portal exists (see the portal-link test).
urlpatterns = [
    *minqing.urls.urlpatterns,
    path("portal/", include(([path("", _portal_submit, name="submit")], "portal"))),
]


@pytest.fixture
def network(county, settings):
    """东风村's liaison network: posts and a liaison in 一组, a cadre linked to H1a,
    the station's and center's phones and the county hotline."""
    settings.SITE_URL = SITE
    staff = county.users["township_staff"]
    staff.post, staff.phone = "组织委员", CADRE_PHONE
    staff.save()
    GroupPost.objects.create(
        group=county.g1a, kind="leader", name="周组长", phone=LEADER_PHONE, duties="全组联络"
    )
    GroupPost.objects.create(group=county.g1a, kind="member", name="吴成员", phone="13600000001")
    GroupPost.objects.create(
        group=county.g1a, kind="party_link", name="郑党员", phone="13600000002"
    )
    GroupPost.objects.create(group=county.g1b, kind="leader", name="冯二组长", phone="13600000003")
    Liaison.objects.create(
        group=county.g1a, name="王联络", phone=LIAISON_PHONE, background="veteran",
        letter_number="QH-2026-001", appointed_on=dt.date(2026, 1, 5),
        appointed_by=county.users["county_admin"],
    )  # fmt: skip
    ContactAssignment.objects.create(
        cadre=staff, household=county.households["H1a"], assigned_by=staff, note="每周走访"
    )
    county.station.phone = "0571-88880001"
    county.station.save()
    county.center.phone = "0571-88880002"
    county.center.save()
    ContactRules.objects.create(county=county.county, hotline=HOTLINE)
    return county


def _page(client, county, **params) -> str:
    response = client.get(f"/network/cards/{county.v1.code}/", params)
    assert response.status_code == 200
    return response.text


def _issue(client, county, household: str, received_by: str = "张建国", **extra):
    data = {"mode": "one", "household": household, "received_by": received_by,
            "issued_on": timezone.localdate().isoformat(), **extra}  # fmt: skip
    return client.post(f"/network/cards/{county.v1.code}/issue/", data)


def _rate(page: str) -> str:
    """The issuance rate as shown, e.g. "87.5%", checking the county's target beside it."""
    match = re.search(
        r'发放率 <span data-testid="issuance-rate">([^<]+)</span><span[^>]*>（目标 (\d+)%）', page
    )
    assert match, "no issuance rate on the page"
    return f"{match[1]} / {match[2]}%"


def _pending_codes(page: str) -> set[str]:
    table = page.split('data-testid="pending-table"', 1)[1].split("</table>", 1)[0]
    return set(re.findall(r'data-household="(\d+)"', table))


def _secrets(county, *keys: str) -> list[str]:
    """Every resident and household number of the households, full and masked."""
    found = []
    for key in keys:
        household = county.households[key]
        found += [household.phone, mask_phone(household.phone)]
        for member in Resident.objects.filter(household=household):
            found += [member.id_number, mask_id_number(member.id_number)]
            found += [member.phone, mask_phone(member.phone)]
    return [s for s in found if s]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# --- Tokens and URLs ----------------------------------------------------------------------


def test_tokens_are_short_unambiguous_ascii_and_the_url_is_the_public_landing(settings):
    settings.SITE_URL = SITE
    tokens = {cards.new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert len(token) == 10
        assert set(token) <= set(cards.TOKEN_ALPHABET)
        assert not set(token) & set("0O1IL")
    url = cards.card_url("ABCDEFGH23")
    assert url == f"{SITE}/k/ABCDEFGH23"
    assert url.isascii()
    assert cards.normalise_token(" abcdefgh23 ") == "ABCDEFGH23"
    assert cards.normalise_token("../etc") is None


def test_qr_code_encodes_the_card_url():
    drawing = qr_drawing(f"{SITE}/k/ABCDEFGH23", 60)
    widget = drawing.contents[0]
    assert widget.value == f"{SITE}/k/ABCDEFGH23"
    assert widget.barLevel == "M"


@pytest.mark.parametrize("length", [1, 10, 30, 60, 120, 250])
def test_printed_qr_matrix_is_the_widgets(length):
    """The PDF draws the QR matrix itself, choosing the mask faster than reportlab's widget
    (which the HTML preview uses): the two must agree module for module."""
    alphabet = cards.TOKEN_ALPHABET
    value = f"{SITE}/k/" + "".join(
        alphabet[(7 * i + length) % len(alphabet)] for i in range(length)
    )
    widget = qr_drawing(value, 60).contents[0]
    widget.qr.make()
    assert qr_modules(value) == widget.qr.modules


def test_cards_ensure_is_idempotent_and_audited(county):
    households = [county.households["H1a"], county.households["H1b"]]
    first = card_services.cards_ensure(actor=county.users["cadre"], households=households)
    again = card_services.cards_ensure(actor=county.users["cadre"], households=households)
    assert {h: c.token for h, c in first.items()} == {h: c.token for h, c in again.items()}
    assert ContactCard.objects.count() == 2
    made = AuditEvent.objects.filter(object_type="households.contactcard", action=Action.CREATE)
    assert made.count() == 1
    assert set(made.get().changes["cards"]) == county.household_codes("H1a", "H1b")


# --- The village page: rate, households without a card, issuance -------------------------


def test_issuance_rate_moves_from_0_to_50_to_100_percent(network, client_for):
    county, client = network, client_for("cadre")
    h1a, h1b = county.household_codes("H1a"), county.household_codes("H1b")
    page = _page(client, county)
    assert _rate(page) == "0% / 99%"
    assert _pending_codes(page) == h1a | h1b

    assert _issue(client, county, county.households["H1a"].code).status_code == 302
    page = _page(client, county)
    assert _rate(page) == "50% / 99%"
    assert _pending_codes(page) == h1b

    response = client.post(
        f"/network/cards/{county.v1.code}/issue/",
        {"mode": "bulk", "households": [county.households["H1b"].code],
         "issued_on": timezone.localdate().isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    page = _page(client, county)
    assert _rate(page) == "100% / 99%"
    assert _pending_codes(page) == set()
    assert "本村每户都已发放联系卡" in page
    total, groups = village_issuance(county.v1, 99)
    assert (total.households, total.issued, total.rate, total.meets_target) == (2, 2, 100.0, True)
    assert [(g.name, g.issued) for g in groups] == [("一组", 1), ("二组", 1)]


def test_rate_follows_the_county_target_and_shows_one_decimal(network, client_for):
    county = network
    ContactRules.objects.filter(county=county.county).update(card_issue_target=90)
    for seq in range(6):  # 8 households, 7 issued: 87.5 %
        Household.objects.create(code=f"33019910120100{seq + 3:02d}", group=county.g1a,
                                 address="东风村一组", head_name=f"户主{seq}")  # fmt: skip
    households = list(Household.objects.filter(group__parent=county.v1).order_by("code"))
    card_services.cards_issue(actor=county.users["cadre"], households=households[:7])
    assert _rate(_page(client_for("cadre"), county)) == "87.5% / 90%"


def test_issuance_records_who_when_and_who_signed_and_is_audited(network, client_for):
    county = network
    household = county.households["H1a"]
    response = _issue(client_for("cadre"), county, household.code, received_by="张小明")
    assert response.status_code == 302
    card = ContactCard.objects.current().get(household=household)
    assert card.issued_by == county.users["cadre"]
    assert card.received_by == "张小明"
    assert timezone.localtime(card.issued_at).date() == timezone.localdate()
    assert timezone.now() - card.issued_at < dt.timedelta(minutes=1)
    event = AuditEvent.objects.get(
        action=Action.UPDATE, object_type="households.contactcard", object_id=str(card.pk)
    )
    assert event.actor == county.users["cadre"]
    assert event.changes["received_by"] == ["", "张小明"]
    assert event.changes["household"] == household.code
    history = _page(client_for("colleague"), county, tab="issued")
    assert "张小明" in history
    assert "赵村官" in history
    assert card.token in history


def test_an_earlier_issue_date_can_be_recorded_afterwards(network, client_for):
    county = network
    day = timezone.localdate() - dt.timedelta(days=3)
    _issue(client_for("cadre"), county, county.households["H1a"].code, issued_on=day.isoformat())
    card = ContactCard.objects.current().get(household=county.households["H1a"])
    assert timezone.localtime(card.issued_at).date() == day


def test_issuing_an_issued_card_again_is_a_message_not_a_second_record(network, client_for):
    county, client = network, client_for("cadre")
    household = county.households["H1a"]
    _issue(client, county, household.code, received_by="张建国")
    card = ContactCard.objects.current().get(household=household)
    response = _issue(client, county, household.code, received_by="别人")
    assert response.status_code == 302
    page = client.get(response["Location"]).text
    assert "未重复登记" in page
    again = ContactCard.objects.current().get(household=household)
    assert (again.pk, again.issued_at, again.received_by) == (card.pk, card.issued_at, "张建国")
    assert ContactCard.objects.filter(household=household).count() == 1
    issued = AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(card.pk))
    assert issued.count() == 1
    # The service itself is idempotent too (a retried request, a double click).
    result = card_services.cards_issue(actor=county.users["colleague"], households=[household])
    assert (result.issued, [c.pk for c in result.already]) == ([], [card.pk])


def test_issue_form_validates_in_chinese(network, client_for):
    county, client = network, client_for("cadre")
    code = county.households["H1a"].code
    response = _issue(client, county, code, received_by="")
    assert response.status_code == 400
    assert "请填写签收人姓名。" in response.text
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    assert "发放日期不能晚于今天。" in _issue(client, county, code, issued_on=future).text
    response = client.post(
        f"/network/cards/{county.v1.code}/issue/",
        {"mode": "bulk", "issued_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 400
    assert "请先勾选要标记为已发放的户。" in response.text
    assert not ContactCard.objects.filter(issued_at__isnull=False).exists()


def test_a_household_of_another_village_cannot_be_issued_through_this_one(network, client_for):
    county = network
    client = client_for("township_staff")  # may manage both villages
    response = _issue(client, county, county.households["H2"].code)
    assert response.status_code == 400
    assert "该户不在本村" in response.text
    response = client.post(
        f"/network/cards/{county.v1.code}/issue/",
        {"mode": "bulk", "households": [county.households["H2"].code],
         "issued_on": timezone.localdate().isoformat()},
    )  # fmt: skip
    assert response.status_code == 400
    assert not ContactCard.objects.exists()


@pytest.mark.parametrize(
    "persona", ["sibling", "other_township", "other_admin", "dept_handler", "deputy"]
)
def test_outsiders_get_404_on_the_village_page_printing_and_issuing(network, client_for, persona):
    county, client = network, client_for(persona)
    base = f"/network/cards/{county.v1.code}/"
    assert client.get(base).status_code == 404
    assert client.post(f"{base}print.pdf").status_code == 404
    assert _issue(client, county, county.households["H1a"].code).status_code == 404
    card = card_services.cards_ensure(actor=None, households=[county.households["H1a"]])
    token = card[county.households["H1a"].pk].token
    response = client.post(f"{base}reissue/", {"token": token, "reason": "遗失"})
    assert response.status_code == 404
    assert not ContactCard.objects.filter(issued_at__isnull=False).exists()
    assert ContactCard.objects.current().get().token == token


def test_viewing_without_managing_shows_no_forms_and_cannot_issue(network, client_for):
    county = network
    client = client_for("county_supervisor")  # VIEW_RESIDENTS, not MANAGE_NETWORK
    page = _page(client, county)
    assert "发放率" in page
    assert 'data-testid="issue-form"' not in page
    assert "print.pdf" not in page
    assert _issue(client, county, county.households["H1a"].code).status_code == 404
    assert client.post(f"/network/cards/{county.v1.code}/print.pdf").status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in(network, client_for):
    response = client_for("anonymous").get(f"/network/cards/{network.v1.code}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_page_shows_no_id_numbers_or_resident_phones(network, client_for):
    county = network
    card_services.cards_issue(actor=county.users["cadre"], households=[county.households["H1a"]])
    client = client_for("cadre")
    for page in (_page(client, county), _page(client, county, tab="issued")):
        for secret in _secrets(county, "H1a", "H1b"):
            assert secret not in page
    page = _page(client, county)
    assert "李秀英" in page
    assert county.households["H1b"].address in page


def test_village_page_queries_do_not_grow_with_households(network, client_for):
    county, client = network, client_for("cadre")

    def count(**params) -> int:
        client.get(f"/network/cards/{county.v1.code}/", params)  # warm per-process caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/network/cards/{county.v1.code}/", params).status_code == 200
        return len(queries)

    card_services.cards_issue(actor=county.users["cadre"], households=[county.households["H1a"]])
    few = count(), count(tab="issued")
    staff = county.users["township_staff"]
    new = [
        Household.objects.create(
            code=f"3301991012010{i + 10:03d}",
            group=(county.g1a, county.g1b)[i % 2],
            address=f"东风村{i}号",
            head_name=f"户主{i}",
        )
        for i in range(30)
    ]
    for household in new[:10]:
        ContactAssignment.objects.create(cadre=staff, household=household, assigned_by=staff)
    card_services.cards_ensure(actor=None, households=new[10:20])
    card_services.cards_issue(actor=county.users["cadre"], households=new[20:])
    assert (count(), count(tab="issued")) == few


def test_pending_list_is_paginated(network, client_for):
    county = network
    for i in range(55):
        Household.objects.create(code=f"33019910120199{i:02d}", group=county.g1b,
                                 address="东风村二组", head_name=f"户{i}")  # fmt: skip
    client = client_for("cadre")
    first = _page(client, county)
    assert len(_pending_codes(first)) == 50
    assert "1 / 2" in first
    second = _page(client, county, page=2)
    assert len(_pending_codes(second)) == 57 - 50


# --- Void and reissue ----------------------------------------------------------------------


def test_lost_card_is_voided_and_reissued_once(network, client_for):
    county, client = network, client_for("cadre")
    household = county.households["H1a"]
    _issue(client, county, household.code)
    old = ContactCard.objects.current().get(household=household)
    url = f"/network/cards/{county.v1.code}/reissue/"
    response = client.post(url, {"token": old.token, "reason": "遗失"})
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.voided_at is not None
    assert old.void_reason == "遗失"
    new = ContactCard.objects.current().get(household=household)
    assert new.token != old.token
    back = client.get(response["Location"]).text  # the new card, ready to print
    assert "已作废" in back
    assert new.token in back.split('data-testid="card-preview"', 1)[1]
    assert f'name="household" value="{household.code}"' in back
    assert new.issued_at is None
    assert household.code in _pending_codes(_page(client, county))
    assert _rate(_page(client, county)) == "0% / 99%"
    # A repeated submission replaces nothing more.
    assert client.post(url, {"token": old.token, "reason": "遗失"}).status_code == 302
    assert ContactCard.objects.filter(household=household).count() == 2
    assert ContactCard.objects.current().get(household=household).pk == new.pk
    anonymous = client_for("anonymous")
    assert anonymous.get(f"/k/{old.token}").status_code == 404
    assert anonymous.get(f"/k/{new.token}").status_code == 200
    voided = AuditEvent.objects.filter(object_id=str(old.pk), action=Action.UPDATE)
    assert any("voided_at" in e.changes for e in voided)


def test_reissue_needs_a_reason(network, client_for):
    county, client = network, client_for("cadre")
    card_services.cards_issue(actor=county.users["cadre"], households=[county.households["H1a"]])
    token = ContactCard.objects.get().token
    response = client.post(f"/network/cards/{county.v1.code}/reissue/", {"token": token})
    assert response.status_code == 400
    assert "请说明补发原因" in response.text
    assert ContactCard.objects.get().voided_at is None


# --- What a card shows -----------------------------------------------------------------------


def test_card_lists_the_network_cadres_offices_and_hotline(network):
    county = network
    h1a, h1b = county.households["H1a"], county.households["H1b"]
    card_a, card_b = build_cards(county.v1, [h1a, h1b])
    assert [p.name for p in card_a.leaders] == ["周组长"]
    assert [p.name for p in card_a.members] == ["吴成员"]
    assert [p.name for p in card_a.party_links] == ["郑党员"]  # no linked households: all
    assert [(p.name, p.phone) for p in card_a.liaisons] == [("王联络", LIAISON_PHONE)]
    [cadre] = card_a.cadres
    assert (cadre.name, cadre.phone, cadre.duties) == ("吴镇干", CADRE_PHONE, "每周走访")
    assert "组织委员" in cadre.post
    assert "城关镇民情民意联络服务中心" in cadre.post
    assert card_a.station.phone == "0571-88880001"
    assert card_a.center.phone == "0571-88880002"
    assert card_a.hotline == HOTLINE
    assert card_a.place == "清河县 城关镇 东风村 一组"
    assert [p.name for p in card_b.leaders] == ["冯二组长"]
    assert card_b.cadres == []
    assert card_b.liaisons == []


def test_a_party_member_linked_to_some_households_is_on_their_cards_only(network):
    county = network
    h1a = county.households["H1a"]
    neighbour = Household.objects.create(
        code="330199101201009", group=county.g1a, address="东风村一组9号", head_name="邻居"
    )
    post = GroupPost.objects.create(group=county.g1a, kind="party_link", name="钱党员")
    post.linked_households.set([neighbour])
    card_a, card_n = build_cards(county.v1, [h1a, neighbour])
    assert [p.name for p in card_a.party_links] == ["郑党员"]
    assert [p.name for p in card_n.party_links] == ["郑党员", "钱党员"]


# --- The batch PDF --------------------------------------------------------------------------


def test_village_cards_print_as_an_a4_pdf_with_embedded_font(network, client_for):
    county = network
    response = client_for("cadre").post(f"/network/cards/{county.v1.code}/print.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF-")
    disposition = response["Content-Disposition"]
    assert disposition.startswith('inline; filename="contact-cards-330199101201-all.pdf"')
    assert unquote(disposition.split("''", 1)[1]) == "东风村-民情联系卡-全村.pdf"
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait
    assert b"/FontFile2" in content
    assert b"STSong" not in content
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts
    assert all("WenQuanYiMicroHei" in name for name in fonts)

    text = pdf_text(content)
    cards = {c.household_id: c for c in ContactCard.objects.current()}
    for key in ("H1a", "H1b"):
        token = cards[county.households[key].pk].token
        assert f"{SITE}/k/{token}" in text  # printed under the QR code for those who type it
    for expected in ("民情联系卡", "张建国", "李秀英", "清河县 城关镇 东风村 一组", "周组长",
                     LEADER_PHONE, "吴成员", "郑党员", "王联络", LIAISON_PHONE, "吴镇干",
                     "组织委员", CADRE_PHONE, "每周走访", "0571-88880001", "0571-88880002",
                     HOTLINE, "冯二组长"):  # fmt: skip
        assert expected in text, expected
    for secret in _secrets(county, "H1a", "H1b"):
        assert secret not in text
        assert secret.encode() not in content


def test_printing_stamps_the_cards_and_is_audited_as_an_export(network, client_for):
    county = network
    client = client_for("cadre")
    before = AuditEvent.objects.filter(action=Action.EXPORT).count()
    client.post(f"/network/cards/{county.v1.code}/print.pdf")
    cards = list(ContactCard.objects.current())
    assert len(cards) == 2
    assert all(c.printed_at for c in cards)
    export = AuditEvent.objects.filter(action=Action.EXPORT).exclude(id__lt=0).first()
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == before + 1
    assert export.actor == county.users["cadre"]
    assert sorted(export.changes["tokens"]) == sorted(c.token for c in cards)
    # Printing again keeps the tokens: the cards already handed out stay valid.
    client.post(f"/network/cards/{county.v1.code}/print.pdf")
    assert sorted(c.token for c in ContactCard.objects.current()) == sorted(c.token for c in cards)


def test_a_get_on_the_print_address_changes_nothing(network, client_for):
    """Printing makes and stamps cards, so it is a POST: a link prefetch, a crawler or a
    reload must not print for the record."""
    county = network
    client = client_for("cadre")
    before = AuditEvent.objects.count()
    response = client.get(f"/network/cards/{county.v1.code}/print.pdf")
    assert response.status_code == 405
    assert not ContactCard.objects.exists()
    assert AuditEvent.objects.count() == before


def test_print_only_the_cards_not_yet_issued_or_one_household(network, client_for):
    county, client = network, client_for("cadre")
    _issue(client, county, county.households["H1a"].code)
    base = f"/network/cards/{county.v1.code}/print.pdf"
    text = pdf_text(client.post(base, {"which": "pending"}).content)
    assert "李秀英" in text
    assert "张建国" not in text
    text = pdf_text(client.post(base, {"household": county.households["H1a"].code}).content)
    assert "张建国" in text
    assert "李秀英" not in text
    _issue(client, county, county.households["H1b"].code)
    response = client.post(base, {"which": "pending"})
    assert response.status_code == 302  # nothing left to print


def test_many_cards_fill_six_to_a_page(network, client_for):
    county = network
    for i in range(11):
        Household.objects.create(code=f"33019910120199{i:02d}", group=county.g1b,
                                 address="东风村二组", head_name=f"户主{i}")  # fmt: skip
    content = client_for("cadre").post(f"/network/cards/{county.v1.code}/print.pdf").content
    assert len(PdfReader(io.BytesIO(content)).pages) == 3  # 13 cards
    assert "第 3/3 页" in pdf_text(content)


def test_printing_queries_do_not_grow_with_cards(network, client_for):
    county, client = network, client_for("cadre")
    url = f"/network/cards/{county.v1.code}/print.pdf"

    def count() -> int:
        client.post(url)  # makes the cards and warms per-process caches
        with CaptureQueriesContext(connection) as queries:
            assert client.post(url).status_code == 200
        return len(queries)

    few = count()
    staff = county.users["township_staff"]
    new = [
        Household.objects.create(
            code=f"3301991012010{i + 10:03d}",
            group=(county.g1a, county.g1b)[i % 2],
            address=f"东风村{i}号",
            head_name=f"户主{i}",
        )
        for i in range(30)
    ]
    for household in new[:10]:
        ContactAssignment.objects.create(cadre=staff, household=household, assigned_by=staff)
    post = GroupPost.objects.create(group=county.g1b, kind="party_link", name="钱党员")
    post.linked_households.set(new[1:9:2])
    Liaison.objects.create(
        group=county.g1b, name="孙联络", phone="13700000002", background="veteran",
        letter_number="QH-2026-002", appointed_on=dt.date(2026, 1, 5),
        appointed_by=county.users["county_admin"],
    )  # fmt: skip
    card_services.cards_issue(actor=county.users["cadre"], households=new[20:])
    assert count() == few


def test_build_cards_queries_do_not_grow_with_households(network):
    """A village of more than 200 households is read by its groups, not by household ids."""
    county = network
    Household.objects.bulk_create(
        Household(code=f"3301991012019{i:03d}", group=(county.g1a, county.g1b)[i % 2],
                  address=f"东风村{i}号", head_name=f"户主{i}")
        for i in range(240)
    )  # fmt: skip
    households = list(Household.objects.filter(group__parent=county.v1).select_related("group"))
    counts = []
    for n in (2, 150, len(households)):
        with CaptureQueriesContext(connection) as queries:
            cards = build_cards(county.v1, households[:n])
        assert len(cards) == n
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]


def test_a_crowded_group_still_prints_everyone(network, client_for):
    """A group too long for a card drops the duties, then runs people on, then shrinks:
    every name and phone stays on the card."""
    county = network
    duties = "收集本小组群众意见建议，及时报告；宣传政策；协助调处矛盾纠纷。"
    for i in range(16):
        GroupPost.objects.create(group=county.g1a, kind="member", name=f"钱成员{i:02d}",
                                 phone=f"136000001{i:02d}", duties=duties)  # fmt: skip
    content = client_for("cadre").post(f"/network/cards/{county.v1.code}/print.pdf").content
    text = re.sub(r"\s", "", pdf_text(content))
    for i in range(16):
        assert f"钱成员{i:02d}136000001{i:02d}" in text
    assert "全组联络" not in text  # 周组长's duties, dropped from the crowded card
    assert "周组长" in text
    assert "冯二组长" in text


@pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
    reason="needs poppler-utils and zbar-tools to decode the printed QR codes",
)
def test_printed_qr_codes_decode_to_the_card_urls(network, client_for, tmp_path: Path):
    county = network
    content = client_for("cadre").post(f"/network/cards/{county.v1.code}/print.pdf").content
    (tmp_path / "cards.pdf").write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", tmp_path / "cards.pdf", tmp_path / "page"], check=True
    )
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", *sorted(tmp_path.glob("page*.png"))],
        capture_output=True, text=True, check=False,
    ).stdout.split()  # fmt: skip
    expected = {f"{SITE}/k/{c.token}" for c in ContactCard.objects.current()}
    assert set(decoded) == expected


# --- The public landing page ------------------------------------------------------------------


def _token(county, key: str = "H1a") -> str:
    household = county.households[key]
    return card_services.cards_ensure(actor=None, households=[household])[household.pk].token


def test_landing_shows_the_place_people_and_hotline_without_sign_in(network, client_for):
    county = network
    client = client_for("anonymous")
    response = client.get(f"/k/{_token(county)}")
    assert response.status_code == 200
    page = response.text
    for expected in ("东风村", "城关镇", "周组长", LEADER_PHONE, "郑党员", "王联络",
                     LIAISON_PHONE, "吴镇干", CADRE_PHONE, HOTLINE, "0571-88880001"):  # fmt: skip
        assert expected in page, expected
    assert f'href="tel:{HOTLINE}"' in page
    assert f'href="/portal/submit/?card={_token(network)}"' in page
    assert response["X-Robots-Tag"] == "noindex"
    assert not response.cookies  # nothing stored about the visit
    assert "<script" not in page


def test_landing_never_shows_residents(network, client_for):
    county = network
    page = client_for("anonymous").get(f"/k/{_token(county)}").text
    assert "张建国" not in page  # not even the household head
    assert county.households["H1a"].code not in page
    assert county.households["H1a"].address not in page
    for secret in _secrets(county, "H1a", "H1b"):
        assert secret not in page


def test_landing_accepts_a_lower_case_token(network, client_for):
    token = _token(network)
    assert client_for("anonymous").get(f"/k/{token.lower()}").status_code == 200


def test_unknown_and_voided_tokens_are_a_chinese_404(network, client_for):
    county = network
    client = client_for("anonymous")
    token = _token(county)
    response = client.get("/k/ZZZZZZZZZZ")
    assert response.status_code == 404
    assert "联系卡无效" in response.text
    assert client.get("/k/%3Cscript%3E").status_code == 404
    card_services.card_void(actor=None, card=ContactCard.objects.get(token=token), reason="遗失")
    response = client.get(f"/k/{token}")
    assert response.status_code == 404
    assert "联系卡无效" in response.text
    assert "周组长" not in response.text


@pytest.mark.urls(__name__)
def test_landing_links_the_portal_submit_page_with_the_card(network, client_for):
    token = _token(network)
    page = client_for("anonymous").get(f"/k/{token}").text
    assert f'href="/portal/submit/?card={token}"' in page
    # Following it, the portal knows the card's place.
    form = client_for("anonymous").get(f"/portal/submit/?card={token}").text
    assert 'data-testid="from-card"' in form
    assert "东风村" in form


def test_staff_page_previews_the_card_with_an_inline_svg_qr(network, client_for):
    county = network
    token = _token(county)
    page = _page(client_for("cadre"), county)
    preview = page.split('data-testid="card-preview"', 1)[1]
    assert "<svg" in preview
    assert f"{SITE}/k/{token}" in preview
    assert "周组长" in preview
    assert HOTLINE in preview
