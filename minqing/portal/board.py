"""Reads for the public board (公开栏): the published figures of a place and its anonymised
posts. Everything here is public, so it returns numbers and the staff-written public text
only — never a reporter, a phone, the resident's own words or a handler.

Figures of a period (this month, this year), counted over the cases *registered* in it
(`created_at`) whose node lies in the place's subtree, merged children left out:

- collected (收集): those cases;
- solved (办结): of those, the ones with `resolved_at` set (a reopened case is not solved);
- on time (按期): solved with `resolved_at` ≤ `deadline`;
- satisfaction (满意率): (满意 + 基本满意) / rated, with the number rated.

Every figure comes from aggregate queries: a page costs the same few queries for one case
or a million, for three villages or three hundred.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from minqing.cases.models import Case, Rating
from minqing.cases.workflow import Status
from minqing.org.models import Level, Node
from minqing.portal.models import BoardPost

PERIODS = ("month", "year")
# The place levels with a board page, and the case column that scopes each one.
PLACE_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)
_COLUMN = {Level.COUNTY: "county", Level.TOWNSHIP: "township", Level.VILLAGE: "village"}
# Cases whose posts the board shows: a reopened matter's old result is not shown meanwhile.
SETTLED = (Status.RESOLVED, Status.ANSWERED, Status.RATED, Status.CLOSED)
POSTS_PER_PAGE = 20


@dataclass(frozen=True)
class Figures:
    collected: int = 0
    solved: int = 0
    on_time: int = 0
    rated: int = 0
    satisfied: int = 0  # 满意 + 基本满意

    @property
    def satisfaction(self) -> int | None:
        """Percent satisfied or basically satisfied, or None when nobody has rated yet."""
        if not self.rated:
            return None
        return round(100 * self.satisfied / self.rated)

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            collected=self.collected + other.collected,
            solved=self.solved + other.solved,
            on_time=self.on_time + other.on_time,
            rated=self.rated + other.rated,
            satisfied=self.satisfied + other.satisfied,
        )


@dataclass(frozen=True)
class PeriodFigures:
    month: Figures
    year: Figures

    def __add__(self, other: PeriodFigures) -> PeriodFigures:
        return PeriodFigures(month=self.month + other.month, year=self.year + other.year)


EMPTY = PeriodFigures(month=Figures(), year=Figures())


def period_starts(now: dt.datetime | None = None) -> dict[str, dt.datetime]:
    """The first instant of the current month and year, in the county's time zone."""
    local = timezone.localtime(now or timezone.now())
    month = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return {"month": month, "year": month.replace(month=1)}


def _expressions(starts: dict[str, dt.datetime]) -> dict[str, Count]:
    rated = [Rating.SATISFIED, Rating.BASICALLY, Rating.DISSATISFIED]
    content = [Rating.SATISFIED, Rating.BASICALLY]
    expressions = {}
    for period in PERIODS:
        since = Q(created_at__gte=starts[period])
        expressions |= {
            f"{period}_collected": Count("pk", filter=since),
            f"{period}_solved": Count("pk", filter=since & Q(resolved_at__isnull=False)),
            f"{period}_on_time": Count("pk", filter=since & Q(resolved_at__lte=F("deadline"))),
            f"{period}_rated": Count("pk", filter=since & Q(rating__in=rated)),
            f"{period}_satisfied": Count("pk", filter=since & Q(rating__in=content)),
        }
    return expressions


def _figures(row: dict[str, int]) -> PeriodFigures:
    def one(period: str) -> Figures:
        return Figures(
            collected=row[f"{period}_collected"] or 0,
            solved=row[f"{period}_solved"] or 0,
            on_time=row[f"{period}_on_time"] or 0,
            rated=row[f"{period}_rated"] or 0,
            satisfied=row[f"{period}_satisfied"] or 0,
        )

    return PeriodFigures(month=one("month"), year=one("year"))


def _counted(starts: dict[str, dt.datetime]) -> QuerySet[Case]:
    # The year contains the month, so one range bounds both periods.
    return Case.objects.filter(parent__isnull=True, created_at__gte=starts["year"]).order_by()


def place_figures(place: Node, now: dt.datetime | None = None) -> PeriodFigures:
    """This month's and this year's figures of a county, township or village: one query."""
    starts = period_starts(now)
    row = (
        _counted(starts)
        .filter(**{f"{_COLUMN[place.level]}_id": place.pk})
        .aggregate(**_expressions(starts))
    )
    return _figures(row)


def figures_by(column: str, ids: Iterable[int], now: dt.datetime | None = None) -> dict:
    """Figures per county, township or village (`column`) for the given ids: one query."""
    starts = period_starts(now)
    rows = (
        _counted(starts)
        .filter(**{f"{column}_id__in": list(ids)})
        .values(f"{column}_id")
        .annotate(**_expressions(starts))
    )
    return {row[f"{column}_id"]: _figures(row) for row in rows}


def child_places(place: Node) -> list[Node]:
    """The places one level down that have their own board page (a village has none: its
    groups are too small for published figures to stay anonymous)."""
    if place.level not in (Level.COUNTY, Level.TOWNSHIP):
        return []
    return list(place.children.order_by("code").only("code", "name", "level", "parent_id"))


def children_figures(place: Node, children: list[Node], now: dt.datetime | None = None) -> dict:
    if not children:
        return {}
    return figures_by(_COLUMN[children[0].level], [c.pk for c in children], now)


def board_places() -> list[tuple[Node, PeriodFigures, list[tuple[Node, PeriodFigures]]]]:
    """Every county with its figures and its townships with theirs: three queries."""
    nodes = list(
        Node.objects.filter(level__in=[Level.COUNTY, Level.TOWNSHIP])
        .order_by("code")
        .only("code", "name", "level", "parent_id")
    )
    counties = [n for n in nodes if n.level == Level.COUNTY]
    townships = [n for n in nodes if n.level == Level.TOWNSHIP]
    now = timezone.now()
    by_county = figures_by("county", [c.pk for c in counties], now)
    by_township = figures_by("township", [t.pk for t in townships], now)
    return [
        (
            county,
            by_county.get(county.pk, EMPTY),
            [(t, by_township.get(t.pk, EMPTY)) for t in townships if t.parent_id == county.pk],
        )
        for county in counties
    ]


def find_place(code: str) -> Node | None:
    if not code.isdigit() or len(code) > 15:
        return None
    return (
        Node.objects.filter(code=code, level__in=PLACE_LEVELS)
        .select_related("parent__parent")
        .only("code", "name", "level", "path", "parent__code", "parent__name", "parent__level",
              "parent__parent__code", "parent__parent__name", "parent__parent__level")
        .first()
    )  # fmt: skip


def shown_posts(place: Node) -> QuerySet:
    """The place's shown posts, newest first, as plain values: public text, the village (or
    township) name and the publication time — nothing else of the case leaves the query."""
    return (
        BoardPost.objects.shown()
        .filter(**{f"case__{_COLUMN[place.level]}_id": place.pk}, case__status__in=SETTLED)
        .order_by("-published_at", "-pk")
        .values(
            "pk", "summary", "result", "published_at", "case__village__name",
            "case__township__name",
        )
    )  # fmt: skip
