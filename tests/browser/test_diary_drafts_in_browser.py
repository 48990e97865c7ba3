"""Offline drafts in a real browser on a 360-px phone: an entry submitted without a
connection waits on the device and sends itself once when the connection returns; what is
typed survives a reload."""

import re

import pytest

from minqing.fieldwork.models import DiaryEntry
from minqing.households.services import contact_assign
from tests.browser.test_case_loop_in_browser import sign_in

pytestmark = pytest.mark.browser

DRAFT_KEYS = "Object.keys(localStorage).filter(k => k.startsWith('mq-draft:diary:'))"


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    yield context
    context.close()


def fill_entry(page, title):
    page.select_option("#id_category", "hot_issues")
    page.fill("#id_title", title)
    page.fill("#id_narrative", "入夏以来一组饮水井水量不足，十几户早晚排队打水。")
    page.fill("#id_measures", "建议申请饮水安全项目打深井。")


def test_an_entry_sent_offline_is_stored_once_when_the_connection_returns(
    county, live_server, phone, artifacts
):
    page = phone.new_page()
    sign_in(page, live_server, "cadre")
    page.goto(f"{live_server.url}/field/diary/new/")
    # The form fits the phone and its controls are big enough to tap.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    heights = page.eval_on_selector_all(
        "form.mq-form input:not([type=hidden]):not([type=checkbox]), form.mq-form select,"
        " form.mq-form textarea, form.mq-form button",
        "els => els.map(e => e.getBoundingClientRect().height)",
    )
    assert min(heights) >= 44
    fill_entry(page, "一组饮水井水量不足")

    phone.set_offline(True)
    page.click("[data-testid=save-entry]")
    notice = page.locator(".mq-draft-notice")
    notice.wait_for()
    assert notice.inner_text() == "网络已断开：草稿已保存在本机，联网后会自动提交"
    page.screenshot(path=str(artifacts / "diary-offline-notice-360.png"), full_page=True)
    assert DiaryEntry.objects.count() == 0

    phone.set_offline(False)  # the form sends itself
    page.wait_for_url(re.compile(r"/field/diary/\d+/\?saved=diary$"))
    assert DiaryEntry.objects.count() == 1
    entry = DiaryEntry.objects.get()
    assert (entry.title, entry.author) == ("一组饮水井水量不足", county.users["cadre"])
    assert page.inner_text("[data-testid=entry-title]") == "一组饮水井水量不足"
    # Saved: the device forgets the draft, so the next entry starts empty.
    assert page.evaluate(DRAFT_KEYS) == []
    page.screenshot(path=str(artifacts / "diary-detail-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_draft_survives_a_reload_and_is_sent_with_its_own_key(county, live_server, phone):
    household = county.households["H1a"]
    cadre = county.users["cadre"]
    contact_assign(actor=cadre, cadre=cadre, village=county.v1, households=[household])
    page = phone.new_page()
    sign_in(page, live_server, "cadre")
    page.goto(f"{live_server.url}/field/diary/new/")
    fill_entry(page, "宅基地边界纠纷")
    page.check(f"input[name=households][value='{household.pk}']")
    key = page.input_value("[name=idempotency_key]")

    page.reload()
    assert page.inner_text(".mq-draft-notice") == "已恢复本机保存的草稿"
    assert page.input_value("#id_title") == "宅基地边界纠纷"
    assert page.input_value("#id_category") == "hot_issues"
    assert page.is_checked(f"input[name=households][value='{household.pk}']")
    assert page.input_value("[name=idempotency_key]") == key

    page.click("[data-testid=save-entry]")
    page.wait_for_url(re.compile(r"/field/diary/\d+/\?saved=diary$"))
    entry = DiaryEntry.objects.get()
    assert entry.idempotency_key == key
    assert list(entry.households.all()) == [household]

    # A fresh form: nothing restored, a new key.
    page.goto(f"{live_server.url}/field/diary/new/")
    assert page.locator(".mq-draft-notice").count() == 0
    assert page.input_value("#id_title") == ""
    assert page.input_value("[name=idempotency_key]") != key
