"""The deadline scan run by the task worker: remind before the deadline, mark overdue,
and put overdue matters on the supervising level's tracked list.

Idempotent: each case carries `reminded_at` and `overdue_at`, and the scan only acts on
cases where they are empty, each under a row lock — so a doubled tick, two workers, or a
re-run after a crash change nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.cases.deadlines import rules_for
from minqing.cases.models import Case
from minqing.cases.routing import unit_above
from minqing.cases.services.case import case_transition
from minqing.cases.services.supervision import supervision_open
from minqing.cases.workflow import DEADLINE_STATUSES, Action
from minqing.org.models import Level, Node


@dataclass
class ScanReport:
    reminded: int = 0
    overdue: int = 0
    supervised: int = 0


def deadlines_scan(*, now: dt.datetime | None = None) -> ScanReport:
    now = now or timezone.now()
    report = ScanReport()
    for county in Node.objects.filter(level=Level.COUNTY):
        rules = rules_for(county)
        live = Case.objects.filter(county=county, is_live=True)
        soon = now + dt.timedelta(hours=rules.remind_before_hours)
        for pk in live.filter(
            reminded_at__isnull=True, deadline__gt=now, deadline__lte=soon
        ).values_list("pk", flat=True):
            report.reminded += _remind(pk, now)
        for pk in live.filter(overdue_at__isnull=True, deadline__lte=now).values_list(
            "pk", flat=True
        ):
            overdue, supervised = _mark_overdue(pk, now)
            report.overdue += overdue
            report.supervised += supervised
    return report


@transaction.atomic
def _remind(pk: int, now: dt.datetime) -> int:
    case = Case.objects.select_for_update().get(pk=pk)
    if case.reminded_at is not None or case.status not in DEADLINE_STATUSES:
        return 0  # another worker got here first
    case_transition(
        case=case, action=Action.REMIND, actor=None, at=now,
        note=_("距解决期限不足提醒时限，请抓紧办理。"),
    )  # fmt: skip
    return 1


@transaction.atomic
def _mark_overdue(pk: int, now: dt.datetime) -> tuple[int, int]:
    case = Case.objects.select_for_update().get(pk=pk)
    if case.overdue_at is not None or case.status not in DEADLINE_STATUSES:
        return 0, 0
    case = case_transition(
        case=case, action=Action.OVERDUE, actor=None, at=now,
        note=_("已超过解决期限，自动提交上一级督办。"),
    )  # fmt: skip
    supervisor = unit_above(case.unit, case.node)
    if supervisor is None:
        return 1, 0
    deadline = timezone.localtime(case.deadline).strftime("%Y-%m-%d %H:%M")
    supervision_open(
        case=case, unit=supervisor, actor=None, automatic=True, at=now,
        reason=_("逾期未办结（期限 %(d)s）") % {"d": deadline},
    )  # fmt: skip
    return 1, 1
