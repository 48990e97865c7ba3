"""民情日记: one matter per entry followed until its result, raised as a case in one step,
reviewed by supervisors, counted against the weekly quota, and compiled into a volume."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from minqing.audit.models import Action, AuditEvent
from minqing.cases.models import Case
from minqing.fieldwork.diary_selectors import team_progress, week_start, weekly_progress
from minqing.fieldwork.models import DiaryEntry, DiaryFollowUp, FieldworkRules
from minqing.fieldwork.services import (
    diary_follow_up_add,
    diary_raise_case,
    diary_record,
    diary_record_result,
    diary_review,
    diary_update,
)
from minqing.notify.models import Outbox
from minqing.org.roles import Rank, Role
from minqing.org.services import staff_create
from tests.conftest import PASSWORD

TODAY = timezone.localdate


def write(county, persona="cadre", **over) -> DiaryEntry:
    fields = {
        "node": county.g1a,
        "date": TODAY(),
        "category": "hot_issues",
        "title": "一组饮水井水量不足",
        "narrative": "张建国反映，入夏以来一组饮水井水量不足，十几户早晚排队打水。",
        "analysis": "井深不够，地下水位下降。",
        "measures": "建议申请农村饮水安全项目打深井。",
        "households": [county.households["H1a"]],
    }
    entry, _ = diary_record(author=county.users[persona], **(fields | over))
    return entry


def form_data(county, **over) -> dict:
    data = {
        "idempotency_key": "a" * 32,
        "date": TODAY().isoformat(),
        "node": county.g1a.pk,
        "place": "张建国家中",
        "category": "disputes",
        "title": "宅基地边界纠纷",
        "narrative": "张建国与邻居因宅基地边界发生争执，双方情绪激动。",
        "analysis": "老宅基地没有确权登记，边界不清。",
        "comment": "苗头性问题，需尽快调解。",
        "measures": "请村调解委员会现场丈量，组织双方调解。",
        "households": [county.households["H1a"].pk],
    }
    return data | over


@pytest.fixture
def leader(county):
    """A township leader of 城关镇: keeps a diary and reviews the township's."""
    user = staff_create(
        actor=None, username="leader", name="韩镇长", role=Role.TOWNSHIP_LEADER, node=county.t1,
        unit=county.center, password=PASSWORD, rank=Rank.SECTION,
    )  # fmt: skip
    county.users["leader"] = user
    return user


# --- writing entries ----------------------------------------------------------------------


def test_cadre_writes_an_entry_with_households_and_it_is_audited(county, client_for):
    client = client_for("cadre")
    page = client.get("/field/diary/new/")
    assert page.status_code == 200
    key = re.search(rb'name="idempotency_key" value="([0-9a-f]{32})"', page.content)
    assert key is not None
    response = client.post("/field/diary/new/", form_data(county, idempotency_key=key[1].decode()))
    entry = DiaryEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/field/diary/{entry.pk}/?saved=diary"
    assert (entry.author, entry.node, entry.category) == (
        county.users["cadre"],
        county.g1a,
        "disputes",
    )
    assert list(entry.households.all()) == [county.households["H1a"]]
    assert entry.comment == "苗头性问题，需尽快调解。"
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="fieldwork.diaryentry",
                                     object_id=str(entry.pk)).exists()  # fmt: skip
    detail = client.get(response["Location"]).content.decode()
    for text in (
        "宅基地边界纠纷",
        "老宅基地没有确权登记",
        "请村调解委员会现场丈量",
        "张建国",
        "农村矛盾纠纷",
    ):
        assert text in detail


def test_the_same_draft_posted_twice_is_stored_once(county, client_for):
    client = client_for("cadre")
    first = client.post("/field/diary/new/", form_data(county))
    second = client.post("/field/diary/new/", form_data(county, title="改过的标题"))
    assert DiaryEntry.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert DiaryEntry.objects.get().title == "宅基地边界纠纷"
    # Another draft key is another entry.
    client.post("/field/diary/new/", form_data(county, idempotency_key="b" * 32))
    assert DiaryEntry.objects.count() == 2


