"""Reads of cases: the work queue, filtered lists, Chinese search, the supervisors' tracked
list and slow matters. Similar matters (duplicate candidates) are ranked by
minqing.textanalysis.similarity.similar_matters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from minqing.cases.deadlines import rules_for
from minqing.cases.models import Case, Supervision
from minqing.cases.workflow import OPEN_STATUSES, Status
from minqing.org.models import Node, User
from minqing.org.roles import Cap, has_cap
from minqing.org.scoping import under, user_county_path

# Unassigned matters wait on the level where they sit: registered, returned or escalated.
_AWAITING_ROUTING = [Status.REGISTERED, Status.RETURNED, Status.ESCALATED]


def _mine(user: User) -> Q:
    mine = Q(handler=user)
    if user.unit_id:
        mine |= Q(unit_id=user.unit_id)
    if user.node_id and user.role != "dept_handler":
        # Unrouted matters inside the user's scope wait for someone at this level to route.
        mine |= Q(unit__isnull=True, status__in=_AWAITING_ROUTING)
    return mine


def cases_user_may_open(user: User) -> QuerySet[Case]:
    """What the case page fetches from: `@requires(Cap.VIEW_CASES)` over `for_user`."""
    if not has_cap(user, Cap.VIEW_CASES):
        return Case.objects.none()
    return Case.objects.for_user(user)


def work_queue(user: User) -> QuerySet[Case]:
    """我的待办: live matters this user (or their unit) must act on, most urgent first.

    Kept to `is_live` so the (place, is_live, deadline) index yields rows already in
    deadline order and the page stops after its 30 rows."""
    return Case.objects.for_user(user).filter(_mine(user), is_live=True).order_by("deadline", "id")


def return_visits_due(user: User) -> QuerySet[Case]:
    """待回访: answered matters whose return visit (where the rating is taken) is due."""
    return (
        Case.objects.for_user(user)
        .filter(_mine(user), status=Status.ANSWERED, return_visit_due__lte=timezone.localdate())
        .order_by("return_visit_due", "id")
    )


@dataclass
class CaseFilters:
    q: str = ""
    status: str = ""
    channel: str = ""
    urgency: str = ""
    category: str = ""
    node: str = ""
    level: str = ""  # who holds it: station | center | department | office
    overdue: bool = False
    open_only: bool = False
    date_from: str = ""
    date_to: str = ""


def search_text(queryset: QuerySet[Case], q: str) -> QuerySet[Case]:
    """Substring search, so one- and two-character words (路灯, 小区) match as well as
    longer ones, on both databases. A registration number matches exactly."""
    q = q.strip()
    if not q:
        return queryset
    if q.isdigit() and len(q) >= 9:
        return queryset.filter(number=q)
    condition = Q()
    for word in q.split()[:5]:
        condition &= (
            Q(title__contains=word)
            | Q(original_text__contains=word)
            | Q(address__contains=word)
            | Q(number__startswith=word)
        )
    return queryset.filter(condition)


def filtered_cases(user: User, filters: CaseFilters) -> QuerySet[Case]:
    qs = Case.objects.for_user(user)
    qs = search_text(qs, filters.q)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.urgency:
        qs = qs.filter(urgency=filters.urgency)
    if filters.category:
        qs = qs.filter(
            Q(category__code=filters.category) | Q(category__parent__code=filters.category)
        )
    if filters.level:
        qs = qs.filter(unit__kind=filters.level)
    if filters.node:
        qs = qs.filter(under(filters.node, "node__path"))
    if filters.overdue:
        # One range on the (is_live, deadline) index, most overdue first.
        qs = qs.filter(is_live=True, deadline__lt=timezone.now())
    if filters.date_from:
        qs = qs.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(created_at__date__lte=filters.date_to)
    order = ("deadline", "id") if filters.overdue else ("-created_at", "-id")
    return qs.select_related("node__parent", "unit", "category").order_by(*order)


def supervision_list(user: User) -> QuerySet[Supervision]:
    """The tracked list a supervisor works from: overdue cases first, then by next due date."""
    cases = Case.objects.for_user(user)
    return (
        Supervision.objects.filter(released_at__isnull=True, case__in=cases)
        .select_related("case__node__parent", "case__unit", "unit")
        .order_by("case__overdue_at", "next_inquiry", "id")
    )


def slow_cases(user: User, *, now: dt.datetime | None = None) -> QuerySet[Case]:
    """Open matters older than the county's slow threshold, overdue first."""
    now = now or timezone.now()
    if user.node is None:
        return Case.objects.none()
    rules = rules_for(user.node if user.node.level == "county" else _county(user))
    cutoff = now - dt.timedelta(days=rules.slow_after_days)
    return (
        Case.objects.for_user(user)
        .filter(status__in=OPEN_STATUSES | {Status.RESOLVED}, created_at__lt=cutoff)
        .select_related("node__parent", "unit")
        .order_by("deadline")
    )


def _county(user: User) -> Node:
    return Node.objects.get(path=user_county_path(user), level="county")
