"""The case loop through the service layer: register, route, handle, answer, rate —
with every step on the timeline and illegal steps refused in Chinese."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from minqing.cases.deadlines import add_working_days, compute_deadline, rules_for
from minqing.cases.models import Case, CaseEvent, CaseRules, Holiday
from minqing.cases.services import TransitionError, case_register, case_transition
from minqing.cases.services.transitions import HANDLERS
from minqing.cases.workflow import TRANSITIONS, Action, Status
from minqing.org import services as org_services


@pytest.fixture
def office(county):
    return org_services.unit_create(
        actor=None, kind="office", name="县民情民意联络服务办公室", node=county.county
    )


def register(county, actor="township_staff", **overrides):
    fields = {
        "actor": county.users[actor],
        "node": county.g1a,
        "channel": "hotline",
        "nature": "help",
        "original_text": "东风村一组路灯坏了三个月，晚上出行不便。",
        "reporter_name": "张建国",
        "reporter_phone": "13800000001",
    }
    fields.update(overrides)
    return case_register(**fields)


def test_registration_assigns_a_number_deadline_and_first_event(county):
    case, created = register(county)
    assert created
    assert case.number == timezone.localtime(case.created_at).strftime("%Y%m") + "001"
    assert case.status == Status.REGISTERED
    assert case.deadline - case.reported_at == dt.timedelta(days=7)
    event = case.events.get()
    assert (event.action, event.to_status, event.actor) == (
        "register", "registered", county.users["township_staff"],
    )  # fmt: skip


def test_retried_submission_returns_the_original_number(county):
    first, created = register(county, idempotency_key="form-123")
    again, created_again = register(county, idempotency_key="form-123", original_text="不同")
    assert created
    assert not created_again
    assert again.pk == first.pk
    assert Case.objects.count() == 1


def test_anonymous_reporter_keeps_no_identity(county):
    case, _ = register(county, anonymous=True, reporter_name="张建国", reporter_phone="138")
    assert (case.reporter_name, case.reporter_phone, case.confidential) == ("", "", True)


def test_missing_reporter_is_refused_in_chinese_and_nothing_saved(county):
    with pytest.raises(ValidationError) as err:
        register(county, reporter_name="")
    assert "反映人" in str(err.value)
    assert Case.objects.count() == 0


def test_place_outside_the_registrars_scope_is_refused(county):
    with pytest.raises(ValidationError) as err:
        register(county, actor="cadre", node=county.g2)
    assert "辖区" in str(err.value)
    assert Case.objects.count() == 0


def test_deadlines_follow_urgency_and_county_rules(county):
    start = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
    rules = rules_for(county.county)
    assert compute_deadline(rules=rules, urgency="normal", start=start) == start + dt.timedelta(
        days=7
    )
    assert compute_deadline(rules=rules, urgency="important", start=start) == start + dt.timedelta(
        days=30
    )
    assert compute_deadline(rules=rules, urgency="urgent", start=start) == start + dt.timedelta(
        hours=24
    )
    CaseRules.objects.create(county=county.county, normal_days=5, working_days=True)
    county.county.refresh_from_db()
    rules = rules_for(county.county)
    # Wed 25 Nov + 5 working days = Wed 2 Dec (weekend skipped).
    assert compute_deadline(rules=rules, urgency="normal", start=start).date() == dt.date(
        2026, 12, 2
    )


def test_working_days_skip_holidays_and_count_swapped_workdays(db):
    Holiday.objects.create(date=dt.date(2026, 11, 26), name="假日")
    Holiday.objects.create(date=dt.date(2026, 11, 28), is_workday=True, name="调休")
    start = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)  # Wednesday
    # Thu 26 holiday, Fri 27 works, Sat 28 swapped workday → 2 working days end on Sat 28.
    assert add_working_days(start, 2).date() == dt.date(2026, 11, 28)


def test_full_loop_from_registration_to_closed(county):
    case, _ = register(county)
    staff, cadre = county.users["township_staff"], county.users["cadre"]
    case = case_transition(case=case, action=Action.ASSIGN, actor=staff, unit=county.station)
    case = case_transition(case=case, action=Action.ACCEPT, actor=cadre)
    case = case_transition(case=case, action=Action.FIRST_CONTACT, actor=cadre, note="已电话联系")
    case = case_transition(case=case, action=Action.START, actor=cadre)
    case = case_transition(case=case, action=Action.RESOLVE, actor=cadre, answer="已更换路灯")
    case = case_transition(case=case, action=Action.ANSWER, actor=cadre, answer_method="phone")
    case = case_transition(case=case, action=Action.RATE, actor=cadre, rating="satisfied")
    case = case_transition(case=case, action=Action.CLOSE, actor=staff)
    assert case.status == Status.CLOSED
    assert case.handler == cadre
    assert case.first_contact_at is not None
    assert case.return_visit_due is not None
    steps = list(case.events.values_list("action", "from_status", "to_status"))
    assert steps == [
        ("register", "", "registered"),
        ("assign", "registered", "assigned"),
        ("accept", "assigned", "accepted"),
        ("first_contact", "accepted", ""),
        ("start", "accepted", "in_progress"),
        ("resolve", "in_progress", "resolved"),
        ("answer", "resolved", "answered"),
        ("rate", "answered", "rated"),
        ("close", "rated", "closed"),
    ]


def test_illegal_transition_is_refused_with_a_clear_message(county):
    case, _ = register(county)
    with pytest.raises(TransitionError) as err:
        case_transition(case=case, action=Action.RESOLVE, actor=None, answer="x")
    assert "已登记" in str(err.value)
    assert "办结" in str(err.value)
    case.refresh_from_db()
    assert case.status == Status.REGISTERED
    assert case.events.count() == 1


def test_every_row_of_the_transition_table_has_one_handler():
    # case_transition looks the action's handler up by the table's row: one each, no extras.
    assert set(HANDLERS) == set(TRANSITIONS)


def test_required_fields_are_named(county):
    case, _ = register(county)
    with pytest.raises(TransitionError) as err:
        case_transition(case=case, action=Action.ASSIGN, actor=None)
    assert "承办单位" in str(err.value)


def test_solved_on_the_spot_records_the_answer(county):
    case, _ = register(county)
    case = case_transition(
        case=case, action=Action.SOLVE_ON_SPOT, actor=county.users["township_staff"],
        answer="当场解释了低保政策",
    )  # fmt: skip
    assert case.status == Status.ANSWERED
    assert case.answer == "当场解释了低保政策"


def test_return_and_reassign(county):
    case, _ = register(county)
    case = case_transition(case=case, action=Action.ASSIGN, actor=None, unit=county.station)
    case = case_transition(case=case, action=Action.RETURN, actor=None, note="不属于本村")
    assert (case.status, case.unit) == (Status.RETURNED, None)
    case = case_transition(case=case, action=Action.ASSIGN, actor=None, unit=county.department)
    assert case.unit == county.department


def test_escalation_climbs_station_center_county(county, office):
    case, _ = register(county)
    case = case_transition(case=case, action=Action.ASSIGN, actor=None, unit=county.station)
    case = case_transition(case=case, action=Action.ESCALATE, actor=None, note="村里解决不了")
    assert case.unit == county.center
    case = case_transition(case=case, action=Action.ESCALATE, actor=None, note="需县里协调")
    assert case.unit == office
    with pytest.raises(TransitionError):
        case_transition(case=case, action=Action.ESCALATE, actor=None, note="再上报")


def test_extension_needs_reason_and_a_later_date(county):
    case, _ = register(county)
    case = case_transition(case=case, action=Action.ASSIGN, actor=None, unit=county.station)
    with pytest.raises(TransitionError):
        case_transition(
            case=case, action=Action.EXTEND, actor=None, note="", deadline=case.deadline
        )
    with pytest.raises(TransitionError):
        case_transition(
            case=case, action=Action.EXTEND, actor=None, note="等材料", deadline=case.deadline
        )
    later = case.deadline + dt.timedelta(days=7)
    case = case_transition(
        case=case, action=Action.EXTEND, actor=None, note="等材料", deadline=later
    )
    assert case.deadline == later
    assert case.status == Status.ASSIGNED
    event = case.events.get(action="extend")
    assert event.note == "等材料"
    assert event.data["new_deadline"] == later.isoformat()


def _answered(county):
    case, _ = register(county)
    for action, extra in [
        (Action.ASSIGN, {"unit": county.station}),
        (Action.ACCEPT, {}),
        (Action.RESOLVE, {"answer": "已处理"}),
        (Action.ANSWER, {"answer_method": "visit"}),
    ]:
        case = case_transition(case=case, action=action, actor=county.users["cadre"], **extra)
    return case


def test_dissatisfied_reopens_to_the_same_handler_once_then_escalates(county):
    case = _answered(county)
    case = case_transition(case=case, action=Action.RATE, actor=None, rating="dissatisfied")
    assert case.status == Status.REOPENED
    assert case.handler == county.users["cadre"]
    assert case.unit == county.station
    for action, extra in [
        (Action.START, {}),
        (Action.RESOLVE, {"answer": "再次处理"}),
        (Action.ANSWER, {"answer_method": "phone"}),
    ]:
        case = case_transition(case=case, action=action, actor=county.users["cadre"], **extra)
    case = case_transition(case=case, action=Action.RATE, actor=None, rating="dissatisfied")
    assert case.status == Status.ESCALATED
    assert case.unit == county.center
    assert CaseEvent.objects.filter(case=case, action="reopen").count() == 2


def test_merge_puts_a_duplicate_under_its_parent(county):
    parent, _ = register(county)
    child, _ = register(county, original_text="一组路灯不亮")
    child = case_transition(
        case=child, action=Action.MERGE, actor=None, parent=parent, note="同一路灯"
    )
    assert child.status == Status.MERGED
    assert list(parent.merged_children.all()) == [child]
    with pytest.raises(TransitionError):
        case_transition(case=parent, action=Action.MERGE, actor=None, parent=parent, note="x")


def test_county_prefix_is_configuration(county):
    CaseRules.objects.create(county=county.county, number_with_county_prefix=True)
    county.county.refresh_from_db()
    case, _ = register(county)
    assert case.number.startswith("330199" + timezone.localtime(case.created_at).strftime("%Y%m"))
    assert case.number.endswith("001")
