"""Similar matters in a real browser: the clerk registering a second call about the same well
is shown the first one (score and shared words) before saving; on the case page the
"相似事项" card loads by htmx, and the village cadre merges the duplicate into it after a
plain confirmation form."""

import pytest

from minqing.cases.models import Case
from minqing.cases.services import case_register
from minqing.textanalysis import similar_index
from tests.browser.test_case_loop_in_browser import sign_in

pytestmark = pytest.mark.browser

FIRST = "东风村一组的水井干了，全组吃水困难，希望尽快打一口新井。"
SECOND = "东风村二组水井没水了，吃水很困难，请村里想办法。"


def register(county, node, text):
    case, _ = case_register(
        actor=None, node=node, channel="walk_in", nature="help", original_text=text,
        reporter_name="李秀英",
    )  # fmt: skip
    return case


def test_clerk_sees_the_same_well_and_the_cadre_merges_the_duplicate(
    county, live_server, browser, artifacts
):
    similar_index.reset()
    first = register(county, county.g1a, FIRST)
    register(county, county.g1a, "村口路灯坏了一个多月，晚上老人出门看不清路。")
    register(county, county.g3, "南湾村一组的水井干了，全组吃水困难，希望尽快打一口新井。")

    clerk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1100}).new_page()
    sign_in(clerk, live_server, "township_staff")
    clerk.goto(f"{live_server.url}/cases/new/")
    clerk.fill("#id_original_text", SECOND)
    clerk.select_option("#id_channel", "hotline")
    clerk.select_option("#id_node", str(county.g1b.pk))
    clerk.select_option("#id_nature", "help")
    clerk.fill("#id_reporter_name", "李秀英")
    clerk.click("button[type=submit].btn-lg")
    warning = clerk.locator("[data-testid=similar-cases]")
    warning.wait_for()
    assert first.number in warning.inner_text()
    assert "相似度" in warning.inner_text()
    assert warning.locator("mark", has_text="水井").count() >= 1
    warning.screenshot(path=str(artifacts / "similar-register-warning.png"))
    clerk.click("button[name=confirm_new]")
    clerk.wait_for_url(f"{live_server.url}/cases/*/")
    duplicate = Case.objects.get(original_text=SECOND)

    cadre = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1400}).new_page()
    sign_in(cadre, live_server, "cadre")
    cadre.goto(f"{live_server.url}/cases/{duplicate.number}/")
    match = cadre.locator(f"[data-testid=similar-match][data-number='{first.number}']")
    match.wait_for()
    card = cadre.locator("[data-testid=similar-matters]")
    assert "南湾村" not in card.inner_text()  # the cadre's scope is 东风村
    cadre.screenshot(path=str(artifacts / "similar-case-page.png"), full_page=True)
    match.locator("summary", has_text="并入该事项").click()
    confirm = match.locator("form button[type=submit]")
    confirm.wait_for()
    card.screenshot(path=str(artifacts / "similar-merge-confirm.png"))
    confirm.click()
    cadre.wait_for_url(f"{live_server.url}/cases/{duplicate.number}/")
    assert cadre.inner_text("[data-testid=case-status]") == "已并单"
    duplicate.refresh_from_db()
    assert duplicate.parent == first
