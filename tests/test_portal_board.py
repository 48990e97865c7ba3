"""The public board (公开栏): figures per place from aggregate queries, staff publishing an
anonymised result (audited, scoped, personal data refused), and open pages that never
show a reporter, a phone or the resident's own words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minqing.audit.models import Action as AuditAction
from minqing.audit.models import AuditEvent
from minqing.cases.models import Case
from minqing.cases.services import case_register, case_transition
from minqing.cases.workflow import Action, Status
from minqing.lib.public_text import public_text_errors
from minqing.org import services as org_services
from minqing.org.models import Level
from minqing.portal.board import Figures, period_starts, place_figures
from minqing.portal.models import BoardPost
from minqing.portal.services import board_publish

REPORTER = "张建国"
PHONE = "13800000001"
TEXT = "东风村一组的路灯坏了三个月，晚上老人出门看不清路，希望尽快修好。"


def register(county, node, text=TEXT, **extra):
    case, _ = case_register(
        actor=county.users["county_admin"], node=node, channel="hotline", nature="help",
        original_text=text, reporter_name=REPORTER, reporter_phone=PHONE,
        title="路灯维修", **extra,
    )  # fmt: skip
    return case


def resolve(county, case, *, answer="已更换路灯三盏，夜间照明恢复。", rating=""):
    staff, cadre = county.users["township_staff"], county.users["cadre"]
    unit = county.station if case.village_id == county.v1.pk else county.center
    case = case_transition(case=case, action=Action.ASSIGN, actor=staff, unit=unit)
    case = case_transition(case=case, action=Action.ACCEPT, actor=staff)
    case = case_transition(case=case, action=Action.START, actor=staff)
    case = case_transition(case=case, action=Action.RESOLVE, actor=staff, answer=answer)
    if rating:
        case = case_transition(case=case, action=Action.ANSWER, actor=cadre, answer_method="phone")
        case = case_transition(case=case, action=Action.RATE, actor=staff, rating=rating)
    return case


def move_created(case, when):
    Case.objects.filter(pk=case.pk).update(created_at=when)


@pytest.fixture
def known(county):
    """A known set of cases: on time and satisfied, late and basically satisfied,
    dissatisfied (reopened), open, merged, solved on the spot in V2, last year's, last
    month's, and one in the other township."""
    now = timezone.now()
    starts = period_starts(now)
    cases = {
        "on_time": resolve(county, register(county, county.g1a), rating="satisfied"),
        "late": resolve(
            county,
            register(county, county.g1a, deadline=now - dt.timedelta(days=1)),
            rating="basically",
        ),
        "dissatisfied": resolve(county, register(county, county.g1b), rating="dissatisfied"),
        "open": register(county, county.g1a),
        "v2": case_transition(
            case=register(county, county.g2),
            action=Action.SOLVE_ON_SPOT,
            actor=county.users["township_staff"],
            answer="已现场调解。",
        ),
        "old": resolve(county, register(county, county.g1a), rating="satisfied"),
        "last_month": resolve(county, register(county, county.g1a)),
        "t2": register(county, county.g3),
    }
    merged = register(county, county.g1a)
    cases["merged"] = case_transition(
        case=merged, action=Action.MERGE, actor=county.users["township_staff"],
        parent=cases["open"],
    )  # fmt: skip
    move_created(cases["old"], starts["year"] - dt.timedelta(days=1))
    move_created(cases["last_month"], starts["month"] - dt.timedelta(seconds=1))
    return cases


def test_figures_for_a_known_set(county, known):
    assert known["dissatisfied"].status == Status.REOPENED
    assert known["merged"].status == Status.MERGED
    january = period_starts()["month"].month == 1  # last month is then last year
    v1 = place_figures(county.v1)
    assert v1.month == Figures(collected=4, solved=2, on_time=1, rated=3, satisfied=2)
    assert v1.month.satisfaction == 67
    assert v1.year == (
        v1.month if january else Figures(collected=5, solved=3, on_time=2, rated=3, satisfied=2)
    )
    assert place_figures(county.v2).month == Figures(collected=1, solved=1, on_time=1)
    assert place_figures(county.v2).month.satisfaction is None
    t1 = place_figures(county.t1)
    assert t1.month == Figures(collected=5, solved=3, on_time=2, rated=3, satisfied=2)
    assert place_figures(county.t2).month == Figures(collected=1)
    assert place_figures(county.county).month.collected == 6
    assert place_figures(county.other_county).year == Figures()


def test_board_pages_show_the_figures_to_anonymous_visitors(county, known, client_for):
    anonymous = client_for("anonymous")
    index = anonymous.get("/portal/board/")
    assert index.status_code == 200
    assert "城关镇" in index.text
    assert "河口乡" in index.text
    assert f'href="/portal/board/{county.t1.code}/"' in index.text

    township = anonymous.get(f"/portal/board/{county.t1.code}/")
    assert township.status_code == 200
    month = township.text.split('data-period="month"')[1].split("</tr>")[0]
    assert [cell.split("<")[0] for cell in month.split('<td class="n">')[1:4]] == ["5", "3", "2"]
    assert "67%" in month
    assert f'data-place="{county.v1.code}"' in township.text  # children with figures
    assert f'data-place="{county.v2.code}"' in township.text
    assert "近期走访和说事日安排" in township.text
    assert 'data-testid="no-public-talk-days"' in township.text  # none scheduled: says so

    village = anonymous.get(f"/portal/board/{county.v1.code}/")
    assert village.status_code == 200
    assert "东风村" in village.text
    assert anonymous.get(f"/portal/board/{county.g1a.code}/").status_code == 404
    assert anonymous.get("/portal/board/999999999999/").status_code == 404
    assert anonymous.get("/portal/board/abc/").status_code == 404


