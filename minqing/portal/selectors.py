"""What the resident's status page may show: progress, level, deadline, extensions and the
answer — built field by field, so names, phones and handlers never reach the template."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from minqing.cases.models import Case, CaseEvent
from minqing.cases.workflow import Action, Status
from minqing.org.models import UnitKind

LEVELS = {
    UnitKind.STATION: _("村(社区)联络服务站"),
    UnitKind.CENTER: _("乡镇(街道)联络服务中心"),
    UnitKind.DEPARTMENT: _("县直部门"),
    UnitKind.OFFICE: _("县级联络服务办公室"),
}
# Timeline steps a resident sees, in their words; internal notes, reminders and
# supervision stay inside.
STEPS = {
    Action.REGISTER: _("已登记"),
    Action.SOLVE_ON_SPOT: _("已当场解决"),
    Action.ASSIGN: _("已交办"),
    Action.ACCEPT: _("承办单位已签收"),
    Action.START: _("正在办理"),
    Action.FIRST_CONTACT: _("工作人员已与您联系"),
    Action.ESCALATE: _("已上报上级办理"),
    Action.RETURN: _("退回重新交办"),
    Action.EXTEND: _("延期办理"),
    Action.RESOLVE: _("已办结"),
    Action.ANSWER: _("已答复"),
    Action.RATE: _("已评议"),
    Action.REOPEN: _("重新办理"),
    Action.CLOSE: _("已关闭"),
    Action.MERGE: _("与相同问题合并办理"),
}


@dataclass
class Step:
    at: dt.datetime
    label: str
    level: str = ""
    reason: str = ""
    deadline: dt.datetime | None = None


@dataclass
class PublicStatus:
    number: str
    status: str
    status_label: str
    registered_at: dt.datetime
    deadline: dt.datetime
    level: str
    unit_name: str
    answer: str
    answered_at: dt.datetime | None
    rating_label: str
    can_rate: bool
    overdue: bool
    steps: list[Step] = field(default_factory=list)
    extensions: list[Step] = field(default_factory=list)


def _step(event: CaseEvent) -> Step:
    step = Step(at=event.at, label=str(STEPS[event.action]))
    if event.action in (Action.ASSIGN, Action.ESCALATE) and event.unit is not None:
        step.level = str(LEVELS.get(event.unit.kind, ""))
    if event.action == Action.EXTEND:
        # The reason is what the resident must be told (seed 004); the note is written
        # for them. The new deadline comes from the event's data.
        step.reason = event.note
        raw = (event.data or {}).get("new_deadline")
        step.deadline = parse_datetime(raw) if isinstance(raw, str) else None
    return step


def public_status(case: Case) -> PublicStatus:
    events = case.events.select_related("unit").filter(action__in=list(STEPS)).order_by("at", "pk")
    events = list(events)
    steps = [_step(e) for e in events]
    unit = case.unit
    return PublicStatus(
        number=case.number,
        status=case.status,
        status_label=case.get_status_display(),
        registered_at=case.reported_at,
        deadline=case.deadline,
        level=str(LEVELS.get(unit.kind, "")) if unit else "",
        unit_name=unit.name if unit else "",
        answer=case.answer if case.status in (Status.ANSWERED, Status.RATED, Status.CLOSED) else "",
        answered_at=case.answered_at,
        rating_label=case.get_rating_display() if case.rating else "",
        can_rate=case.status == Status.ANSWERED,
        overdue=case.overdue_at is not None,
        steps=steps,
        extensions=[s for s, e in zip(steps, events, strict=True) if e.action == Action.EXTEND],
    )
