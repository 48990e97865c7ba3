"""Reads for talk days and receptions: the month's schedule, the register, the quarter's
items for evaluation day, and the figures shown to villages, townships and deputies."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from minqing.cases.models import Rating
from minqing.cases.workflow import Status
from minqing.fieldwork.models import FieldworkRules, Reception, TalkDay, TalkItem
from minqing.households.models import Household
from minqing.org.models import Level, Node, User
from minqing.org.roles import Role
from minqing.org.scoping import under, user_scope_path

# A case in one of these states has been handled: the item counts as resolved.
RESOLVED_STATUSES = (Status.RESOLVED, Status.ANSWERED, Status.RATED, Status.CLOSED)
# Seed 004: at least one collective reception a month. FieldworkRules has no field for it.
COLLECTIVE_PER_MONTH = 1


# --- dates ---------------------------------------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, 1), dt.date(year, month, last)


def quarter_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    return dt.date(day.year, first_month, 1), month_bounds(day.year, first_month + 2)[1]


def talk_dates(*, year: int, month: int, weekday: int) -> list[dt.date]:
    """Every date of the month falling on `weekday` (1 = Monday … 7 = Sunday)."""
    first, last = month_bounds(year, month)
    offset = (weekday - first.isoweekday()) % 7
    return [dt.date(year, month, day) for day in range(first.day + offset, last.day + 1, 7)]


# --- who may be named ----------------------------------------------------------------------


def village_cadres(village: Node) -> list[User]:
    """The village 两委 cadres: the talk point's rota is drawn from them."""
    return list(
        User.objects.filter(node=village, role=Role.VILLAGE_CADRE, is_active=True).order_by("pk")
    )


def responsible_choices(village: Node) -> list[User]:
    """Who can be named responsible for an item: the 两委, and cadres linked to the village."""
    linked = User.objects.filter(linked_village=village, is_active=True).exclude(node=village)
    return village_cadres(village) + list(linked.order_by("pk"))


# --- reads ---------------------------------------------------------------------------------


def scoped_items(user: Any) -> QuerySet[TalkItem]:
    """Items of the talk days the user may see (scoped through the talk day)."""
    return TalkItem.objects.for_user(user)


def village_households(user: Any, village: Node) -> QuerySet[Household]:
    return (
        Household.objects.for_user(user)
        .filter(under(village, "group__path"))
        .select_related("group")
        .order_by("group__code", "head_name")
    )


def month_days(village: Node, year: int, month: int) -> list[TalkDay]:
    start, end = month_bounds(year, month)
    return list(
        TalkDay.objects.filter(node=village, date__range=(start, end))
        .annotate(
            item_count=Count("items", distinct=True),
            case_count=Count("items__case", distinct=True),
        )
        .prefetch_related(Prefetch("on_duty", queryset=User.objects.order_by("pk")))
        .order_by("date")
    )


def _labelled(items: QuerySet[TalkItem]) -> list[TalkItem]:
    """The rating field is free text in the model; give each item its label."""
    labels = dict(Rating.choices)
    result = list(items)
    for item in result:
        item.rating_label = labels.get(item.rating, item.rating)  # type: ignore[attr-defined]
    return result


def day_items(talk_day: TalkDay) -> list[TalkItem]:
    return _labelled(
        talk_day.items.select_related("household__group", "responsible", "case").order_by("id")
    )


def quarter_items(village: Node, day: dt.date) -> list[TalkItem]:
    """Every item of the village's talk days in the quarter of `day` (评事 covers them all)."""
    start, end = quarter_bounds(day)
    return _labelled(
        TalkItem.objects.filter(talk_day__node=village, talk_day__date__range=(start, end))
        .select_related("talk_day", "household", "responsible", "case")
        .order_by("talk_day__date", "id")
    )


def meeting_items(village: Node) -> list[TalkItem]:
    """Items submitted to a meeting (议事会/两委会/村民会议), newest first."""
    return list(
        TalkItem.objects.filter(talk_day__node=village, meeting_item=True)
        .select_related("talk_day", "household", "responsible", "case")
        .order_by("-talk_day__date", "-id")
    )


@dataclass
class TalkFigures:
    village: Node
    quota: int
    openings: int = 0
    items: int = 0
    cases: int = 0
    resolved: int = 0
    meeting: int = 0

    @property
    def short(self) -> bool:
        return self.openings < self.quota


def _item_counts(items: QuerySet[TalkItem], key: str) -> dict[int, dict[str, int]]:
    rows = items.values(key).annotate(
        items=Count("id"),
        cases=Count("case"),
        resolved=Count("id", filter=Q(case__status__in=RESOLVED_STATUSES)),
        meeting=Count("id", filter=Q(meeting_item=True)),
    )
    return {row[key]: row for row in rows}


