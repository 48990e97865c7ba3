"""Done-means of the case loop, in a real browser: a township clerk registers a hotline
call and routes it to a village; the village cadre accepts, resolves, answers back and
records the resident's 满意; the timeline shows every step."""

import pytest

from minqing.cases.models import Case
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def do(page, action, fields=None):
    page.click(f"details[data-action={action}] summary")
    form = page.locator(f"details[data-action={action}] form")
    for name, value in (fields or {}).items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_hotline_call_goes_round_the_loop(county, live_server, browser, artifacts):
    clerk = browser.new_context(locale="zh-CN").new_page()
    sign_in(clerk, live_server, "township_staff")
    clerk.goto(f"{live_server.url}/cases/new/")
    clerk.fill("#id_original_text", "东风村一组村口路灯坏了三个月，晚上老人出门不方便。")
    clerk.select_option("#id_channel", "hotline")
    clerk.select_option("#id_node", str(county.g1a.pk))
    clerk.select_option("#id_nature", "help")
    clerk.fill("#id_reporter_name", "张建国")
    clerk.fill("#id_reporter_phone", "13800000001")
    clerk.click("button[type=submit].btn-lg")
    clerk.wait_for_url(f"{live_server.url}/cases/*/")
    number = clerk.inner_text("[data-testid=case-number]")
    assert Case.objects.get(number=number).status == "registered"
    do(clerk, "assign", {"unit": str(county.station.pk), "note": "请东风村核实处理"})
    assert clerk.inner_text("[data-testid=case-status]") == "已交办"

    cadre = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    sign_in(cadre, live_server, "cadre")
    cadre.goto(f"{live_server.url}/cases/")
    cadre.click(f"text={number}")
    do(cadre, "accept")
    do(cadre, "start")
    do(cadre, "resolve", {"answer": "已联系供电所更换路灯，当晚恢复照明。"})
    do(cadre, "answer", {"answer_method": "phone", "note": "电话告知张建国"})
    do(cadre, "rate", {"rating": "satisfied", "rating_comment": "很满意"})
    assert cadre.inner_text("[data-testid=case-status]") == "已评议"
    timeline = cadre.inner_text("[data-testid=timeline]")
    for step in ["登记", "交办", "签收", "开始办理", "办结", "反馈", "评议"]:
        assert step in timeline
    cadre.screenshot(path=str(artifacts / "case-loop-village-cadre.png"), full_page=True)
    case = Case.objects.get(number=number)
    assert (case.status, case.rating, case.handler) == ("rated", "satisfied", county.users["cadre"])
    assert case.events.count() == 7


def test_register_form_fits_a_360px_phone(county, live_server, browser):
    phone = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}).new_page()
    sign_in(phone, live_server, "cadre")
    phone.goto(f"{live_server.url}/cases/new/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    # Every input and select is a full-width Bootstrap control, at least 44 px tall.
    heights = phone.eval_on_selector_all(
        "form.mq-form input:not([type=hidden]):not([type=checkbox]), form.mq-form select",
        "els => els.map(e => e.getBoundingClientRect().height)",
    )
    assert heights
    assert min(heights) >= 44
