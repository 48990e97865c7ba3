"""Who may take which step on a case they can see.

The holder (the handler, or any member of the unit holding the case) works it; staff
above that unit in the tree may act for it (a township leader can accept for a village
that is away); routing, rating from a return visit, merging and notes are open to every
territorial user in scope. Department handlers only ever work what their department holds.
"""

from __future__ import annotations

from minqing.cases.models import Case
from minqing.cases.workflow import TRANSITIONS, Action
from minqing.org.models import User
from minqing.org.roles import Role
from minqing.org.scoping import within

HOLDER_ACTIONS = frozenset(
    {
        Action.ACCEPT,
        Action.START,
        Action.RESOLVE,
        Action.RETURN,
        Action.FIRST_CONTACT,
        Action.EXTEND,
        Action.ANSWER,
    }
)
# Recorded by the system (deadline scans), never chosen by a person.
SYSTEM_ACTIONS = frozenset({Action.OVERDUE, Action.REMIND, Action.REOPEN})
# Supervision has its own form (tracked list, inquiry, check, on-site verification).
OWN_FORM_ACTIONS = frozenset({Action.SUPERVISE})


def _holds(user: User, case: Case) -> bool:
    return case.handler_id == user.pk or (case.unit_id is not None and case.unit_id == user.unit_id)


def _above(user: User, case: Case) -> bool:
    if user.node is None:
        return False
    if case.unit is None:
        return True
    unit_path = case.unit.node.path
    return len(user.node.path) < len(unit_path) and within(unit_path, user.node)


def can_act(user: User, case: Case, action: str) -> bool:
    if action in SYSTEM_ACTIONS | OWN_FORM_ACTIONS or action not in TRANSITIONS:
        return False
    if user.role == Role.DEPT_HANDLER:
        return _holds(user, case) and action in HOLDER_ACTIONS | {Action.ESCALATE, Action.NOTE}
    if action in HOLDER_ACTIONS:
        return _holds(user, case) or _above(user, case)
    return True


def actions_for(user: User, case: Case) -> list[str]:
    return [
        action
        for action, t in TRANSITIONS.items()
        if case.status in t.sources and can_act(user, case, action)
    ]


def can_reveal_reporter(user: User, case: Case) -> bool:
    """Who may see a reporter's full phone (and a confidential reporter's identity): the
    people working the case, and the county's supervisors. Anonymous reports keep no
    identity to reveal. Every reveal is logged (cases.views.reveal)."""
    if case.anonymous:
        return False
    if user.role in (Role.COUNTY_SUPERVISOR, Role.COUNTY_ADMIN):
        return True
    return _holds(user, case) or (user.role != Role.DEPT_HANDLER and _above(user, case))
