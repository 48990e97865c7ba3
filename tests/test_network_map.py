"""The liaison network map of a township (一张联络服务网络图): the page with its chart and
list, the JSON behind the chart, and the printable A3 PDF. Scoped like the rest of the
registry; counts per group come from a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from minqing.audit.models import Action, AuditEvent
from minqing.households.models import GroupPost, Household, Liaison, Resident, Tag
from minqing.households.services import tags_ensure_default
from minqing.lib.idcard import make_id_number
from minqing.org import services as org_services
from minqing.org.models import Level, Node

T1 = "330199101000"
T2 = "330199102000"
LEADER_PHONE = "13911112222"
LIAISON_PHONE = "13733334444"
# What roles that may not reveal residents' numbers (township staff) see of them.
LEADER_MASKED, LIAISON_MASKED = "139****2222", "137****4444"
_birthdays = (dt.date(1950, 1, 1) + dt.timedelta(days=n) for n in itertools.count())
URLS = ("/network/map/{}/", "/network/map/{}/data.json", "/network/map/{}/a3.pdf")


def add_household(group: Node, seq: int, *, hardship: bool = False, party: int = 0) -> Household:
    household = Household.objects.create(
        code=f"{group.code[:12]}{seq:04d}", group=group, address=f"{group.name}{seq}号",
        head_name=f"户主{seq}",
    )  # fmt: skip
    for i in range(party):
        Resident.objects.create(
            household=household, name=f"党员{seq}-{i}", relationship="other", gender="F",
            id_number=make_id_number(group.code[:6], _birthdays.__next__(), i),
            is_party_member=True,
        )  # fmt: skip
    if hardship:
        county_path = group.path[:6]
        household.tags.add(Tag.objects.get(county__path=county_path, code="hardship"))
    return household


def appoint(group: Node, name: str, phone: str, actor, *, ended: bool = False) -> Liaison:
    return Liaison.objects.create(
        group=group, name=name, phone=phone, background="old_party_member",
        letter_number=f"L-{group.code}-{name}", appointed_on=dt.date(2026, 1, 5),
        appointed_by=actor, ended_on=dt.date(2026, 2, 1) if ended else None,
    )  # fmt: skip


@pytest.fixture
def network(county):
    """东风村 (东片区): 一组 with 3 households (2 hardship, 2 Party members in one, 1 in
    another), a leader, two members, a linked Party member and a liaison (plus one dismissed);
    二组 has only the fixture's household. 西岭村 has no zone. 南湾村 (T2) has its own leader."""
    tags_ensure_default(county=county.county)
    tags_ensure_default(county=county.other_county)
    county.v1.zone = "东片区"
    county.v1.save()
    county.households["H1a"].tags.add(Tag.objects.get(county=county.county, code="hardship"))
    add_household(county.g1a, 11, hardship=True, party=2)
    add_household(county.g1a, 12, party=1)
    add_household(county.g2, 13, party=1)
    GroupPost.objects.create(group=county.g1a, kind="leader", name="孟组长", phone=LEADER_PHONE)
    GroupPost.objects.create(group=county.g1a, kind="member", name="韩成员", duties="调解纠纷")
    GroupPost.objects.create(group=county.g1a, kind="member", name="杨成员")
    GroupPost.objects.create(group=county.g1a, kind="party_link", name="朱党员")
    GroupPost.objects.create(group=county.g2, kind="leader", name="秦组长")
    GroupPost.objects.create(group=county.g3, kind="leader", name="尤组长")
    actor = county.users["township_staff"]
    appoint(county.g1a, "许联络", LIAISON_PHONE, actor)
    appoint(county.g1a, "何旧员", "13700000000", actor, ended=True)
    appoint(county.g3, "吕联络", "13755556666", county.users["county_admin"])
    return county


def data(client, township: str = T1) -> dict:
    response = client.get(f"/network/map/{township}/data.json")
    assert response.status_code == 200
    return response.json()


def groups_by_code(tree: dict) -> dict[str, dict]:
    return {
        group["code"]: group
        for zone in tree["zones"]
        for village in zone["villages"]
        for group in village["groups"]
    }