def talk_figures(
    villages: list[Node], year: int, month: int, rules: FieldworkRules
) -> list[TalkFigures]:
    """Per village for the month: openings vs quota, items, items turned into cases, and
    items whose case has been resolved (resolved, answered, rated or closed)."""
    start, end = month_bounds(year, month)
    ids = [v.pk for v in villages]
    openings = dict(
        TalkDay.objects.filter(node_id__in=ids, date__range=(start, end))
        .values("node")
        .annotate(n=Count("id"))
        .values_list("node", "n")
    )
    counts = _item_counts(
        TalkItem.objects.filter(talk_day__node_id__in=ids, talk_day__date__range=(start, end)),
        "talk_day__node",
    )
    result = []
    for village in villages:
        row = counts.get(village.pk, {})
        result.append(
            TalkFigures(
                village=village,
                quota=rules.talk_days_per_month,
                openings=openings.get(village.pk, 0),
                items=row.get("items", 0),
                cases=row.get("cases", 0),
                resolved=row.get("resolved", 0),
                meeting=row.get("meeting", 0),
            )
        )
    return result


@dataclass
class TownshipFigures:
    township: Node | None
    villages: list[TalkFigures] = field(default_factory=list)

    @property
    def short(self) -> int:
        return sum(1 for v in self.villages if v.short)


def township_overview(
    user: Any, year: int, month: int, rules: FieldworkRules
) -> list[TownshipFigures]:
    """Every village in the user's scope, grouped by township, with the month's figures."""
    path = user_scope_path(user)
    if path is None:
        return []
    villages = list(
        Node.objects.filter(under(path), level=Level.VILLAGE)
        .select_related("parent")
        .order_by("code")
    )
    grouped: dict[int | None, TownshipFigures] = {}
    for figures in talk_figures(villages, year, month, rules):
        township = figures.village.parent
        key = township.pk if township else None
        grouped.setdefault(key, TownshipFigures(township=township)).villages.append(figures)
    return list(grouped.values())


# --- receptions ----------------------------------------------------------------------------


@dataclass
class DeputyFigures:
    deputy: User
    quota: int
    receptions: int = 0
    collective: int = 0
    visitors: int = 0
    cases: int = 0
    collective_quota: int = COLLECTIVE_PER_MONTH

    @property
    def short(self) -> bool:
        return self.receptions < self.quota

    @property
    def collective_short(self) -> bool:
        return self.collective < self.collective_quota


def deputy_figures(
    deputies: list[User], year: int, month: int, rules: FieldworkRules
) -> list[DeputyFigures]:
    start, end = month_bounds(year, month)
    rows = {
        row["deputy"]: row
        for row in Reception.objects.filter(deputy__in=deputies, date__range=(start, end))
        .values("deputy")
        .annotate(
            n=Count("id", distinct=True),
            collective=Count("id", filter=Q(collective=True), distinct=True),
        )
    }
    visitors = dict(
        Reception.objects.filter(deputy__in=deputies, date__range=(start, end))
        .values("deputy")
        .annotate(v=Sum("visitors"))
        .values_list("deputy", "v")
    )
    cases = dict(
        Reception.objects.filter(deputy__in=deputies, date__range=(start, end))
        .values("deputy")
        .annotate(c=Count("cases", distinct=True))
        .values_list("deputy", "c")
    )
    return [
        DeputyFigures(
            deputy=d,
            quota=rules.deputy_receptions_per_month,
            receptions=rows.get(d.pk, {}).get("n", 0),
            collective=rows.get(d.pk, {}).get("collective", 0),
            visitors=visitors.get(d.pk) or 0,
            cases=cases.get(d.pk, 0),
        )
        for d in deputies
    ]


def deputies_in_scope(user: Any) -> list[User]:
    path = user_scope_path(user)
    if path is None:
        return []
    return list(
        User.objects.filter(under(path, "node__path"), role=Role.DEPUTY, is_active=True)
        .select_related("node")
        .order_by("node__code", "pk")
    )


def month_receptions(user: Any, year: int, month: int) -> list[Reception]:
    start, end = month_bounds(year, month)
    return list(
        Reception.objects.for_user(user)
        .filter(date__range=(start, end))
        .select_related("deputy", "node")
        .annotate(case_count=Count("cases"))
        .order_by("-date", "-id")
    )


def upcoming_public_talk_days(
    place: Node, today: dt.date | None = None, days: int = 31
) -> list[dict[str, Any]]:
    """The talk point's coming openings in a place's subtree, for the public board: village,
    date, evaluation day or not, and the on-duty cadres' names and posts (their public
    duty); two queries whatever the number of villages."""
    today = today or timezone.localdate()
    talk_days = list(
        TalkDay.objects.filter(
            under(place, "node__path"),
            date__gte=today,
            date__lte=today + dt.timedelta(days=days),
        )
        .select_related("node")
        .prefetch_related("on_duty")
        .order_by("date", "node__code")[:40]
    )
    return [
        {
            "date": d.date,
            "village": d.node.name,
            "evaluation": d.evaluation,
            "on_duty": [
                f"{u.get_full_name()}（{u.post}）" if u.post else u.get_full_name()
                for u in d.on_duty.all()
            ],
        }
        for d in talk_days
    ]