def test_board_page_has_no_tabler_and_no_script(county, client_for):
    page = client_for("anonymous").get(f"/portal/board/{county.t1.code}/").text
    assert "portal/portal.css" in page
    assert "tabler" not in page.lower()
    assert "<script" not in page
    assert 'name="viewport"' in page


def publish_data(**overrides):
    data = {"summary": "东风村一组路灯维修", "result": "已更换路灯三盏，夜间照明恢复正常。"}
    data.update(overrides)
    return data


def test_cadre_publishes_and_withdraws_audited(county, known, client_for):
    case = known["on_time"]
    cadre = client_for("cadre")
    page = cadre.get(f"/cases/{case.number}/")
    assert 'data-action="board"' in page.text
    assert "发布到公开栏" in page.text
    # Prefilled from the case's summary and answer, editable.
    assert 'name="summary" value="路灯维修"' in page.text
    assert "已更换路灯三盏，夜间照明恢复。</textarea>" in page.text
    assert "不得出现姓名、电话、身份证号码和门牌号" in page.text

    response = cadre.post(f"/portal/board/publish/{case.number}/", publish_data())
    assert response.status_code == 302
    assert response["Location"].endswith(f"/cases/{case.number}/#board")
    post = BoardPost.objects.get(case=case)
    assert (post.published_by, post.withdrawn_at) == (county.users["cadre"], None)
    created = AuditEvent.objects.get(object_type="portal.boardpost", action=AuditAction.CREATE)
    assert created.actor == county.users["cadre"]
    assert created.changes["case"] == case.number

    anonymous = client_for("anonymous")
    for place in (county.v1, county.t1, county.county):
        text = anonymous.get(f"/portal/board/{place.code}/").text
        assert "东风村一组路灯维修" in text
        assert "已更换路灯三盏" in text
    assert "东风村一组路灯维修" not in anonymous.get(f"/portal/board/{county.v2.code}/").text

    response = cadre.post(f"/portal/board/withdraw/{case.number}/")
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.withdrawn_at is not None
    withdrawn = AuditEvent.objects.filter(object_type="portal.boardpost").latest("pk")
    assert withdrawn.action == AuditAction.UPDATE
    assert withdrawn.changes["withdrawn_at"][0] is None
    assert "东风村一组路灯维修" not in anonymous.get(f"/portal/board/{county.v1.code}/").text
    assert "已撤下" in cadre.get(f"/cases/{case.number}/").text

    # Publishing again brings it back, with the new text.
    cadre.post(f"/portal/board/publish/{case.number}/", publish_data(summary="路灯已修好"))
    post.refresh_from_db()
    assert (post.summary, post.withdrawn_at) == ("路灯已修好", None)
    assert "路灯已修好" in anonymous.get(f"/portal/board/{county.v1.code}/").text


def test_board_never_shows_reporter_phone_original_text_or_handler(county, known, client_for):
    for key in ("on_time", "late", "v2"):
        board_publish(
            case=known[key], actor=county.users["township_staff"],
            summary=f"公共事项{key}", result="已按程序办结。",
        )  # fmt: skip
    anonymous = client_for("anonymous")
    pages = ["/portal/board/"] + [
        f"/portal/board/{n.code}/" for n in (county.county, county.t1, county.v1, county.v2)
    ]
    for url in pages:
        text = anonymous.get(url).text
        for secret in (REPORTER, PHONE, TEXT[:12], "吴镇干", "赵村官", known["on_time"].number):
            assert secret not in text, (url, secret)
    assert "公共事项v2" in anonymous.get(f"/portal/board/{county.v2.code}/").text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("summary", "联系电话13912345678", "手机号码"),
        ("result", "请拨打 139-1234-5678 咨询", "手机号码"),
        ("result", "身份证33019919700101001X已核实", "身份证号码"),
        ("result", "已为张建国更换路灯。", "反映人"),
        ("summary", TEXT[:20], "照抄群众原话"),
    ],
)
def test_personal_data_is_refused_in_chinese(county, known, client_for, field, value, message):
    case = known["on_time"]
    response = client_for("cadre").post(
        f"/portal/board/publish/{case.number}/", publish_data(**{field: value})
    )
    assert response.status_code == 400
    assert message in response.text
    assert value in response.text  # the staff member's text is kept for correcting
    assert not BoardPost.objects.exists()


def test_text_checks():
    assert public_text_errors("路灯已修好，电话 0571-88888888 的单位负责维护") == []
    assert public_text_errors("１３９１２３４５６７８")  # full-width digits
    assert public_text_errors("330199197001010011")


