"""Done-means of the households issue, in a real browser: a village cadre imports the
village's ledger, assigns contact households to three cadres within quota, prints the
network map and the village's contact cards, hands out cards and sees the issuance rate
rise."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from openpyxl import Workbook

from minqing.households.models import ContactAssignment, ContactCard, ContactRules, Household
from minqing.households.services import tags_ensure_default
from minqing.lib.idcard import make_id_number
from minqing.org import services
from minqing.org.roles import Rank, Role
from tests.browser.test_case_loop_in_browser import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

HEADER = [
    "组别",
    "家庭住址",
    "姓名",
    "与户主关系",
    "性别",
    "身份证号",
    "联系电话",
    "政治面貌",
    "户类别",
]
TYPES = ["困难户", "老党员", "上访户", "个体工商户", "外来务工人员"]


def ledger(path, households: int = 12) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for n in range(households):
        group = "一组" if n % 2 else "二组"
        head = make_id_number("330199", dt.date(1960 + n, 5, 6), 300 + n)
        spouse = make_id_number("330199", dt.date(1962 + n, 7, 8), 400 + n)
        party = "中共党员" if n % 3 == 0 else "群众"
        sheet.append([group, f"东风村{group}{n + 1}号", f"户主{n:02d}", "户主", "男", head,
                      f"1370000{n:04d}", party, TYPES[n % 5]])  # fmt: skip
        sheet.append([group, "", f"配偶{n:02d}", "配偶", "女", spouse, "", "群众", ""])
    book.save(path)


def pdf_from(page, href: str) -> bytes:
    response = page.request.get(
        href if href.startswith("http") else page.url.split("/network/")[0] + href
    )
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    assert b"/FontFile2" in body
    return body


def test_village_cadre_builds_the_network_and_hands_out_cards(
    county, live_server, browser, artifacts, tmp_path
):
    tags_ensure_default(county=county.county)
    # The county counts contact households by rank: 一般干部 3 each.
    ContactRules.objects.create(county=county.county, quota_rule="rank")
    cadres = [county.users["township_staff"]] + [
        services.staff_create(
            actor=None,
            username=f"zg{n}",
            name=name,
            role=Role.TOWNSHIP_STAFF,
            node=county.t1,
            unit=county.center,
            password=PASSWORD,
            rank=Rank.GENERAL,
        )
        for n, name in enumerate(["冯镇干", "陈镇干"])
    ]
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server, "cadre")

    # 1. Import the village ledger: upload, the dry run is clean, confirm.
    file = tmp_path / "东风村台账.xlsx"
    ledger(file)
    page.goto(f"{live_server.url}/households/import/")
    page.select_option("#id_village", str(county.v1.pk))
    page.set_input_files("#id_file", str(file))
    page.click("form[enctype] button[type=submit]")
    page.click("[data-testid=commit]")
    page.wait_for_url(f"{live_server.url}/households/")
    assert Household.objects.filter(group__parent=county.v1).count() == 2 + 12

    # 2. Assign three households to each of three cadres: the screen proposes the tagged
    #    households, hardship first, and shows each cadre reaching the quota.
    contacts = f"{live_server.url}/network/contacts/{county.v1.code}/"
    for cadre in cadres:
        page.goto(contacts)
        page.select_option("#id_cadre", str(cadre.pk))
        boxes = page.locator("[data-testid=candidates] input[type=checkbox]")
        for n in range(3):
            boxes.nth(n).check()
        with page.expect_navigation():
            page.click("[data-testid=assign-form] form[method=post] button[type=submit]")
        assert page.url == contacts
        assert "现联系 3 户（定额 3 户）" in page.inner_text(".alert-success")
    for cadre in cadres:
        row = page.locator(f"tr[data-cadre={cadre.username}]")
        assert "3/3" in row.inner_text()
        assert "达标" in row.inner_text()
    assert ContactAssignment.objects.active().count() == 9
    first_proposed = ContactAssignment.objects.order_by("pk").first().household
    assert first_proposed.tags.filter(code="hardship").exists()
    page.screenshot(path=str(artifacts / "network-contacts.png"), full_page=True)

    # 3. The township's network map, and its A3 PDF.
    page.click("[data-testid=network-tabs] >> text=网络图")
    page.wait_for_url(re.compile(r".*/network/map/\d+/$"))
    assert "东风村" in page.content()
    page.screenshot(path=str(artifacts / "network-map.png"), full_page=True)
    pdf_from(page, page.get_attribute("a[href$='a3.pdf']", "href"))

    # 4. The village's contact cards: print them all, hand some out, watch the rate rise.
    page.goto(f"{live_server.url}/network/cards/{county.v1.code}/")
    rate = page.locator("[data-testid=issuance-rate]")
    assert rate.inner_text().startswith("0")
    printed = page.request.post(
        live_server.url + page.get_attribute("form[action*='print.pdf']", "action"),
        form={
            "csrfmiddlewaretoken": page.input_value(
                "form[action*='print.pdf'] [name=csrfmiddlewaretoken]"
            ),
            "which": "all",
        },
    )
    assert printed.status == 200
    assert printed.body().startswith(b"%PDF")
    assert ContactCard.objects.current().filter(household__group__parent=county.v1).count() == 14
    cards_issue(page, count=7)
    assert page.locator("[data-testid=issuance-rate]").inner_text().startswith("50")
    page.screenshot(path=str(artifacts / "network-cards.png"), full_page=True)
    assert (
        ContactCard.objects.filter(issued_at__isnull=False, issued_by=county.users["cadre"]).count()
        == 7
    )


def cards_issue(page, count: int) -> None:
    """Tick the first `count` households still without a card and record them as handed out."""
    form = page.locator("[data-testid=bulk-issue]")
    boxes = form.locator("input[type=checkbox]")
    for n in range(count):
        boxes.nth(n).check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
