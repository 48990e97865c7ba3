"""Done-means of fieldwork, on a 360 × 740 phone: a township cadre records a home visit to
two households, turns one thing heard into a case and writes the week's diary entry linked
to it; the township leader reviews the entry and prints the month's volume."""

import io

import pytest
from pypdf import PdfReader

from minqing.cases.models import Case
from minqing.fieldwork.models import DiaryEntry, Visit
from minqing.org import services
from minqing.org.roles import Rank, Role
from tests.browser.test_case_loop_in_browser import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

HEARD = "村口路灯坏了三个月，晚上老人出门不方便。\n二组水渠堵了，下雨天淹到田里。"


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_township_cadre_records_a_visit_and_turns_an_item_into_a_case(
    county, live_server, browser, artifacts
):
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    phone = context.new_page()
    sign_in(phone, live_server, "township_staff")
    phone.goto(f"{live_server.url}/field/visits/new/")
    # Pick the village; its households appear (the select submits itself, or the button).
    phone.select_option("#id_place", county.v1.code)
    if phone.locator("input[name=households]").count() == 0:
        phone.click("[data-testid=pick-place]")
    h1a, h1b = county.households["H1a"], county.households["H1b"]
    phone.check(f"input[name=households][data-code='{h1a.code}']")
    phone.check(f"input[name=households][data-code='{h1b.code}']")
    phone.check("#id_facts")
    phone.check("#id_difficulties")
    phone.fill("#id_heard", HEARD)
    phone.fill("#id_promised", "路灯的事一周内答复。")
    assert fits(phone)
    phone.screenshot(path=str(artifacts / "visit-form-360.png"), full_page=True)
    phone.click("[data-testid=save-visit]")
    phone.wait_for_url(f"{live_server.url}/field/visits/*/")

    visit = Visit.objects.get()
    assert visit.visitor == county.users["township_staff"]
    assert set(visit.households.all()) == {h1a, h1b}
    assert (visit.facts, visit.difficulties, visit.feelings) == (True, True, False)
    assert fits(phone)
    assert phone.locator("[data-draft-clear=visit]").count() == 1

    # The first line heard, for 张建国's household, becomes a case.
    item = phone.locator("form[data-item='0']")
    assert "村口路灯坏了三个月" in item.locator("textarea[name=text]").input_value()
    item.locator("select[name=household]").select_option(str(h1a.pk))
    item.locator("button[type=submit]").click()
    phone.wait_for_url(f"{live_server.url}/field/visits/{visit.pk}/#cases")

    case = Case.objects.get()
    assert list(visit.cases.all()) == [case]
    assert list(case.households.all()) == [h1a]
    assert case.channel == "home_visit"
    assert case.reporter_name == "张建国"
    assert phone.locator(f"[data-case='{case.number}']").count() == 1
    assert fits(phone)
    phone.screenshot(path=str(artifacts / "visit-detail-360.png"), full_page=True)

    # The week's diary entry about that matter starts from the case: nothing retyped.
    phone.click(f"[data-case='{case.number}'] [data-testid=diary-from-case]")
    assert phone.input_value("#id_case") == case.number
    assert "村口路灯坏了三个月" in phone.input_value("#id_narrative")
    phone.select_option("#id_category", "hot_issues")
    phone.fill("#id_analysis", "路灯线路老化，维修责任在供电所。")
    phone.fill("#id_measures", "联系供电所一周内更换。")
    assert fits(phone)
    with phone.expect_navigation():
        phone.click("[data-testid=save-entry]")
    entry = DiaryEntry.objects.get()
    assert (entry.case, entry.author) == (case, county.users["township_staff"])
    assert list(entry.households.all()) == [h1a]
    assert phone.inner_text("[data-testid=case-status]") == case.get_status_display()
    assert phone.locator("[data-testid=raise-case]").count() == 0  # no second case
    phone.screenshot(path=str(artifacts / "diary-entry-360.png"), full_page=True)

    # The township leader reviews it and prints the month's volume.
    services.staff_create(actor=None, username="leader", name="郑镇长", role=Role.TOWNSHIP_LEADER,
                          node=county.t1, unit=county.center, password=PASSWORD,
                          rank=Rank.SECTION)  # fmt: skip
    desk = browser.new_context(locale="zh-CN").new_page()
    sign_in(desk, live_server, "leader")
    desk.goto(f"{live_server.url}/field/diary/review/")
    assert entry.title in desk.content()  # waiting for review
    desk.goto(f"{live_server.url}/field/diary/{entry.pk}/")
    desk.fill("textarea[name=review_comment]", "情况清楚，请跟踪到路灯修好。")
    desk.click("[data-testid=mark-reviewed]")
    entry.refresh_from_db()
    assert entry.reviewed_at is not None
    assert entry.reviewed_by.username == "leader"
    month = entry.date.replace(day=1).isoformat()
    pdf = desk.request.get(
        f"{live_server.url}/field/diary/compile/?author={entry.author_id}"
        f"&start={month}&end={entry.date.isoformat()}"
    )
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(
        "".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.body())).pages
    )
    assert "民情日记汇编" in text
    assert "情况清楚，请跟踪到路灯修好。" in text
    assert case.number in text

    # The cadre sees the comment.
    phone.goto(f"{live_server.url}/field/diary/{entry.pk}/")
    assert "情况清楚" in phone.inner_text("[data-testid=review-comment]")

    phone.goto(f"{live_server.url}/field/visits/progress/")
    assert fits(phone)
    assert phone.locator("[data-testid=my-progress]").count() == 1
    phone.screenshot(path=str(artifacts / "visit-progress-360.png"), full_page=True)
    context.close()