def villages_by_code(tree: dict) -> dict[str, dict]:
    return {v["code"]: v for zone in tree["zones"] for v in zone["villages"]}


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# --- counts and names ---------------------------------------------------------------------


def test_counts_per_group_households_hardship_and_party_members(network, client_for):
    tree = data(client_for("township_staff"))
    groups = groups_by_code(tree)
    count = lambda code: tuple(groups[code][k] for k in ("households", "hardship", "party_members"))  # noqa: E731
    assert count(network.g1a.code) == (3, 2, 3)
    assert count(network.g1b.code) == (1, 0, 0)
    assert count(network.g2.code) == (2, 0, 1)
    villages = villages_by_code(tree)
    assert (villages[network.v1.code]["households"], villages[network.v1.code]["hardship"]) == (
        4,
        2,
    )
    assert villages[network.v1.code]["group_count"] == 2
    assert (tree["households"], tree["hardship"], tree["party_members"]) == (6, 2, 4)
    assert tree["title"] == "城关镇民情民意联络服务网络图"
    assert tree["partial"] is False


def test_group_lists_its_leader_members_party_links_and_active_liaisons(network, client_for):
    # The county administrator may reveal residents' numbers: the network's in full.
    group = groups_by_code(data(client_for("county_admin")))[network.g1a.code]
    assert [(p["name"], p["phone"]) for p in group["leaders"]] == [("孟组长", LEADER_PHONE)]
    assert [p["name"] for p in group["members"]] == ["韩成员", "杨成员"]
    assert group["members"][0]["note"] == "调解纠纷"
    assert [p["name"] for p in group["party_links"]] == ["朱党员"]
    # A dismissed liaison is off the map.
    assert [(p["name"], p["phone"]) for p in group["liaisons"]] == [("许联络", LIAISON_PHONE)]


def test_villages_sit_under_their_zone_and_unzoned_villages_come_last(network, client_for):
    tree = data(client_for("township_staff"))
    zones = [(z["name"], [v["name"] for v in z["villages"]]) for z in tree["zones"]]
    assert zones == [("东片区", ["东风村"]), ("未分片区", ["西岭村"])]


