"""Keyword trends in a real browser: a township clerk opens 关键词趋势 before the analysis
meeting, sees the ranking and the trend chart drawn, and switches to the quarter."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.utils import timezone

from minqing.cases.services import case_register
from minqing.textanalysis import keywords as kw
from minqing.textanalysis import segment
from minqing.textanalysis.models import InsightRules
from tests.browser.test_case_loop_in_browser import sign_in

pytestmark = pytest.mark.browser

# Six months of matters in 城关镇: the reservoir worry grows, street lights fade out.
MONTHLY = {
    dt.date(2026, 1, 1): ["东风水库渗水"] + ["村口路灯坏了"] * 3 + ["自来水停水"],
    dt.date(2026, 2, 1): ["东风水库渗水"] * 2 + ["村口路灯坏了"] * 2 + ["垃圾清运不及时"],
    dt.date(2026, 3, 1): ["东风水库大坝渗水"] * 3 + ["村口路灯坏了", "自来水浑浊"],
    dt.date(2026, 4, 1): ["东风水库大坝渗水"] * 4 + ["垃圾清运不及时"] * 2,
    dt.date(2026, 5, 1): ["东风水库大坝渗水加重"] * 5 + ["自来水浑浊"] * 2 + ["村道塌陷"],
    dt.date(2026, 6, 1): ["东风水库渗水"] * 6 + ["村道塌陷"] * 3 + ["垃圾清运不及时"],
}


@pytest.fixture
def matters(county, monkeypatch):
    monkeypatch.setattr(kw, "_file_store", LocMemCache("keyword-browser-tests", {}))
    kw._store().clear()
    added_before = set(segment._added)
    InsightRules.objects.create(county=county.county, custom_words="东风水库")
    places = [county.g1a, county.g1b, county.g2]
    for month, texts in MONTHLY.items():
        for i, text in enumerate(texts):
            case_register(
                actor=None, node=places[i % 3], channel="hotline", nature="help",
                original_text=f"{text}，请尽快处理。", reporter_name="张建国",
                reported_at=timezone.make_aware(dt.datetime.combine(month, dt.time(9)))
                + dt.timedelta(days=i),
            )  # fmt: skip
    yield county
    kw._store().clear()
    segment._segmenters.clear()
    for word in set(segment._added) - added_before:  # jieba's dictionary is per process
        segment._tokenizer().del_word(word)  # type: ignore[attr-defined]
        segment._added.discard(word)


def test_township_clerk_sees_keyword_ranking_and_trend_chart(matters, live_server, page, artifacts):
    sign_in(page, live_server, "township_staff")
    page.goto(f"{live_server.url}/insight/keywords/?period=2026-06&span=6")
    rows = page.locator("[data-testid=keyword-table] tbody tr")
    assert rows.first.get_attribute("data-word") == "东风水库"
    assert rows.first.get_attribute("data-count") == "6"
    assert page.locator("[data-word=塌陷][data-change=up]").count() == 1
    # The chart is drawn (ECharts' SVG renderer), with a line per keyword shown.
    page.wait_for_selector("#mq-keyword-chart svg path", state="attached")
    assert page.locator("#mq-keyword-chart svg").count() == 1
    assert "2026-01" in page.inner_text("#mq-keyword-chart")
    page.screenshot(path=str(artifacts / "keyword-trends-month.png"), full_page=True)

    page.select_option("#id_period", "2026-Q2")
    page.wait_for_url("**/insight/keywords/?*period=2026-Q2*")
    assert page.inner_text("[data-testid=period-matters]") == "24"
    assert (
        page.locator("[data-testid=keyword-table] tbody tr").first.get_attribute("data-word")
        == "东风水库"
    )
    page.wait_for_selector("#mq-keyword-chart svg path", state="attached")
    page.screenshot(path=str(artifacts / "keyword-trends-quarter.png"), full_page=True)


def test_keyword_page_fits_a_phone(matters, live_server, browser, artifacts):
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    sign_in(phone, live_server, "cadre")
    phone.goto(f"{live_server.url}/insight/keywords/?period=2026-06")
    phone.wait_for_selector("#mq-keyword-chart svg path", state="attached")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(artifacts / "keyword-trends-phone.png"), full_page=True)


def test_county_supervisor_narrows_to_a_township(matters, live_server, page, artifacts):
    sign_in(page, live_server, "county_supervisor")
    page.goto(f"{live_server.url}/insight/keywords/?period=2026-Q2&span=12")
    assert "清河县" in page.inner_text(".page-header")
    page.select_option("#id_township", matters.t1.code)
    page.wait_for_url(f"**township={matters.t1.code}*")
    assert "城关镇" in page.inner_text(".page-header")
    assert page.input_value("#id_period") == "2026-Q2"
    page.wait_for_selector("#mq-keyword-chart svg path", state="attached")
    page.screenshot(path=str(artifacts / "keyword-trends-county.png"), full_page=True)
