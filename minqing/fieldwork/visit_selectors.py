"""Reads for visits and visit plans: who may see which visit, the places and households a
visit form offers, and the public announcements (家访公告/接访公示) of a place."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from minqing.fieldwork.models import Visit, VisitForm, VisitPlan
from minqing.households.models import Household
from minqing.org.models import Level, Node, User
from minqing.org.roles import Cap, has_cap
from minqing.org.scoping import under

HOUSEHOLDS_SHOWN = 200
PUBLIC_PLANS_SHOWN = 20


def visible_visits(user: User) -> QuerySet[Visit]:
    """A visit log is the visitor's own (seed 004 rule 4: visit contents are not shown
    around); supervisors who review fieldwork see every visit in their scope."""
    visits = Visit.objects.for_user(user)
    if not has_cap(user, Cap.REVIEW_FIELDWORK):
        visits = visits.filter(visitor=user)
    return visits


def visit_places(user: User) -> QuerySet[Node]:
    """Places a visit or plan can name: the user's own node, and the townships and villages
    in their scope (groups are reached through their village's household list)."""
    node = user.node
    if node is None:
        return Node.objects.none()
    return (
        Node.objects.for_user(user)
        .filter(Q(pk=node.pk) | Q(level__in=[Level.TOWNSHIP, Level.VILLAGE]))
        .select_related("parent")
        .order_by("path")
    )


def lists_households(place: Node) -> bool:
    """Households are offered for a village or a group; a township holds too many."""
    return place.level in (Level.VILLAGE, Level.GROUP)


def place_households(user: User, place: Node) -> QuerySet[Household]:
    """Every household under the place that the user may see (the form validates against
    these; the page shows the first HOUSEHOLDS_SHOWN)."""
    return (
        Household.objects.for_user(user)
        .filter(under(place, "group__path"))
        .select_related("group")
        .order_by("group__code", "code")
    )


def shown_households(
    user: User, place: Node, *, q: str = "", selected: list[int] | None = None
) -> list[Household]:
    if not lists_households(place):
        return []
    households = place_households(user, place)
    if q:
        households = households.filter(
            Q(head_name__contains=q) | Q(address__contains=q) | Q(code__startswith=q)
        )
    shown = list(households[:HOUSEHOLDS_SHOWN])
    missing = set(selected or ()) - {h.pk for h in shown}
    if missing:  # keep what the cadre ticked even when a search hides it
        shown = list(place_households(user, place).filter(pk__in=missing)) + shown
    return shown


def plans_for_visit_form(user: User, today: dt.date) -> QuerySet[VisitPlan]:
    """The visitor's own plans a visit may carry out: not cancelled, from a month ago to a
    week ahead."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(today - dt.timedelta(days=31), dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(today + dt.timedelta(days=8), dt.time.min, tzinfo=tz)
    return (
        VisitPlan.objects.for_user(user)
        .filter(visitor=user, cancelled_at__isnull=True, starts_at__gte=start, starts_at__lt=end)
        .select_related("node")
        .order_by("starts_at")
    )


def upcoming_plans(user: User, now: dt.datetime | None = None) -> QuerySet[VisitPlan]:
    """Plans in the user's scope from today on, cancelled ones included (marked)."""
    start = timezone.localtime(now or timezone.now()).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return (
        VisitPlan.objects.for_user(user)
        .filter(starts_at__gte=start)
        .select_related("visitor", "node__parent", "created_by")
        .order_by("starts_at", "pk")
    )


def upcoming_public_plans(
    place: Node, now: dt.datetime | None = None, limit: int = PUBLIC_PLANS_SHOWN
) -> list[dict[str, Any]]:
    """The public announcements of a place and everything under it: who comes, on what
    duty, when and where. Plain values, one query; officials' public duties only — no
    phone numbers, no households."""
    rows = list(
        VisitPlan.objects.filter(
            under(place, "node__path"),
            public=True,
            cancelled_at__isnull=True,
            starts_at__gte=now or timezone.now(),
        )
        .order_by("starts_at", "pk")
        .values(
            "pk", "starts_at", "form", "place", "duty", "visitor__name", "visitor__post",
            "node__name",
        )[:limit]
    )  # fmt: skip
    for row in rows:
        row["form_label"] = VisitForm(row["form"]).label
    return rows


def case_seq_start(visit: Visit) -> int:
    """The next free number n for `visit:{pk}:{n}` case keys of this visit."""
    prefix = f"visit:{visit.pk}:"
    keys = list(visit.cases.values_list("idempotency_key", flat=True))
    used = [
        int(k[len(prefix) :])
        for k in keys
        if k and k.startswith(prefix) and k[len(prefix) :].isdigit()
    ]
    return max([len(keys), *used]) + 1