def test_page_shows_the_chart_data_the_list_and_the_pdf_link(network, client_for):
    response = client_for("township_staff").get(f"/network/map/{T1}/")
    assert response.status_code == 200
    page = response.text
    assert "城关镇民情民意联络服务网络图" in page
    assert f'href="/network/map/{T1}/a3.pdf"' in page
    assert 'id="mq-network-data"' in page
    assert 'id="mq-network-chart"' in page
    assert "/static/vendor/echarts/echarts.min.js" in page
    assert "/static/js/network-map.js" in page
    for name in ("孟组长", LEADER_MASKED, "韩成员", "朱党员", "许联络", LIAISON_MASKED, "秦组长"):
        assert name in page
    assert LEADER_PHONE not in page
    assert "何旧员" not in page
    assert "南湾村" not in page
    assert "尤组长" not in page
    # The accessible list carries the counts of each group.
    row = page.split(f'data-group="{network.g1a.code}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-count="households">3<' in row
    assert 'data-count="hardship">2<' in row
    assert 'data-count="party_members">3<' in row
    # CSP: no inline script other than the JSON data block.
    assert "onclick" not in page
    for chunk in page.split("<script")[1:]:
        assert chunk.lstrip().startswith(("src=", 'type="application/json"', "id=")), chunk[:80]


def test_no_resident_id_numbers_anywhere(network, client_for):
    client = client_for("township_staff")
    ids = list(Resident.objects.exclude(id_number="").values_list("id_number", flat=True))
    page = client.get(f"/network/map/{T1}/").text
    json_text = client.get(f"/network/map/{T1}/data.json").content.decode()
    pdf = pdf_text(client.get(f"/network/map/{T1}/a3.pdf").content)
    for id_number in ids:
        assert id_number not in page
        assert id_number not in json_text
        assert id_number not in pdf


# --- scope --------------------------------------------------------------------------------


def test_county_admin_opens_every_township_in_the_county(network, client_for):
    client = client_for("county_admin")
    assert network.v3.code in villages_by_code(data(client, T2))
    assert set(villages_by_code(data(client, T1))) == {network.v1.code, network.v2.code}


def test_village_cadre_sees_only_their_village_and_is_told_so(network, client_for):
    client = client_for("cadre")
    tree = data(client)
    assert set(villages_by_code(tree)) == {network.v1.code}
    assert tree["partial"] is True
    assert (tree["households"], tree["hardship"]) == (4, 2)  # only 东风村's
    page = client.get(f"/network/map/{T1}/").text
    assert 'data-testid="map-partial"' in page
    assert "西岭村" not in page
    assert "秦组长" not in page
    text = pdf_text(client.get(f"/network/map/{T1}/a3.pdf").content)
    assert "本图仅含您辖区内的村(社区)：东风村" in text
    assert "西岭村" not in text
    # Their own township only.
    assert client.get(f"/network/map/{T2}/").status_code == 404


def test_liaison_sees_only_their_own_group(network, client_for):
    client = client_for("liaison")
    tree = data(client)
    assert set(villages_by_code(tree)) == {network.v1.code}
    assert set(groups_by_code(tree)) == {network.g1a.code}
    assert tree["partial"] is True
    # The village's own network pages are not theirs to open: no link to them.
    assert "/network/liaisons/" not in client.get(f"/network/map/{T1}/").text


def test_each_village_links_its_liaison_page_for_those_who_may_open_it(network, client_for):
    page = client_for("township_staff").get(f"/network/map/{T1}/").text
    for village in (network.v1, network.v2):
        assert f'href="/network/liaisons/{village.code}/"' in page


def test_township_staff_is_not_partial_and_sees_no_other_township(network, client_for):
    client = client_for("township_staff")
    assert 'data-testid="map-partial"' not in client.get(f"/network/map/{T1}/").text
    for url in URLS:
        assert client.get(url.format(T2)).status_code == 404


@pytest.mark.parametrize("persona", ["other_township", "other_admin", "dept_handler", "deputy"])
@pytest.mark.parametrize("url", URLS)
def test_outsiders_get_404(network, client_for, persona, url):
    assert client_for(persona).get(url.format(T1)).status_code == 404


def test_denied_access_is_audited(network, client_for):
    client = client_for("other_township")
    before = AuditEvent.objects.filter(action=Action.DENIED).count()
    client.get(f"/network/map/{T1}/data.json")
    assert AuditEvent.objects.filter(action=Action.DENIED).count() == before + 1


def test_unknown_code_and_a_village_code_are_404(network, client_for):
    client = client_for("county_admin")
    assert client.get("/network/map/330199199000/").status_code == 404
    assert client.get(f"/network/map/{network.v1.code}/").status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in(network, client_for):
    response = client_for("anonymous").get(f"/network/map/{T1}/data.json")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- PDF ----------------------------------------------------------------------------------


def test_pdf_is_inline_a3_landscape_with_an_ascii_fallback_name(network, client_for):
    response = client_for("township_staff").get(f"/network/map/{T1}/a3.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'inline; filename="network-map-{T1}.pdf"; ')
    assert unquote(disposition.split("''", 1)[1]) == "城关镇民情民意联络服务网络图.pdf"
    assert response["Cache-Control"] == "private, no-store"
    for page in PdfReader(io.BytesIO(response.content)).pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width == pytest.approx(1190.55, abs=0.5)
        assert height == pytest.approx(841.89, abs=0.5)


def test_pdf_embeds_only_the_cjk_truetype_font(network, client_for):
    content = client_for("township_staff").get(f"/network/map/{T1}/a3.pdf").content
    assert b"/FontFile2" in content
    assert b"STSong" not in content
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(io.BytesIO(content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts
    assert all("WenQuanYiMicroHei" in name for name in fonts)


def test_pdf_prints_the_network_with_phones_and_counts(network, client_for):
    text = pdf_text(client_for("township_staff").get(f"/network/map/{T1}/a3.pdf").content)
    for expected in (
        "城关镇民情民意联络服务网络图", "东片区", "未分片区", "东风村", "西岭村",
        f"孟组长 {LEADER_MASKED}", "韩成员", "朱党员", f"许联络 {LIAISON_MASKED}", "秦组长",
        "户数 3 · 困难户 2 · 党员 3",
    ):  # fmt: skip
        assert expected in text, expected
    assert "何旧员" not in text
    assert "尤组长" not in text


def test_pdf_stays_chinese_for_an_english_user(network, client_for):
    client = client_for("township_staff")
    client.cookies["django_language"] = "en"
    text = pdf_text(client.get(f"/network/map/{T1}/a3.pdf").content)
    assert "未分片区" in text
    assert "组长" in text


def _big_township(county, villages: int, groups: int) -> Node:
    """A township with `villages` × `groups`, a household and a leader per group."""
    township = org_services.node_create(
        actor=None, level=Level.TOWNSHIP, code="330199109000", name="大镇", parent=county.county
    )
    for v in range(1, villages + 1):
        village = org_services.node_create(
            actor=None, level=Level.VILLAGE, code=f"330199109{v:03d}", name=f"第{v}村",
            parent=township,
        )  # fmt: skip
        village.zone = f"第{(v - 1) // 5 + 1}片区"
        village.save()
        for g in range(1, groups + 1):
            group = org_services.node_create(
                actor=None, level=Level.GROUP, code=f"{village.code}{g:03d}", name=f"{g}组",
                parent=village,
            )  # fmt: skip
            add_household(group, g, hardship=g % 3 == 0, party=g % 2)
            GroupPost.objects.create(group=group, kind="leader", name=f"组长{v}-{g}", phone="139")
            GroupPost.objects.create(group=group, kind="member", name=f"成员{v}-{g}")
    return township


def test_pdf_runs_onto_more_a3_pages_each_with_the_title(county, client_for):
    tags_ensure_default(county=county.county)
    township = _big_township(county, villages=15, groups=10)
    content = client_for("county_admin").get(f"/network/map/{township.code}/a3.pdf").content
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) > 1
    for page in reader.pages:
        assert "大镇民情民意联络服务网络图" in page.extract_text()
    text = pdf_text(content)
    for v in range(1, 16):  # every group of every village is printed
        for g in range(1, 11):
            assert f"组长{v}-{g}" in text


def test_pdf_splits_a_group_longer_than_a_column(network, client_for):
    for i in range(250):
        GroupPost.objects.create(group=network.g1b, kind="member", name=f"长名单成员{i:03d}")
    content = client_for("township_staff").get(f"/network/map/{T1}/a3.pdf").content
    text = pdf_text(content)
    assert "二组（续）" in text
    assert "长名单成员000" in text
    assert "长名单成员249" in text


# --- queries ------------------------------------------------------------------------------


def test_query_count_does_not_grow_with_the_number_of_groups(county, client_for):
    tags_ensure_default(county=county.county)
    small = _big_township(county, villages=1, groups=2)
    client = client_for("county_admin")
    client.get(f"/network/map/{small.code}/data.json")  # warm up the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/network/map/{small.code}/data.json").status_code == 200
    for v in range(2, 9):  # the same township, now 8 villages × 2…6 groups
        village = org_services.node_create(
            actor=None, level=Level.VILLAGE, code=f"330199109{v + 100:03d}", name=f"新{v}村",
            parent=small,
        )  # fmt: skip
        for g in range(1, 7):
            group = org_services.node_create(
                actor=None, level=Level.GROUP, code=f"{village.code}{g:03d}", name=f"{g}组",
                parent=village,
            )  # fmt: skip
            add_household(group, g, hardship=True, party=1)
            GroupPost.objects.create(group=group, kind="leader", name=f"新组长{v}-{g}")
            appoint(group, f"联络{v}-{g}", "13700000001", county.users["county_admin"])
    with CaptureQueriesContext(connection) as many:
        tree = data(client, small.code)
    assert tree["group_count"] == 2 + 7 * 6
    assert len(many) == len(few)
    assert len(many) <= 12
