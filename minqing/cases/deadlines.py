"""Deadlines from county rules: 一般 7 days, 重要 30 days, 紧急 24 hours by default,
optionally counted in working days with the holiday calendar (调休 included)."""

from __future__ import annotations

import datetime as dt

from minqing.cases.models import CaseRules, Holiday, Urgency
from minqing.org.models import Node


def rules_for(county: Node) -> CaseRules:
    """The county's saved rules, or an unsaved instance carrying the documented defaults."""
    try:
        return county.case_rules
    except CaseRules.DoesNotExist:
        return CaseRules(county=county)


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """Move forward `days` working days: weekends and holidays skipped, swapped days worked."""
    span_end = start.date() + dt.timedelta(days=days * 2 + 30)
    special = dict(
        Holiday.objects.filter(date__gt=start.date(), date__lte=span_end).values_list(
            "date", "is_workday"
        )
    )
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        day = current.date()
        working = special[day] if day in special else day.weekday() < 5
        if working:
            remaining -= 1
    return current


def compute_deadline(*, rules: CaseRules, urgency: str, start: dt.datetime) -> dt.datetime:
    if urgency == Urgency.URGENT:
        return start + dt.timedelta(hours=rules.urgent_hours)
    days = rules.important_days if urgency == Urgency.IMPORTANT else rules.normal_days
    if rules.working_days:
        return add_working_days(start, days)
    return start + dt.timedelta(days=days)
