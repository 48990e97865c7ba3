"""Done-means of hot spots, in a real browser: the county supervisor opens the dashboard,
sees the village's well problem as a hot spot, opens it, and finds its matters, its place in
the tree and the trend chart drawn; then marks it 已研判."""

import datetime as dt

import pytest
from django.utils import timezone

from minqing.cases.services import case_register
from minqing.textanalysis.services import hotspots_refresh
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

WELL = [
    "老水井这几天水发浑，全组都靠水井吃水",
    "水井的水有怪味，不敢喝，请检测水井水质",
    "水井旁边有人倒垃圾，污水流进水井",
    "水井的水浑浊发黄，水质让人担心",
    "用水井的井水做饭，最近井水变黄了",
    "水井年久失修，井口没有盖板，水质差",
]


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_supervisor_sees_the_hot_spot_and_its_matters(county, live_server, page, artifacts):
    now = timezone.now()
    for i, text in enumerate(WELL):
        case_register(
            actor=None, node=[county.g1a, county.g1b][i % 2], channel="hotline", nature="help",
            original_text=text, reporter_name=f"村民{i}", reporter_phone=f"137000000{i:02d}",
            reported_at=now - dt.timedelta(days=[0, 1, 1, 3, 6, 9][i], hours=2),
        )  # fmt: skip
    case_register(
        actor=None, node=county.g3, channel="hotline", nature="consult",
        original_text="低保申请交上去两个月了，不知道进展", reporter_name="刘桂兰",
    )  # fmt: skip
    hotspots_refresh(county=county.county)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    sign_in(page, live_server, "county_supervisor")
    card = page.locator("[data-testid=hot-card]")
    assert "东风村" in card.inner_text()
    assert "水井" in card.inner_text()
    page.screenshot(path=str(artifacts / "hotspot-dashboard.png"), full_page=True)

    card.locator("[data-testid=hot-card-item]").first.click()
    page.wait_for_url(f"{live_server.url}/insight/hot/*/")
    assert page.inner_text("[data-testid=hot-breadcrumb]").split() == ["清河县", "城关镇", "东风村"]
    cases = page.locator("[data-testid=hot-cases] tbody tr")
    assert cases.count() == 6
    assert "水井" in page.inner_text("[data-testid=hot-cases]")
    page.wait_for_selector("#mq-hot-chart[data-ready='1'] svg")
    bars = page.locator("#mq-hot-chart svg path").count()
    assert bars > 5
    assert "东风村近14天有6户群众反映" in page.inner_text("[data-testid=hot-agenda]")
    assert "热度" in page.inner_text("[data-testid=hot-breakdown]")
    page.screenshot(path=str(artifacts / "hotspot-detail.png"), full_page=True)

    page.fill("[data-testid=hot-handle-form] input[name=note]", "列入本周分析会")
    page.click("[data-testid=hot-handle-form] button[type=submit]")
    page.wait_for_selector("[data-testid=hot-handled]")
    assert "列入本周分析会" in page.inner_text("[data-testid=hot-handled]")
    page.goto(f"{live_server.url}/insight/hot/")
    rows = page.locator("[data-testid=hot-table] tbody tr")
    assert rows.count() == 1
    assert "已研判" in rows.first.inner_text()
    page.screenshot(path=str(artifacts / "hotspot-list.png"), full_page=True)
    assert errors == []


def test_the_detail_page_works_on_a_phone(county, live_server, browser, artifacts):
    now = timezone.now()
    for i, text in enumerate(WELL[:4]):
        case_register(
            actor=None, node=county.g1a, channel="hotline", nature="help", original_text=text,
            reporter_name=f"村民{i}", reporter_phone=f"137000001{i:02d}",
            reported_at=now - dt.timedelta(days=i, hours=2),
        )  # fmt: skip
    hotspots_refresh(county=county.county)
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    sign_in(phone, live_server, "township_staff")
    phone.click("[data-testid=hot-card-item]")
    phone.wait_for_selector("#mq-hot-chart[data-ready='1'] svg")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(artifacts / "hotspot-detail-phone.png"), full_page=True)
