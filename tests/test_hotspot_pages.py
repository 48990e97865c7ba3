"""Hot-spot pages: the scoped list, the detail page (matters the viewer may see, place in the
tree, trend chart data and table, heat breakdown, agenda item), marking 已研判 (audited),
and the dashboard card — each for in-scope and out-of-scope personas."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from minqing.audit.models import AuditEvent
from minqing.cases.services import case_register
from minqing.org.models import Node
from minqing.textanalysis.models import HotSpot, HotSpotStatus
from minqing.textanalysis.services import hotspots_refresh
from tests.conftest import County

WELL = [
    "老水井这几天水发浑，全组都靠水井饮水",
    "水井的水有怪味，不敢饮水，请检测水质",
    "水井旁边有人倒垃圾，污水流进水井，饮水不安全",
    "水井的水浑浊发黄，饮水让人担心",
    "用水井的井水饮水，最近井水变黄了",
]
FARM = [
    "养猪场臭味很大，夏天不敢开窗",
    "养猪场粪水排进河沟，臭味很大",
    "养猪场的臭味和苍蝇影响生活",
    "养猪场粪水污染河沟，臭味熏人",
]


def register(node: Node, text: str, days_ago: int, n: int) -> None:
    case_register(
        actor=None, node=node, channel="hotline", nature="help", original_text=text,
        reporter_name=f"村民{n}", reporter_phone=f"1372222{n:04d}",
        reported_at=timezone.now() - dt.timedelta(days=days_ago, hours=1),
    )  # fmt: skip


@pytest.fixture
def spots(county: County) -> dict[str, HotSpot]:
    """A village hot spot in 东风村 (V1) and one in 南湾村 (V3, another township)."""
    for i, text in enumerate(WELL):
        register([county.g1a, county.g1b][i % 2], text, i, i)
    for i, text in enumerate(FARM):
        register(county.g3, text, i, 50 + i)
    hotspots_refresh(county=county.county)
    return {s.node.name: s for s in HotSpot.objects.select_related("node")}


def test_the_list_shows_the_hot_spots_inside_the_users_area(
    county: County, spots: dict[str, HotSpot], client_for
) -> None:
    assert set(spots) == {"东风村", "南湾村"}
    for persona, expected in [
        ("county_supervisor", {"东风村", "南湾村"}),
        ("township_staff", {"东风村"}),
        ("cadre", {"东风村"}),
        ("sibling", set()),
        ("other_township", {"南湾村"}),
    ]:
        response = client_for(persona).get("/insight/hot/")
        assert response.status_code == 200, persona
        shown = {s.node.name for s in response.context["spots"]}
        assert shown == expected, persona


def test_the_list_sorts_by_heat_and_filters_by_status(
    county: County, spots: dict[str, HotSpot], client_for
) -> None:
    client = client_for("county_supervisor")
    heats = [s.heat for s in client.get("/insight/hot/").context["spots"]]
    assert heats == sorted(heats, reverse=True)
    HotSpot.objects.filter(pk=spots["南湾村"].pk).update(status=HotSpotStatus.HANDLED)
    handled = client.get("/insight/hot/?status=handled").context["spots"]
    assert [s.node.name for s in handled] == ["南湾村"]


def test_cooled_hot_spots_show_only_when_asked(
    county: County, spots: dict[str, HotSpot], client_for
) -> None:
    HotSpot.objects.filter(pk=spots["南湾村"].pk).update(active=False)
    client = client_for("county_supervisor")
    assert {s.node.name for s in client.get("/insight/hot/").context["spots"]} == {"东风村"}
    shown = {s.node.name for s in client.get("/insight/hot/?cooled=1").context["spots"]}
    assert shown == {"东风村", "南湾村"}


def test_roles_without_insight_get_404(
    county: County, spots: dict[str, HotSpot], client_for
) -> None:
    for persona in ("dept_handler", "liaison", "deputy"):
        assert client_for(persona).get("/insight/hot/").status_code == 404, persona
        url = f"/insight/hot/{spots['东风村'].pk}/"
        assert client_for(persona).get(url).status_code == 404, persona
    assert client_for("anonymous").get("/insight/hot/").status_code == 302


def test_the_detail_page_shows_matters_place_chart_breakdown_and_agenda(
    county: County, spots: dict[str, HotSpot], client_for
) -> None:
    spot = spots["东风村"]
    response = client_for("township_staff").get(f"/insight/hot/{spot.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert [n.name for n, _ in response.context["crumbs"]] == ["清河县", "城关镇", "东风村"]
    assert len(response.context["cases"]) == spot.case_count == 5
    assert "东风村近14天有5户群众反映" in html
    assert 'id="mq-hot-chart"' in html
    assert "js/hotspot-chart.js" in html
    chart = json.loads(html.split('id="mq-hot-data" type="application/json">')[1].split("<")[0])
    assert len(chart["days"]) == 28
    assert sum(chart["counts"]) == 5
    assert chart["window_start"] == spot.window_start.isoformat()
    rows = response.context["rows"]  # the no-JavaScript table: same figures
    assert sum(n for _d, n, _cur in rows) == 5
    assert sum(1 for *_x, cur in rows if cur) == 14
    labels = [line.label for line in response.context["parts"]]
    assert labels[0] == "涉及户数"
    assert labels[-1] == "热度"
    assert "水井" in html
    assert "标记为已研判" in html


def test_outsiders_get_404_on_the_detail_page_and_nothing_changes(
    county: County, spots: dict[str, HotSpot], client_for
) -> None:
    spot = spots["东风村"]
    for persona in ("sibling", "other_township", "other_admin"):
        client = client_for(persona)
        assert client.get(f"/insight/hot/{spot.pk}/").status_code == 404, persona
        assert client.post(f"/insight/hot/{spot.pk}/handled/").status_code == 404, persona
    spot.refresh_from_db()
    assert spot.status != HotSpotStatus.HANDLED
    assert AuditEvent.objects.filter(action="denied", object_type="textanalysis.hotspot").exists()


def test_a_township_hot_spot_is_hidden_from_its_villages(county: County, client_for) -> None:
    for i, text in enumerate(WELL + WELL[:1]):
        register([county.g1a, county.g2][i % 2], text, i, i)
    for i, text in enumerate(FARM[:2]):
        register(county.g3, text, i, 50 + i)
    hotspots_refresh(county=county.county)
    spot = HotSpot.objects.get(node=county.t1)
    assert client_for("cadre").get(f"/insight/hot/{spot.pk}/").status_code == 404
    assert client_for("sibling").get(f"/insight/hot/{spot.pk}/").status_code == 404
    response = client_for("township_staff").get(f"/insight/hot/{spot.pk}/")
    assert len(response.context["cases"]) == 6
    assert response.context["hidden"] == 0


def test_the_detail_page_lists_only_matters_the_viewer_may_see(
    county: County, spots: dict[str, HotSpot], client_for
) -> None:
    # One of the cluster's matters has since been moved to 西岭村: 东风村's cadre no longer
    # sees it on the hot-spot page (Case.objects.for_user), the township still does.
    spot = spots["东风村"]
    moved = spot.cases.order_by("pk").first()
    type(moved).objects.filter(pk=moved.pk).update(node=county.g2, village=county.v2)
    response = client_for("cadre").get(f"/insight/hot/{spot.pk}/")
    assert moved not in response.context["cases"]
    assert len(response.context["cases"]) == 4
    assert response.context["hidden"] == 1
    assert moved.number not in response.content.decode()
    assert "另有 1 件事项不在您的查看范围内。" in response.content.decode()
    township = client_for("township_staff").get(f"/insight/hot/{spot.pk}/")
    assert moved in township.context["cases"]


def test_marking_a_hot_spot_handled_is_audited(
    county: County, spots: dict[str, HotSpot], client_for
) -> None:
    spot = spots["东风村"]
    client = client_for("township_staff")
    response = client.post(f"/insight/hot/{spot.pk}/handled/", {"note": "列入本周例会"})
    assert response.status_code == 302
    spot.refresh_from_db()
    assert spot.status == HotSpotStatus.HANDLED
    assert spot.handled_by == county.users["township_staff"]
    assert spot.handled_note == "列入本周例会"
    event = AuditEvent.objects.get(object_type="textanalysis.hotspot", action="update")
    assert event.changes["status"] == [HotSpotStatus.ALERT.value, "handled"]
    page = client.get(f"/insight/hot/{spot.pk}/").content.decode()
    assert "标记为已研判" in page
    assert "列入本周例会" in page
    # Twice is harmless: one audit record.
    client.post(f"/insight/hot/{spot.pk}/handled/")
    assert AuditEvent.objects.filter(object_type="textanalysis.hotspot").count() == 1


def test_the_handled_action_needs_post(
    county: County, spots: dict[str, HotSpot], client_for
) -> None:
    url = f"/insight/hot/{spots['东风村'].pk}/handled/"
    assert client_for("township_staff").get(url).status_code == 405


def test_the_dashboard_card_shows_the_top_hot_spots_in_scope(
    county: County, spots: dict[str, HotSpot], client_for
) -> None:
    response = client_for("county_supervisor").get("/")
    card = response.context["hot_spots"]
    assert [s.node.name for s in card] == [s.node.name for s in sorted(
        spots.values(), key=lambda s: -s.heat)][:3]  # fmt: skip
    html = response.content.decode()
    assert 'data-testid="hot-card"' in html
    assert f'href="/insight/hot/{spots["东风村"].pk}/"' in html
    sibling = client_for("sibling").get("/")
    assert sibling.context["hot_spots"] == []
    assert "您的辖区内暂无热点。" in sibling.content.decode()


def test_the_dashboard_card_is_not_shown_without_insight(
    county: County, spots: dict[str, HotSpot], client_for
) -> None:
    for persona in ("dept_handler", "liaison"):
        response = client_for(persona).get("/")
        assert response.context["hot_spots"] is None
        assert 'data-testid="hot-card"' not in response.content.decode()


def test_the_list_page_keeps_its_queries_few(
    county: County, spots: dict[str, HotSpot], client_for, django_assert_max_num_queries
) -> None:
    client = client_for("county_supervisor")
    client.get("/insight/hot/")
    with django_assert_max_num_queries(12):
        client.get("/insight/hot/")


def test_the_insight_menu_has_the_hot_spot_entry(county: County, client_for: object) -> None:
    client: Client = client_for("cadre")  # type: ignore[operator]
    html = client.get("/insight/hot/").content.decode()
    assert 'data-nav="hotspots"' in html


def test_only_the_supervising_level_may_mark_a_hot_spot_handled(
    county: County, spots: dict[str, HotSpot], client_for
) -> None:
    # The village's own cadre sees its hot spot but cannot silence the alert meant for the
    # township above it.
    spot = spots["东风村"]
    cadre = client_for("cadre")
    page = cadre.get(f"/insight/hot/{spot.pk}/").content.decode()
    assert 'data-testid="hot-handle-form"' not in page
    assert cadre.post(f"/insight/hot/{spot.pk}/handled/").status_code == 404
    spot.refresh_from_db()
    assert spot.status == HotSpotStatus.ALERT
    supervisor = client_for("county_supervisor")
    assert 'data-testid="hot-handle-form"' in supervisor.get(f"/insight/hot/{spot.pk}/").text
    assert supervisor.post(f"/insight/hot/{spot.pk}/handled/").status_code == 302


def test_a_reporter_who_names_himself_does_not_become_the_topic(county: County) -> None:
    for i, text in enumerate(WELL):
        case_register(
            actor=None, node=county.g1a, channel="hotline", nature="help",
            original_text=f"我是张建国，{text}", reporter_name="张建国",
            reported_at=timezone.now() - dt.timedelta(days=i, hours=1),
        )  # fmt: skip
    hotspots_refresh(county=county.county)
    spot = HotSpot.objects.get()
    assert "张建国" not in spot.topic
    assert "张建国" not in spot.agenda
    assert "张建国" not in " ".join(spot.keywords)