def test_a_draft_key_of_someone_else_is_refused_not_shown(county, client_for):
    write(county, idempotency_key="c" * 32)
    response = client_for("colleague").post(
        "/field/diary/new/", form_data(county, idempotency_key="c" * 32)
    )
    assert response.status_code == 200
    assert "草稿编号冲突" in response.content.decode()
    assert DiaryEntry.objects.count() == 1


def test_place_must_lie_in_the_authors_scope(county, client_for):
    response = client_for("cadre").post(
        "/field/diary/new/", form_data(county, node=county.v2.pk, households=[])
    )
    assert response.status_code == 200
    assert "所选地点不在您的辖区范围内" in response.content.decode()
    assert not DiaryEntry.objects.exists()


def test_households_must_lie_in_the_chosen_place(county, client_for):
    data = form_data(county, households=[county.households["H1b"].pk])  # 二组, entry in 一组
    response = client_for("cadre").post("/field/diary/new/", data)
    assert "以下户不在所选地点：李秀英" in response.content.decode()
    # A household of another village is not even a valid choice.
    data = form_data(county, households=[county.households["H2"].pk])
    assert client_for("cadre").post("/field/diary/new/", data).status_code == 200
    assert not DiaryEntry.objects.exists()


def test_future_dates_are_refused(county):
    with pytest.raises(ValidationError):
        write(county, date=TODAY() + dt.timedelta(days=1))


def test_finding_households_re_renders_the_form_without_saving(county, client_for):
    data = form_data(county, households=[], find="李秀英", search="1")
    response = client_for("cadre").post("/field/diary/new/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{county.households["H1b"].pk}"' in html
    assert "宅基地边界纠纷" in html  # what was typed is still there
    assert 'value="' + "a" * 32 + '"' in html  # and so is the draft's key
    assert not DiaryEntry.objects.exists()
    # The search never reaches outside the cadre's scope.
    data = form_data(county, households=[], find="王德明", search="1")
    assert (
        f'value="{county.households["H2"].pk}"'
        not in client_for("cadre").post("/field/diary/new/", data).content.decode()
    )


def test_the_form_offers_the_cadres_contact_households(county, client_for):
    from minqing.households.services import contact_assign

    contact_assign(actor=county.users["cadre"], cadre=county.users["cadre"], village=county.v1,
                   households=[county.households["H1b"]])  # fmt: skip
    html = client_for("cadre").get("/field/diary/new/").content.decode()
    assert "李秀英" in html
    assert "王德明" not in html


# --- who sees what ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["sibling", "colleague", "other_township", "other_admin",
                                     "township_staff", "deputy", "dept_handler"])  # fmt: skip
def test_outsiders_get_404_and_nothing_changes(county, client_for, persona):
    entry = write(county)
    client = client_for(persona)
    for url in (f"/field/diary/{entry.pk}/", f"/field/diary/{entry.pk}/edit/"):
        assert client.get(url).status_code == 404
    for url, data in [
        (f"/field/diary/{entry.pk}/follow-up/", {"date": TODAY().isoformat(), "text": "x"}),
        (f"/field/diary/{entry.pk}/result/", {"result": "x"}),
        (f"/field/diary/{entry.pk}/case/", {}),
        (f"/field/diary/{entry.pk}/review/", {"review_comment": "x"}),
    ]:
        assert client.post(url, data).status_code == 404
    entry.refresh_from_db()
    assert (entry.result, entry.case_id, entry.reviewed_at, entry.follow_ups.count()) == (
        "",
        None,
        None,
        0,
    )


def test_a_denied_look_at_an_entry_is_logged(county, client_for):
    entry = write(county)
    client_for("sibling").get(f"/field/diary/{entry.pk}/")
    assert AuditEvent.objects.filter(
        action=Action.DENIED, object_type="fieldwork.diaryentry"
    ).exists()


def test_reviewers_see_entries_in_their_scope_only(county, client_for, leader):
    entry = write(county)
    for persona in ("leader", "county_supervisor", "county_admin"):
        assert client_for(persona).get(f"/field/diary/{entry.pk}/").status_code == 200
    other = write(county, "other_township", node=county.v3, households=[])
    assert client_for("leader").get(f"/field/diary/{other.pk}/").status_code == 404
    assert client_for("county_supervisor").get(f"/field/diary/{other.pk}/").status_code == 200


