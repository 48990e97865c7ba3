"""Done-means of the portal, on a phone: a resident files a matter anonymously, gets
number + query code, sees it routed and answered, rates it 不满意 and sees it reopen."""

from __future__ import annotations

import re

import pytest

from minqing.cases.models import Case
from minqing.cases.services import case_transition

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


def page_weight(page, base: str) -> int:
    """Bytes of the current page's HTML plus every stylesheet, icon and script it links."""
    html = page.request.get(page.url).body()
    links = re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)
    return len(html) + sum(len(page.request.get(base + link.decode()).body()) for link in links)


def test_resident_files_follows_and_rates_on_a_phone(county, live_server, browser, artifacts):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()

    page.goto(f"{live_server.url}/portal/")
    page.click("[data-testid=start-submit]")
    page.select_option("#village", county.v1.code)
    page.click("button[type=submit]")
    submit_page_bytes = page_weight(page, live_server.url)
    page.fill("#id_text", "东风村一组水井边的护栏倒了，小孩在旁边玩很危险。")
    page.select_option("#id_group", str(county.g1a.pk))
    page.check("#id_anonymous")
    page.screenshot(path=str(artifacts / "portal-submit-phone.png"), full_page=True)
    page.click("[data-testid=submit]")
    number = page.inner_text("[data-testid=number]")
    code = page.inner_text("[data-testid=code]")
    page.screenshot(path=str(artifacts / "portal-receipt-phone.png"), full_page=True)
    case = Case.objects.get(number=number)
    assert case.anonymous
    assert case.channel == "portal"
    # Uncompressed; the issue asks for under 100 KB without images.
    assert submit_page_bytes < 100_000, submit_page_bytes
    (artifacts / "portal-submit-bytes.txt").write_text(str(submit_page_bytes))

    # The township routes it to the village, which fixes it and answers back.
    staff, cadre = county.users["township_staff"], county.users["cadre"]
    case_transition(case=case, action="assign", actor=staff, unit=county.station, note="请处理")
    for action in ("accept", "start"):
        case_transition(case=case, action=action, actor=cadre)
    case_transition(case=case, action="resolve", actor=cadre, answer="护栏已重新固定。")
    case_transition(case=case, action="answer", actor=cadre, answer_method="board")

    page.goto(f"{live_server.url}/track/")
    page.fill("#id_number", number)
    page.fill("#id_code", code)
    page.click("[data-testid=track]")
    assert page.inner_text("[data-testid=status-label]") == "已反馈"
    assert "村(社区)联络服务站" in page.inner_text("[data-testid=level]")
    assert "护栏已重新固定" in page.inner_text("[data-testid=answer]")
    page.check("input[value=dissatisfied]")
    page.fill("#id_comment", "护栏还是松的")
    page.click("[data-testid=rate]")
    assert page.inner_text("[data-testid=status-label]") == "重新办理"
    page.screenshot(path=str(artifacts / "portal-reopened-phone.png"), full_page=True)
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    case.refresh_from_db()
    assert (case.status, case.rating) == ("reopened", "dissatisfied")
    context.close()