def test_only_settled_cases_can_be_published(county, known, client_for):
    case = known["open"]
    assert 'data-action="board"' not in client_for("cadre").get(f"/cases/{case.number}/").text
    cadre = client_for("cadre")
    response = cadre.post(f"/portal/board/publish/{case.number}/", publish_data(), follow=True)
    assert "只有已办结的事项才能发布到公开栏" in response.text
    assert not BoardPost.objects.exists()


@pytest.mark.parametrize(
    "persona", ["sibling", "other_township", "other_admin", "deputy", "liaison", "dept_handler"]
)
def test_outsiders_and_non_publishers_get_404(county, known, client_for, persona):
    case = known["on_time"]
    board_publish(case=case, actor=county.users["cadre"], summary="路灯维修", result="已修好。")
    client = client_for(persona)
    assert client.post(f"/portal/board/publish/{case.number}/", publish_data()).status_code == 404
    assert client.post(f"/portal/board/withdraw/{case.number}/").status_code == 404
    assert BoardPost.objects.get(case=case).withdrawn_at is None
    page = client.get(f"/cases/{case.number}/")
    assert 'data-action="board"' not in page.text


@pytest.mark.parametrize("persona", ["township_staff", "county_supervisor", "county_admin"])
def test_publishers_above_the_village(county, known, client_for, persona):
    case = known["late"]
    response = client_for(persona).post(f"/portal/board/publish/{case.number}/", publish_data())
    assert response.status_code == 302
    assert BoardPost.objects.get(case=case).published_by == county.users[persona]


def test_publish_is_post_only_and_needs_csrf(county, known, client_for):
    case = known["on_time"]
    assert client_for("cadre").get(f"/portal/board/publish/{case.number}/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(county.users["cadre"])
    assert strict.post(f"/portal/board/publish/{case.number}/", publish_data()).status_code == 403
    anonymous = client_for("anonymous").post(f"/portal/board/publish/{case.number}/")
    assert anonymous.status_code == 302  # to the sign-in page
    assert not BoardPost.objects.exists()


def test_english(county, known, client_for):
    board_publish(
        case=known["on_time"], actor=county.users["cadre"], summary="路灯维修", result="已修好。"
    )
    anonymous = client_for("anonymous")
    anonymous.cookies["django_language"] = "en"
    for url in ("/portal/board/", f"/portal/board/{county.t1.code}/"):
        response = anonymous.get(url)
        assert response.status_code == 200
        assert '<html lang="en">' in response.text
    by_header = Client(headers={"accept-language": "en"}).get(f"/portal/board/{county.v1.code}/")
    assert by_header.status_code == 200
    assert '<html lang="en">' in by_header.text
    cadre = client_for("cadre")
    cadre.cookies["django_language"] = "en"
    assert cadre.get(f"/cases/{known['late'].number}/").status_code == 200


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_query_count_does_not_grow_with_cases_or_villages(county, known, client_for):
    anonymous = client_for("anonymous")
    board_publish(
        case=known["on_time"], actor=county.users["cadre"], summary="路灯维修", result="已修好。"
    )
    urls = ["/portal/board/"] + [
        f"/portal/board/{n.code}/" for n in (county.county, county.t1, county.v1)
    ]
    before = {url: queries(anonymous, url) for url in urls}

    for seq in range(3, 8):
        village = org_services.node_create(
            actor=None, level=Level.VILLAGE, code=f"330199101{200 + seq}", name=f"新村{seq}",
            parent=county.t1,
        )  # fmt: skip
        group = org_services.node_create(
            actor=None, level=Level.GROUP, code=f"{village.code}001", name="一组", parent=village
        )
        for _ in range(2):
            case = resolve(county, register(county, group), rating="satisfied")
            board_publish(
                case=case, actor=county.users["township_staff"], summary="事项", result="办结。"
            )
    org_services.node_create(
        actor=None, level=Level.TOWNSHIP, code="330199103000", name="新乡", parent=county.county
    )
    for _ in range(3):
        resolve(county, register(county, county.g1a), rating="basically")

    after = {url: queries(anonymous, url) for url in urls}
    assert after == before
    assert max(after.values()) <= 8


def test_posts_are_newest_first_and_paginated_by_20(county, client_for):
    staff = county.users["township_staff"]
    for seq in range(21):
        case = case_transition(
            case=register(county, county.g1a), action=Action.SOLVE_ON_SPOT, actor=staff,
            answer="已当场解决。",
        )  # fmt: skip
        board_publish(case=case, actor=staff, summary=f"公开事项第{seq:02d}号", result="已办结。")
    anonymous = client_for("anonymous")
    first = anonymous.get(f"/portal/board/{county.t1.code}/").text
    assert first.count('class="box post"') == 20
    assert first.index("公开事项第20号") < first.index("公开事项第19号")
    assert "公开事项第00号" not in first
    assert "?page=2" in first
    second = anonymous.get(f"/portal/board/{county.t1.code}/?page=2").text
    assert second.count('class="box post"') == 1
    assert "公开事项第00号" in second