def test_my_diary_lists_only_my_entries(county, client_for):
    write(county, title="我的那篇")
    write(county, "colleague", title="同事的那篇")
    html = client_for("cadre").get("/field/diary/").content.decode()
    assert "我的那篇" in html
    assert "同事的那篇" not in html


def test_my_diary_filters_by_category_and_period(county, client_for):
    write(county, title="饮水的事", category="hot_issues")
    write(county, title="上个月的事", category="economy", date=TODAY() - dt.timedelta(days=40))
    client = client_for("cadre")
    html = client.get("/field/diary/?category=economy").content.decode()
    assert ("上个月的事" in html, "饮水的事" in html) == (True, False)
    start = (TODAY() - dt.timedelta(days=7)).isoformat()
    html = client.get(f"/field/diary/?start={start}").content.decode()
    assert ("上个月的事" in html, "饮水的事" in html) == (False, True)


def test_roles_without_a_diary_have_no_diary_pages(client_for, county):
    for url in ("/field/diary/", "/field/diary/new/", "/field/diary/compile/"):
        assert client_for("deputy").get(url).status_code == 404
    assert client_for("cadre").get("/field/diary/review/").status_code == 404
    assert client_for("cadre").get("/field/diary/team/").status_code == 404


# --- correcting, following up, the result -------------------------------------------------


def test_author_edits_until_the_entry_is_reviewed(county, client_for, leader):
    entry = write(county)
    client = client_for("cadre")
    data = form_data(county, title="一组饮水井水量严重不足")
    response = client.post(f"/field/diary/{entry.pk}/edit/", data)
    assert response["Location"] == f"/field/diary/{entry.pk}/?saved=diary-{entry.pk}"
    entry.refresh_from_db()
    assert entry.title == "一组饮水井水量严重不足"
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(entry.pk)).exists()
    diary_review(entry=entry, reviewer=leader, comment="")
    client.post(f"/field/diary/{entry.pk}/edit/", form_data(county, title="再改"))
    entry.refresh_from_db()
    assert entry.title == "一组饮水井水量严重不足"
    with pytest.raises(ValidationError):
        diary_update(entry=entry, actor=county.users["cadre"], title="再改")


