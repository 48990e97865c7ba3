"""Case states and the table of allowed transitions.

The table is the whole workflow: `case_transition` (services.case) looks an action up here,
refuses it unless the case is in one of its source states, runs the action's handler
(services.transitions.HANDLERS, one per row) and moves the case to the target. Actions
whose target is None record an event without changing the state (first contact,
extension, supervision notes).
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    ASSIGNED = "assigned", _("已交办")
    ACCEPTED = "accepted", _("已签收")
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已办结")
    ANSWERED = "answered", _("已反馈")
    RATED = "rated", _("已评议")
    CLOSED = "closed", _("已关闭")
    RETURNED = "returned", _("已退回")
    ESCALATED = "escalated", _("已上报")
    REOPENED = "reopened", _("重新办理")
    MERGED = "merged", _("已并单")


OPEN_STATUSES = frozenset(
    {
        Status.REGISTERED,
        Status.ASSIGNED,
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.RETURNED,
        Status.ESCALATED,
        Status.REOPENED,
    }
)
# States in which someone still owes the resident something (the deadline runs).
DEADLINE_STATUSES = OPEN_STATUSES | {Status.RESOLVED}


class Action(models.TextChoices):
    REGISTER = "register", _("登记")
    SOLVE_ON_SPOT = "solve_on_spot", _("当场解决")
    ASSIGN = "assign", _("交办")
    ACCEPT = "accept", _("签收")
    RETURN = "return", _("退回")
    ESCALATE = "escalate", _("上报")
    START = "start", _("开始办理")
    FIRST_CONTACT = "first_contact", _("先行联系")
    EXTEND = "extend", _("延期")
    RESOLVE = "resolve", _("办结")
    ANSWER = "answer", _("反馈")
    RATE = "rate", _("评议")
    REOPEN = "reopen", _("重新办理")
    CLOSE = "close", _("关闭")
    MERGE = "merge", _("并单")
    NOTE = "note", _("备注")
    OVERDUE = "overdue", _("逾期")
    REMIND = "remind", _("到期提醒")
    SUPERVISE = "supervise", _("督办")


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None
    # Fields the service insists on (Chinese message names them when missing).
    requires: tuple[str, ...] = ()


_WORKING = frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.REOPENED})
_ROUTABLE = frozenset({Status.REGISTERED, Status.RETURNED, Status.ESCALATED})

TRANSITIONS: dict[str, Transition] = {
    Action.SOLVE_ON_SPOT: Transition(frozenset({Status.REGISTERED}), Status.ANSWERED, ("answer",)),
    Action.ASSIGN: Transition(_ROUTABLE | {Status.ASSIGNED}, Status.ASSIGNED, ("unit",)),
    Action.ACCEPT: Transition(frozenset({Status.ASSIGNED}), Status.ACCEPTED),
    Action.RETURN: Transition(
        frozenset({Status.ASSIGNED, Status.ACCEPTED}), Status.RETURNED, ("note",)
    ),
    Action.ESCALATE: Transition(
        _ROUTABLE | _WORKING | {Status.ASSIGNED}, Status.ESCALATED, ("note",)
    ),
    Action.START: Transition(frozenset({Status.ACCEPTED, Status.REOPENED}), Status.IN_PROGRESS),
    Action.FIRST_CONTACT: Transition(_WORKING | {Status.ASSIGNED}, None, ("note",)),
    Action.EXTEND: Transition(_WORKING | {Status.ASSIGNED}, None, ("note", "deadline")),
    Action.RESOLVE: Transition(_WORKING, Status.RESOLVED, ("answer",)),
    Action.ANSWER: Transition(frozenset({Status.RESOLVED}), Status.ANSWERED, ("answer_method",)),
    Action.RATE: Transition(frozenset({Status.ANSWERED}), Status.RATED, ("rating",)),
    Action.REOPEN: Transition(frozenset({Status.RATED, Status.CLOSED}), Status.REOPENED, ("note",)),
    Action.CLOSE: Transition(frozenset({Status.RATED, Status.ANSWERED}), Status.CLOSED),
    Action.MERGE: Transition(OPEN_STATUSES, Status.MERGED, ("parent",)),
    Action.NOTE: Transition(frozenset(Status.values), None, ("note",)),
    Action.OVERDUE: Transition(DEADLINE_STATUSES, None),
    Action.REMIND: Transition(DEADLINE_STATUSES, None),
    Action.SUPERVISE: Transition(frozenset(Status.values), None, ("note",)),
}


def allowed_actions(status: str) -> list[str]:
    return [action for action, t in TRANSITIONS.items() if status in t.sources]
