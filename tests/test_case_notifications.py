"""Case events reach the right people: the holding unit in-app, the resident by SMS when
the deadline is extended and when the matter is answered — never for anonymous reports."""

import datetime as dt

from minqing.cases.services import case_register, case_transition, deadlines_scan
from minqing.notify.models import Notification, Outbox


def register(county, **extra):
    case, _ = case_register(
        actor=county.users["township_staff"], node=county.g1a, channel="hotline",
        nature="help", original_text="一组路灯坏了", reporter_name="张建国",
        reporter_phone="13800000001", **extra,
    )  # fmt: skip
    return case


def test_assignment_notifies_the_station_members(county, django_capture_on_commit_callbacks):
    case = register(county)
    # Delivery runs after commit: run the captured on-commit callbacks as a commit would.
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(
            case=case, action="assign", actor=county.users["township_staff"], unit=county.station
        )
    notified = set(Notification.objects.values_list("user__username", flat=True))
    assert notified == {"cadre", "colleague"}
    assert all(case.number in n.title for n in Notification.objects.all())
    assert Notification.objects.first().url == f"/cases/{case.number}/"


def test_extension_tells_the_resident_the_reason_by_sms(county):
    case = register(county)
    case = case_transition(case=case, action="assign", actor=None, unit=county.station)
    later = case.deadline + dt.timedelta(days=10)
    case_transition(
        case=case,
        action="extend",
        actor=county.users["cadre"],
        note="需等待供电所排期",
        deadline=later,
    )
    sms = Outbox.objects.get(channel="sms")
    assert sms.recipient_address == "13800000001"
    assert "需等待供电所排期" in sms.body
    assert case.number in sms.body


def test_answer_is_sent_to_the_resident(county):
    case = register(county)
    for action, extra in [
        ("assign", {"unit": county.station}),
        ("accept", {}),
        ("resolve", {"answer": "已更换路灯"}),
        ("answer", {"answer_method": "sms"}),
    ]:
        case = case_transition(case=case, action=action, actor=county.users["cadre"], **extra)
    sms = Outbox.objects.get(channel="sms")
    assert "已更换路灯" in sms.body


def test_anonymous_reporter_gets_no_sms(county):
    case = register(county, anonymous=True)
    case = case_transition(case=case, action="assign", actor=None, unit=county.station)
    case_transition(
        case=case,
        action="extend",
        actor=None,
        note="等待",
        deadline=case.deadline + dt.timedelta(days=3),
    )
    assert not Outbox.objects.filter(channel="sms").exists()


def test_overdue_scan_notifies_the_handler_once(county):
    case = register(county)
    case = case_transition(case=case, action="assign", actor=None, unit=county.station)
    case = case_transition(case=case, action="accept", actor=county.users["cadre"])
    after = case.deadline + dt.timedelta(minutes=1)
    deadlines_scan(now=after)
    deadlines_scan(now=after + dt.timedelta(minutes=10))
    queued = Outbox.objects.filter(channel="in_app", recipient_user=county.users["cadre"])
    titles = list(queued.values_list("subject", flat=True))
    assert sum("已逾期" in t for t in titles) == 1
    assert sum("被督办" in t for t in titles) == 1


def test_actor_is_not_notified_of_their_own_step(county):
    case = register(county)
    case_transition(case=case, action="assign", actor=county.users["cadre"], unit=county.station)
    queued = Outbox.objects.filter(channel="in_app")
    assert set(queued.values_list("recipient_user__username", flat=True)) == {"colleague"}
