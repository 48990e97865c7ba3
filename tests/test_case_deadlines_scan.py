"""The deadline scan with a moved clock: reminder before the deadline, overdue after it,
automatic supervision by the level above — and a second run changes nothing."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from minqing.cases.models import Case, Supervision
from minqing.cases.selectors import supervision_list
from minqing.cases.services import (
    case_register,
    case_transition,
    deadlines_scan,
    supervision_record,
)


@pytest.fixture
def assigned(county):
    case, _ = case_register(
        actor=None, node=county.g1a, channel="hotline", nature="help",
        original_text="一组水井抽不上水", reporter_name="张建国",
    )  # fmt: skip
    return case_transition(case=case, action="assign", actor=None, unit=county.station)


def test_reminder_comes_once_inside_the_reminder_window(county, assigned):
    too_early = assigned.deadline - dt.timedelta(hours=30)
    assert deadlines_scan(now=too_early).reminded == 0
    inside = assigned.deadline - dt.timedelta(hours=12)
    assert deadlines_scan(now=inside).reminded == 1
    assert deadlines_scan(now=inside + dt.timedelta(minutes=5)).reminded == 0
    assert assigned.events.filter(action="remind").count() == 1


def test_overdue_case_is_marked_and_supervised_by_the_level_above(county, assigned):
    after = assigned.deadline + dt.timedelta(minutes=1)
    report = deadlines_scan(now=after)
    assert (report.overdue, report.supervised) == (1, 1)
    case = Case.objects.get(pk=assigned.pk)
    assert case.overdue_at == after
    assert case.unit == county.station  # the handler keeps it; the township watches it
    supervision = Supervision.objects.get(case=case)
    assert supervision.unit == county.center
    assert supervision.automatic
    assert case.events.filter(action="overdue").count() == 1
    assert case.events.filter(action="supervise").count() == 1


def test_second_scan_is_harmless(county, assigned):
    after = assigned.deadline + dt.timedelta(minutes=1)
    deadlines_scan(now=after)
    events = assigned.events.count()
    report = deadlines_scan(now=after + dt.timedelta(hours=1))
    assert (report.reminded, report.overdue, report.supervised) == (0, 0, 0)
    assert assigned.events.count() == events
    assert Supervision.objects.count() == 1


def test_answered_case_is_not_marked_overdue(county, assigned):
    for action, extra in [
        ("accept", {}),
        ("resolve", {"answer": "已修好"}),
        ("answer", {"answer_method": "phone"}),
    ]:
        assigned = case_transition(case=assigned, action=action, actor=None, **extra)
    assert deadlines_scan(now=assigned.deadline + dt.timedelta(days=1)).overdue == 0


def test_extension_restarts_the_clock(county, assigned):
    later = assigned.deadline + dt.timedelta(days=7)
    case_transition(case=assigned, action="extend", actor=None, note="等配件", deadline=later)
    assert deadlines_scan(now=assigned.deadline + dt.timedelta(hours=1)).overdue == 0
    assert deadlines_scan(now=later + dt.timedelta(hours=1)).overdue == 1


def test_supervisor_sees_the_case_and_records_follow_ups(county, assigned):
    deadlines_scan(now=assigned.deadline + dt.timedelta(minutes=1))
    tracked = list(supervision_list(county.users["township_staff"]))
    assert [s.case.number for s in tracked] == [assigned.number]
    assert list(supervision_list(county.users["sibling"])) == []
    supervision = tracked[0]
    supervision_record(
        supervision=supervision,
        kind="inquiry",
        actor=county.users["township_staff"],
        note="已电话询问进度",
    )
    supervision_record(
        supervision=supervision,
        kind="onsite",
        actor=county.users["township_staff"],
        note="实地查看水井",
    )
    supervision.refresh_from_db()
    # An inquiry moves the next inquiry a week (county default) past today.
    assert supervision.next_inquiry == timezone.localdate() + dt.timedelta(days=7)
    assert assigned.events.filter(action="supervise").count() == 3


def test_scan_command_runs(county, assigned, capsys):
    call_command("scan_deadlines")
    assert "逾期" in capsys.readouterr().out


def test_scheduler_enqueues_the_scan(county, assigned, settings):
    # Immediate backend in tests: enqueuing runs the scan now; nothing is due yet.
    call_command("scheduler", once=True)
    assert Case.objects.get(pk=assigned.pk).overdue_at is None


def test_supervisor_tracks_a_case_from_its_page_and_records_a_check(county, assigned, client_for):
    client = client_for("township_staff")
    page = client.get(f"/cases/{assigned.number}/")
    assert 'data-testid="supervision"' in page.text
    client.post(f"/cases/{assigned.number}/track/", {"reason": "群众多次来电"})
    supervision = Supervision.objects.get(case=assigned)
    assert supervision.unit == county.center
    client.post(
        f"/cases/{assigned.number}/supervision/{supervision.pk}/",
        {"kind": "special_check", "note": "个案专查：已核实"},
    )
    assert "个案专查" in client.get(f"/cases/{assigned.number}/").text
    board = client.get("/cases/supervision/")
    assert assigned.number in board.text


def test_village_cadre_cannot_supervise(county, assigned, client_for):
    client = client_for("cadre")
    assert client.post(f"/cases/{assigned.number}/track/", {"reason": "x"}).status_code == 404
    assert client.get("/cases/supervision/").status_code == 404
    assert not Supervision.objects.exists()
