"""What each workflow action does to a case, one small handler per action.

`case_transition` (services.case) is the only caller: it locks the case, checks the
transition table (`workflow.TRANSITIONS`), runs the action's handler from `HANDLERS`, then
sets the target status and writes the timeline event and the audit record. A handler only
changes the case's fields and says what the event should carry (`Step.data`,
`Step.event_unit`); it never saves, never sets `case.status` and never writes the timeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.cases.deadlines import rules_for
from minqing.cases.models import Case, Rating
from minqing.cases.routing import unit_above
from minqing.cases.workflow import OPEN_STATUSES, Action
from minqing.org.models import Unit, User


class TransitionError(ValidationError):
    pass


@dataclass
class Step:
    """One transition under way: what the caller passed (texts already stripped), and what
    the handler adds to the timeline event."""

    actor: User | None
    at: dt.datetime
    note: str = ""
    unit: Unit | None = None
    handler: User | None = None
    deadline: dt.datetime | None = None
    answer: str = ""
    answer_method: str = ""
    rating: str = ""
    rating_comment: str = ""
    parent: Case | None = None
    # Filled in by the handler: the event's data and unit, and the (action, note) pairs
    # `case_transition` runs next, once this one is recorded (不满意 reopens the matter).
    data: dict[str, Any] = field(default_factory=dict)
    event_unit: Unit | None = None
    then: list[tuple[str, str]] = field(default_factory=list)


type Handler = Callable[[Case, Step], None]


def _no_effect(case: Case, step: Step) -> None:
    """Start, note, supervise: the status change (if any) and the event are the whole
    action."""


def _assign(case: Case, step: Step) -> None:
    if step.unit is None or not step.unit.receives_cases:
        raise TransitionError(_("该单位不能承办民情事项。"))
    case.unit, case.handler = step.unit, step.handler
    step.event_unit = step.unit


def _accept(case: Case, step: Step) -> None:
    case.handler = case.handler or step.actor


def _return(case: Case, step: Step) -> None:
    step.data["returned_by_unit"] = case.unit_id
    step.event_unit = case.unit
    case.unit, case.handler = None, None


def _escalate(case: Case, step: Step) -> None:
    above = step.unit or unit_above(case.unit, case.node)
    if above is None:
        raise TransitionError(_("已是最高一级，无法继续上报。"))
    case.unit, case.handler = above, None
    step.event_unit = above


def _first_contact(case: Case, step: Step) -> None:
    case.first_contact_at = case.first_contact_at or step.at


def _extend(case: Case, step: Step) -> None:
    if step.deadline is None or step.deadline <= case.deadline:
        raise TransitionError(_("新的期限必须晚于原期限。"))
    step.data["old_deadline"] = case.deadline.isoformat()
    step.data["new_deadline"] = step.deadline.isoformat()
    case.deadline = step.deadline
    case.overdue_at = None
    case.reminded_at = None


def _resolve(case: Case, step: Step) -> None:
    case.answer = step.answer
    case.resolved_at = step.at


def _solve_on_spot(case: Case, step: Step) -> None:
    _resolve(case, step)
    case.answer_method = step.answer_method or "on_spot"
    case.answered_at = step.at
    case.handler = step.actor


def _answer(case: Case, step: Step) -> None:
    case.answer_method = step.answer_method
    case.answered_at = step.at
    if step.answer:
        case.answer = step.answer
    days = rules_for(case.county).return_visit_days
    case.return_visit_due = (timezone.localtime(step.at) + dt.timedelta(days=days)).date()


def _rate(case: Case, step: Step) -> None:
    case.rating, case.rating_comment = step.rating, step.rating_comment
    step.data["rating"] = step.rating
    if step.rating == Rating.DISSATISFIED:
        step.then = _after_dissatisfied(case)


def _reopen(case: Case, step: Step) -> None:
    case.reopen_count += 1
    case.resolved_at = case.answered_at = case.closed_at = None


def _close(case: Case, step: Step) -> None:
    case.closed_at = step.at


def _remind(case: Case, step: Step) -> None:
    case.reminded_at = step.at


def _overdue(case: Case, step: Step) -> None:
    case.overdue_at = step.at


def _merge(case: Case, step: Step) -> None:
    parent = step.parent
    if parent is None or parent.pk == case.pk or parent.parent_id == case.pk:
        raise TransitionError(_("不能并入自身。"))
    if parent.status not in OPEN_STATUSES:
        # A matter parked under a finished one would never be handled.
        raise TransitionError(_("只能并入尚未办结的事项。"))
    case.parent = parent
    step.data["parent"] = parent.number


def _after_dissatisfied(case: Case) -> list[tuple[str, str]]:
    """不满意 sends the matter back to the same handler once, then up a level."""
    if case.reopen_count == 0:
        return [(Action.REOPEN, _("群众评议不满意，退回原承办人重新办理。"))]
    return [
        (Action.REOPEN, _("群众再次评议不满意，上报上一级办理。")),
        (Action.ESCALATE, _("群众再次评议不满意，自动上报。")),
    ]


HANDLERS: dict[str, Handler] = {
    Action.SOLVE_ON_SPOT: _solve_on_spot,
    Action.ASSIGN: _assign,
    Action.ACCEPT: _accept,
    Action.RETURN: _return,
    Action.ESCALATE: _escalate,
    Action.START: _no_effect,
    Action.FIRST_CONTACT: _first_contact,
    Action.EXTEND: _extend,
    Action.RESOLVE: _resolve,
    Action.ANSWER: _answer,
    Action.RATE: _rate,
    Action.REOPEN: _reopen,
    Action.CLOSE: _close,
    Action.MERGE: _merge,
    Action.NOTE: _no_effect,
    Action.OVERDUE: _overdue,
    Action.REMIND: _remind,
    Action.SUPERVISE: _no_effect,
}
