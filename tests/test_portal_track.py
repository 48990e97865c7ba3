"""Residents follow their matter with number + query code, and rate the answer once;
不满意 reopens it. The status page never shows names, phones or handlers."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from minqing.audit.models import Action, AuditEvent
from minqing.cases.models import Case
from minqing.cases.services import case_transition
from tests.test_portal_submit import form, receipt_of


def submitted(county, client, **extra) -> tuple[Case, str]:
    number, code = receipt_of(client.post("/portal/submit/", form(county, **extra)))
    return Case.objects.get(number=number), code


def answered(county, case: Case) -> Case:
    staff, cadre = county.users["township_staff"], county.users["cadre"]
    case_transition(case=case, action="assign", actor=staff, unit=county.station, note="请核实")
    case_transition(case=case, action="accept", actor=cadre)
    case_transition(case=case, action="start", actor=cadre)
    case_transition(case=case, action="extend", actor=cadre, note="需等供电所备件，下周更换",
                    deadline=case.deadline + dt.timedelta(days=7))  # fmt: skip
    case_transition(case=case, action="resolve", actor=cadre, answer="路灯已更换，恢复照明。")
    case_transition(case=case, action="answer", actor=cadre, answer_method="phone")
    return Case.objects.get(pk=case.pk)


def track(client, number: str, code: str):
    return client.post("/track/", {"number": number, "code": code})


def test_status_shows_progress_level_deadline_extension_and_answer(county, client):
    case, code = submitted(county, client)
    page = track(client, case.number, code.lower())  # codes are case-insensitive
    assert page.status_code == 200
    assert "已登记" in page.text
    answered(county, case)
    page = track(client, case.number, code).text
    assert "村(社区)联络服务站" in page  # the level it was assigned to
    assert "需等供电所备件，下周更换" in page  # the extension's reason
    assert "路灯已更换，恢复照明。" in page
    assert 'data-testid="rate-form"' in page


def test_status_page_never_shows_reporter_or_handler_details(county, client):
    case, code = submitted(county, client, name="张建国", phone="13800000001")
    answered(county, case)
    page = track(client, case.number, code).text
    for private in ("张建国", "13800000001", "赵村官", "吴镇干", case.original_text):
        assert private not in page


def test_wrong_codes_are_refused_and_logged(county, client):
    case, _code = submitted(county, client)
    page = track(client, case.number, "AAAAAAAA")
    assert page.status_code == 400
    assert "登记编号或查询码不正确" in page.text
    page = track(client, "NOSUCH", "AAAAAAAA")
    assert page.status_code == 400
    failures = AuditEvent.objects.filter(action=Action.DENIED, note__contains="群众端查询失败")
    assert failures.count() == 2
    assert failures.filter(object_id=case.number).exists()


def test_lookups_are_rate_limited_per_address(county, client, settings):
    settings.MINQING_PORTAL_LIMITS = {"submit_free": 3, "submit_per_hour": 30, "track_per_hour": 3}
    case, code = submitted(county, client)
    for _ in range(3):
        assert track(client, case.number, "AAAAAAAA").status_code == 400
    assert track(client, case.number, code).status_code == 429
    # Another address is not affected.
    assert client.post("/track/", {"number": case.number, "code": code},
                       REMOTE_ADDR="198.51.100.7").status_code == 200  # fmt: skip


def test_rating_once_per_answer_and_dissatisfied_reopens(county, client):
    case, code = submitted(county, client)
    answered(county, case)
    rate = {"number": case.number, "code": code, "rating": "dissatisfied", "comment": "灯还是不亮"}
    page = client.post("/portal/track/rate/", rate)
    assert page.status_code == 200
    case.refresh_from_db()
    assert case.status == "reopened"
    assert case.rating_comment == "灯还是不亮"
    assert case.reopen_count == 1
    # The same rating again is refused: the matter is no longer awaiting one.
    assert client.post("/portal/track/rate/", rate).status_code == 400
    assert case.events.filter(action="rate").count() == 1


def test_rating_needs_the_right_code_and_a_choice(county, client):
    case, code = submitted(county, client)
    answered(county, case)
    wrong = client.post("/portal/track/rate/", {"number": case.number, "code": "AAAAAAAA",
                                                "rating": "satisfied"})  # fmt: skip
    assert wrong.status_code == 400
    empty = client.post("/portal/track/rate/", {"number": case.number, "code": code})
    assert empty.status_code == 400
    assert "请选择满意、基本满意或不满意" in empty.text
    case.refresh_from_db()
    assert case.status == "answered"


def test_overdue_matters_say_so(county, client):
    case, code = submitted(county, client)
    Case.objects.filter(pk=case.pk).update(overdue_at=timezone.now())
    assert "已超过期限" in track(client, case.number, code).text


def test_english_pages_work(county, client):
    client.cookies["django_language"] = "en"
    assert client.get("/portal/").status_code == 200
    case, code = submitted(county, client)
    assert track(client, case.number, code).status_code == 200