def test_follow_ups_are_appended_until_the_result_is_recorded(county, client_for, leader):
    entry = write(county)
    client = client_for("cadre")
    day = TODAY().isoformat()
    for _ in range(2):  # resent after a lost connection: stored once
        client.post(f"/field/diary/{entry.pk}/follow-up/", {"date": day, "text": "已报镇水利站"})
    # A reviewer may add what they know too.
    client_for("leader").post(
        f"/field/diary/{entry.pk}/follow-up/", {"date": day, "text": "镇里已立项"}
    )
    assert list(entry.follow_ups.values_list("text", flat=True)) == ["已报镇水利站", "镇里已立项"]

    response = client.post(
        f"/field/diary/{entry.pk}/result/", {"result": "新井已打好，十二户用上了水。"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.result_at is not None
    client.post(f"/field/diary/{entry.pk}/follow-up/", {"date": day, "text": "又去看了看"})
    assert entry.follow_ups.count() == 2
    with pytest.raises(ValidationError):
        diary_follow_up_add(entry=entry, actor=county.users["cadre"], date=TODAY(), text="再记一条")
    with pytest.raises(ValidationError):
        diary_record_result(entry=entry, actor=county.users["cadre"], result="改结果")
    html = client.get(f"/field/diary/{entry.pk}/").content.decode()
    assert "新井已打好，十二户用上了水。" in html
    assert 'data-testid="follow-up-form"' not in html


def test_a_follow_up_cannot_predate_the_entry(county):
    entry = write(county, date=TODAY() - dt.timedelta(days=3))
    with pytest.raises(ValidationError):
        diary_follow_up_add(entry=entry, actor=county.users["cadre"],
                            date=TODAY() - dt.timedelta(days=5), text="早了")  # fmt: skip
    assert not DiaryFollowUp.objects.exists()


# --- raising a case -----------------------------------------------------------------------


def test_raising_a_case_registers_it_once_with_the_entrys_words_and_households(county, client_for):
    entry = write(county, households=[county.households["H1a"]])
    client = client_for("cadre")
    for _ in range(2):
        assert client.post(f"/field/diary/{entry.pk}/case/").status_code == 302
    case = Case.objects.get()
    entry.refresh_from_db()
    assert entry.case == case
    assert case.idempotency_key == f"diary:{entry.pk}"
    assert (case.channel, case.node, case.created_by) == (
        "home_visit",
        county.g1a,
        county.users["cadre"],
    )
    assert entry.title in case.original_text
    assert entry.narrative in case.original_text
    assert case.proposal == entry.measures
    assert list(case.households.all()) == [county.households["H1a"]]
    assert case.reporter_name == "张建国"
    assert diary_raise_case(entry=entry, actor=county.users["cadre"]) == (case, False)

    html = client.get(f"/field/diary/{entry.pk}/").content.decode()
    assert f'href="/cases/{case.number}/"' in html
    assert case.get_status_display() in html
    assert timezone.localtime(case.deadline).strftime("%Y-%m-%d") in html
    assert 'data-testid="raise-case"' not in html


def test_the_entry_follows_the_cases_progress(county, client_for):
    from minqing.cases.services import case_transition

    entry = write(county)
    case, _ = diary_raise_case(entry=entry, actor=county.users["cadre"])
    staff = county.users["township_staff"]
    case_transition(case=case, action="assign", actor=staff, unit=county.station)
    html = client_for("cadre").get(f"/field/diary/{entry.pk}/").content.decode()
    assert "已交办" in html


def test_an_entry_without_households_raises_a_case_in_the_cadres_name(county):
    entry = write(county, households=[])
    case, created = diary_raise_case(entry=entry, actor=county.users["cadre"])
    assert created
    assert (case.reporter_name, case.reporter_work_unit) == ("赵村官", "东风村民情民意联络服务站")


def test_only_the_author_raises_the_case(county, client_for, leader):
    entry = write(county)
    assert client_for("leader").post(f"/field/diary/{entry.pk}/case/").status_code == 404
    with pytest.raises(ValidationError):
        diary_raise_case(entry=entry, actor=leader)
    assert not Case.objects.exists()


# --- review -------------------------------------------------------------------------------


def test_review_comment_is_audited_and_reaches_the_cadre(county, client_for, leader):
    entry = write(county)
    queue = client_for("leader").get("/field/diary/review/").content.decode()
    assert entry.title in queue
    response = client_for("leader").post(
        f"/field/diary/{entry.pk}/review/", {"review_comment": "抓紧对接水利站，月底前报结果。"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.reviewed_by, entry.review_comment) == (leader, "抓紧对接水利站，月底前报结果。")
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(entry.pk)).latest("at")
    assert event.actor == leader
    assert "review_comment" in event.changes
    message = Outbox.objects.get(recipient_user=county.users["cadre"])
    assert message.url == f"/field/diary/{entry.pk}/"
    # The cadre sees the comment on the entry, and a badge and a notice on their list.
    cadre = client_for("cadre")
    assert (
        "抓紧对接水利站，月底前报结果。" in cadre.get(f"/field/diary/{entry.pk}/").content.decode()
    )
    listing = cadre.get("/field/diary/").content.decode()
    assert 'data-testid="reviewed-badge"' in listing
    assert 'data-testid="comment-notice"' in listing
    # Reviewed entries leave the queue of pending ones.
    assert entry.title not in client_for("leader").get("/field/diary/review/").content.decode()


def test_reviewers_never_review_their_own_entries(county, leader):
    own = write(county, "leader", node=county.v1, households=[])
    with pytest.raises(ValidationError):
        diary_review(entry=own, reviewer=leader, comment="好")
    assert own.title not in [e.title for e in DiaryEntry.objects.filter(reviewed_at__isnull=False)]


def test_review_queue_is_scoped(county, client_for, leader):
    ours = write(county, title="东风村的事")
    theirs = write(county, "other_township", node=county.v3, households=[], title="南湾村的事")
    html = client_for("leader").get("/field/diary/review/").content.decode()
    assert (ours.title in html, theirs.title in html) == (True, False)
    assert client_for("leader").post(f"/field/diary/{theirs.pk}/review/", {}).status_code == 404
    html = client_for("county_supervisor").get("/field/diary/review/").content.decode()
    assert ours.title in html
    assert theirs.title in html
    assert (
        "东风村的事" not in client_for("other_admin").get("/field/diary/review/").content.decode()
    )


# --- quota --------------------------------------------------------------------------------


def test_weekly_progress_counts_my_entries_by_week(county, client_for):
    today = TODAY()
    for days_ago in (0, 0, 7, 21):
        write(county, date=today - dt.timedelta(days=days_ago))
    write(county, "colleague", date=today)  # someone else's entry counts for them only
    weeks = weekly_progress(county.users["cadre"], today=today)
    assert len(weeks) == 8
    assert weeks[0].start == week_start(today)
    assert [w.count for w in weeks[:5]] == [2, 1, 0, 1, 0]
    assert [w.met for w in weeks[:3]] == [True, True, False]
    html = client_for("cadre").get("/field/diary/").content.decode()
    assert "本周 2/1 篇" in html
    assert "本周 1/1 篇" in client_for("colleague").get("/field/diary/").content.decode()


def test_the_county_sets_the_weekly_quota(county):
    FieldworkRules.objects.create(county=county.county, diary_per_week=3)
    write(county)
    week = weekly_progress(county.users["cadre"])[0]
    assert (week.count, week.quota, week.met) == (1, 3, False)


def test_who_is_behind_for_a_township_leader(
    county, client_for, leader, django_assert_max_num_queries
):
    today = TODAY()
    write(county, date=today)  # cadre: done this week
    write(county, "colleague", date=today - dt.timedelta(days=7))  # colleague: only last week
    write(county, "other_township", node=county.v3, households=[], date=today)
    with django_assert_max_num_queries(3):
        progress = {p.cadre.username: p for p in team_progress(leader, today=today)}
    # Every diary keeper of 城关镇, and no one else (the deputy keeps no diary).
    assert set(progress) == {"cadre", "colleague", "sibling", "township_staff", "liaison", "leader"}
    assert (progress["cadre"].this_week, progress["cadre"].behind) == (1, False)
    assert (progress["colleague"].this_week, progress["colleague"].last_week) == (0, 1)
    assert progress["colleague"].behind
    assert not progress["colleague"].missed_last_week
    assert progress["sibling"].behind
    assert progress["sibling"].missed_last_week
    html = client_for("leader").get("/field/diary/team/").content.decode()
    behind = set(re.findall(r'data-behind="(\w+)"', html))
    assert behind == {"colleague", "sibling", "township_staff", "liaison", "leader"}


def test_county_supervisors_see_the_whole_county_behind_list(county, client_for):
    html = client_for("county_supervisor").get("/field/diary/team/").content.decode()
    assert 'data-behind="other_township"' in html
    assert 'data-behind="dept_handler"' in html
    assert (
        'data-behind="cadre"'
        not in client_for("other_admin").get("/field/diary/team/").content.decode()
    )


# --- the compiled volume ------------------------------------------------------------------


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def compile_url(**params) -> str:
    return "/field/diary/compile/?" + "&".join(f"{k}={v}" for k, v in params.items())


def test_volume_has_a_cover_a_table_of_contents_and_only_the_periods_entries(
    county, client_for, leader
):
    today = TODAY()
    start = today - dt.timedelta(days=20)
    first = write(county, title="一组饮水井水量不足", date=today - dt.timedelta(days=10))
    second = write(county, title="二组道路坑洼", date=today, node=county.g1b,
                   households=[county.households["H1b"]])  # fmt: skip
    write(county, title="去年的旧事", date=today - dt.timedelta(days=60))
    diary_follow_up_add(entry=first, actor=county.users["cadre"], date=today, text="已报镇水利站")
    diary_record_result(entry=first, actor=county.users["cadre"], result="新井已打好。")
    diary_review(entry=first, reviewer=leader, comment="处理及时。")
    url = compile_url(
        author=county.users["cadre"].pk, start=start.isoformat(), end=today.isoformat()
    )
    response = client_for("cadre").get(url)
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    pages = pdf_pages(content)
    assert "民情日记汇编" in pages[0]
    assert "赵村官" in pages[0]
    toc = pages[1]
    assert "目" in toc
    assert [first.title in toc, second.title in toc] == [True, True]
    # The page numbers printed after the dot leaders are the pages the entries start on.
    starts = [
        next(i for i, text in enumerate(pages, start=1) if i > 2 and entry.title in text)
        for entry in (first, second)
    ]
    assert [int(n) for n in re.findall(r"(?:\.\s+){3,}(\d+)", toc)] == starts == [3, 4]
    body = "\n".join(pages[2:])
    for text in ("已报镇水利站", "新井已打好。", "处理及时。", "韩镇长", "李秀英", "二组道路坑洼"):
        assert text in body
    assert "去年的旧事" not in "\n".join(pages)
    assert len(pages) == 4  # cover, contents, one page per entry
    assert first.get_category_display() in body


def test_volume_embeds_its_chinese_font_on_a4(county, client_for):
    write(county)
    content = (
        client_for("cadre")
        .get(
            compile_url(author=county.users["cadre"].pk, start=TODAY().replace(day=1), end=TODAY())
        )
        .content
    )
    assert b"/FontFile2" in content
    reader = PdfReader(io.BytesIO(content))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts
    assert all("WenQuanYiMicroHei" in name for name in fonts)
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)


def test_compiling_is_audited_as_an_export(county, client_for):
    entry = write(county)
    client_for("cadre").get(compile_url(start=TODAY().replace(day=1), end=TODAY()))
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.actor == county.users["cadre"]
    assert event.changes["entries"] == [entry.pk]


def test_a_cadre_compiles_only_their_own_diary(county, client_for):
    write(county, "colleague", title="同事的那篇", node=county.v1, households=[])
    response = client_for("cadre").get(
        compile_url(author=county.users["colleague"].pk, start=TODAY().replace(day=1), end=TODAY())
    )
    assert response["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()
    # A village asked for by a cadre is ignored: it is their own volume.
    response = client_for("cadre").get(
        compile_url(village=county.v1.pk, start=TODAY().replace(day=1), end=TODAY())
    )
    assert "同事的那篇" not in "\n".join(pdf_pages(response.content))


def test_a_reviewer_compiles_a_villages_volume(county, client_for, leader):
    write(county, title="赵的那篇")
    write(county, "colleague", title="钱的那篇", node=county.v1, households=[])
    write(county, "sibling", title="西岭村那篇", node=county.v2, households=[])
    response = client_for("leader").get(
        compile_url(village=county.v1.pk, start=TODAY().replace(day=1), end=TODAY())
    )
    text = "\n".join(pdf_pages(response.content))
    assert "东风村" in text
    assert ("赵的那篇" in text, "钱的那篇" in text, "西岭村那篇" in text) == (True, True, False)
    # Another township's village is not a choice for this leader.
    response = client_for("leader").get(
        compile_url(village=county.v3.pk, start=TODAY().replace(day=1), end=TODAY())
    )
    assert response["Content-Type"].startswith("text/html")


def test_compile_form_defaults_to_this_month(county, client_for):
    html = client_for("cadre").get("/field/diary/compile/").content.decode()
    assert f'value="{TODAY().replace(day=1).isoformat()}"' in html
    assert f'value="{TODAY().isoformat()}"' in html


def test_department_staff_write_entries_without_a_household_picker(county, client_for):
    client = client_for("dept_handler")
    html = client.get("/field/diary/new/").content.decode()
    assert 'name="households"' not in html
    data = form_data(county, node=county.v1.pk)
    del data["households"]
    response = client.post("/field/diary/new/", data)
    assert response.status_code == 302
    entry = DiaryEntry.objects.get()
    assert (entry.author, entry.node) == (county.users["dept_handler"], county.v1)
    # Department staff cannot register cases: the entry goes to a reviewer instead.
    assert 'data-testid="raise-case"' not in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("count", [2, 12])
def test_list_pages_cost_the_same_queries_however_many_entries(
    county, client_for, leader, django_assert_max_num_queries, count
):
    for i in range(count):
        write(county, title=f"第{i}篇", node=county.g1a if i % 2 else county.v1)
    cadre, reviewer = client_for("cadre"), client_for("leader")
    with django_assert_max_num_queries(15):
        assert cadre.get("/field/diary/").status_code == 200
    with django_assert_max_num_queries(15):
        assert reviewer.get("/field/diary/review/").status_code == 200
    with django_assert_max_num_queries(15):
        assert reviewer.get("/field/diary/team/").status_code == 200
