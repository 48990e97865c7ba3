"""Visit quotas and coverage (seeds 003, 004), with the county's numbers (`FieldworkRules`).

For a month (and the year up to that month's end):

- **monthly visits** (民情家访): rank 市级 → `visits_city_leader`, 县级 → `visits_county_leader`,
  a township leader (the role, or rank 科级 placed at a township) → `visits_township_leader`:
  the number of visits logged in the month. Village 两委 cadres count **distinct households**
  visited in the month against `village_households_min`–`village_households_max`.
  Everyone else has no monthly number; their visits are still counted and shown.
- **contacts** (入户联系): visits in the year against `contacts_per_year`, for everyone.
- **residence days** (住村): distinct dates of visits flagged `residence_day` in the year,
  against `residence_days_section` (rank 科级 and above) or `residence_days_other`. Village
  cadres and liaisons live in their village: the rule does not apply to them.
- **coverage** (覆盖): a county or city leader's visits should reach every linked township
  and village (联系点, `User.linked_places`) this year; a township leader's own visits
  should reach every village (自然村 = the village nodes here) of the township this year; a
  village's households should all be reached this year — by any cadre's visit, since the
  village's 两委 share that list.

Yearly targets are judged against what is due by the month's end (pro rata, rounded down),
so a cadre with 1 of 10 residence days in March is not "behind" but one with 0 in July is.
Percentages are rounded down: 100 % means every one was reached.

Every figure comes from a fixed number of aggregate queries, however many cadres a
supervisor's page lists.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from minqing.fieldwork.models import FieldworkRules, Visit
from minqing.households.models import Household
from minqing.org.models import PATH_WIDTH, Level, Node, User
from minqing.org.roles import CAPABILITIES, Cap, Rank, Role

SENIOR_RANKS = frozenset({Rank.CITY, Rank.COUNTY, Rank.SECTION})
# They live in their village: 住村 days are for cadres sent from offices.
NO_RESIDENCE_ROLES = frozenset({Role.VILLAGE_CADRE, Role.LIAISON})
# Roles that keep a visit log: whose figures a supervisor's page lists.
FIELD_ROLES = tuple(role for role, caps in CAPABILITIES.items() if Cap.FIELDWORK in caps)
MISSING_SHOWN = 100
VILLAGE_WIDTH = PATH_WIDTH[Level.VILLAGE]


@dataclass(frozen=True)
class Period:
    """A month, and the year up to that month's end."""

    month_start: dt.date
    month_end: dt.date

    @classmethod
    def of(cls, day: dt.date) -> Period:
        last = calendar.monthrange(day.year, day.month)[1]
        return cls(day.replace(day=1), day.replace(day=last))

    @property
    def year_start(self) -> dt.date:
        return self.month_start.replace(month=1)

    def due(self, per_year: int) -> int:
        """How much of a yearly target is due by the month's end (rounded down)."""
        return per_year * self.month_start.month // 12


@dataclass(frozen=True)
class Target:
    done: int
    minimum: int
    maximum: int | None = None
    basis: str = ""
    # For yearly targets: what is due by now. The gap is measured against it.
    due: int | None = None

    @property
    def gap(self) -> int:
        bar = self.minimum if self.due is None else self.due
        return max(0, bar - self.done)

    @property
    def remaining(self) -> int:
        return max(0, self.minimum - self.done)

    @property
    def status(self) -> str:
        if self.gap:
            return "behind"
        if self.maximum is not None and self.done > self.maximum:
            return "over"
        if self.done < self.minimum:
            return "on_track"  # a yearly target: what is due so far is done
        return "met"


@dataclass(frozen=True)
class Coverage:
    kind: str  # "villages" | "households"
    total: int
    reached: int
    # What is not reached yet (names of villages, or households), filled for one's own page.
    missing: Sequence[object] = ()

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return 100 * self.reached // self.total

    @property
    def gap(self) -> int:
        return self.total - self.reached


@dataclass(frozen=True)
class CadreProgress:
    user: User
    visits: int  # visits logged in the month
    households: int  # distinct households visited in the month
    monthly: Target | None
    contacts: Target
    residence: Target | None
    coverage: Coverage | None
    gaps: list[str] = field(default_factory=list)

    @property
    def behind(self) -> bool:
        return bool(self.gaps)

    @property
    def total_gap(self) -> int:
        return sum(t.gap for t in (self.monthly, self.contacts, self.residence) if t is not None)


def is_township_leader(user: User) -> bool:
    node = user.node
    return user.role == Role.TOWNSHIP_LEADER or (
        user.rank == Rank.SECTION and node is not None and node.level == Level.TOWNSHIP
    )


def monthly_target(
    user: User, rules: FieldworkRules, visits: int, households: int
) -> Target | None:
    if user.rank == Rank.CITY:
        return Target(visits, rules.visits_city_leader, basis=_("市级领导每月家访"))
    if user.rank == Rank.COUNTY:
        return Target(visits, rules.visits_county_leader, basis=_("县级领导每月家访"))
    if is_township_leader(user):
        return Target(visits, rules.visits_township_leader, basis=_("乡镇领导每月家访"))
    if user.role == Role.VILLAGE_CADRE:
        return Target(
            households,
            rules.village_households_min,
            rules.village_households_max,
            basis=_("村两委干部每月走访农户"),
        )
    return None


def residence_target(user: User, rules: FieldworkRules, days: int, period: Period) -> Target | None:
    if user.role in NO_RESIDENCE_ROLES or user.rank == Rank.VILLAGE:
        return None
    if user.rank in SENIOR_RANKS:
        target, basis = rules.residence_days_section, _("科级及以上干部每年住村")
    else:
        target, basis = rules.residence_days_other, _("其他干部每年住村")
    return Target(days, target, basis=basis, due=period.due(target))


def _visit_figures(ids: list[int], period: Period) -> dict[int, dict[str, int]]:
    """Per visitor: the month's visits and distinct households, the year's visits and
    distinct residence dates. One query."""
    in_month = Q(date__gte=period.month_start)
    rows = (
        Visit.objects.filter(
            visitor_id__in=ids, date__gte=period.year_start, date__lte=period.month_end
        )
        .order_by()
        .values("visitor_id")
        .annotate(
            month_visits=Count("pk", filter=in_month, distinct=True),
            month_households=Count("households", filter=in_month, distinct=True),
            year_visits=Count("pk", distinct=True),
            residence=Count("date", filter=Q(residence_day=True), distinct=True),
        )
    )
    return {row.pop("visitor_id"): row for row in rows}


def _villages_reached(ids: list[int], period: Period) -> dict[int, set[str]]:
    """Per visitor: the paths of the villages their visits this year reached, by the visit's
    place or by a visited household. Two queries."""
    in_year = {"date__gte": period.year_start, "date__lte": period.month_end}
    reached: dict[int, set[str]] = defaultdict(set)
    by_place = (
        Visit.objects.filter(
            visitor_id__in=ids, node__level__in=[Level.VILLAGE, Level.GROUP], **in_year
        )
        .order_by()
        .annotate(village=Substr("node__path", 1, VILLAGE_WIDTH))
        .values_list("visitor_id", "village")
        .distinct()
    )
    by_household = (
        Visit.households.through.objects.filter(
            visit__visitor_id__in=ids, **{f"visit__{k}": v for k, v in in_year.items()}
        )
        .order_by()
        .annotate(village=Substr("household__group__path", 1, VILLAGE_WIDTH))
        .values_list("visit__visitor_id", "village")
        .distinct()
    )
    for visitor_id, village in [*by_place, *by_household]:
        reached[visitor_id].add(village)
    return reached


def _places_reached(ids: list[int], period: Period) -> dict[int, set[str]]:
    """Per visitor: every path their visits this year touched — the visit's place and its
    households' groups — so a linked place is reached when one of them lies inside it."""
    in_year = {"date__gte": period.year_start, "date__lte": period.month_end}
    reached: dict[int, set[str]] = defaultdict(set)
    by_place = (
        Visit.objects.filter(visitor_id__in=ids, **in_year)
        .order_by()
        .values_list("visitor_id", "node__path")
        .distinct()
    )
    by_household = (
        Visit.households.through.objects.filter(
            visit__visitor_id__in=ids, **{f"visit__{k}": v for k, v in in_year.items()}
        )
        .order_by()
        .values_list("visit__visitor_id", "household__group__path")
        .distinct()
    )
    for visitor_id, path in [*by_place, *by_household]:
        reached[visitor_id].add(path)
    return reached


def _linked_places(ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Per county-level leader: (path, name) of each linked township or village."""
    places: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = User.linked_places.through.objects.filter(user_id__in=ids).values_list(
        "user_id", "node__path", "node__name"
    )
    for user_id, path, name in rows:
        places[user_id].append((path, name))
    return places


def _village_households(village_ids: Iterable[int], period: Period) -> dict[int, tuple[int, int]]:
    """Per village: (households, households reached by any visit this year). Two queries."""
    ids = list(village_ids)
    if not ids:
        return {}
    totals = dict(
        Household.objects.filter(group__parent_id__in=ids)
        .order_by()
        .values("group__parent_id")
        .annotate(n=Count("pk"))
        .values_list("group__parent_id", "n")
    )
    reached = dict(
        Household.objects.filter(
            group__parent_id__in=ids,
            visit__date__gte=period.year_start,
            visit__date__lte=period.month_end,
        )
        .order_by()
        .values("group__parent_id")
        .annotate(n=Count("pk", distinct=True))
        .values_list("group__parent_id", "n")
    )
    return {pk: (totals.get(pk, 0), reached.get(pk, 0)) for pk in ids}


def progress_for(
    users: Sequence[User], *, rules: FieldworkRules, period: Period, detail: bool = False
) -> list[CadreProgress]:
    """Each user's figures for the period. `detail` also lists what is not reached yet
    (for one's own page). Users need `node` loaded."""
    ids = [u.pk for u in users]
    figures = _visit_figures(ids, period)
    leaders = [u for u in users if u.node is not None and is_township_leader(u)]
    reached = _villages_reached([u.pk for u in leaders], period) if leaders else {}
    township_villages: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if leaders:
        for path, name, parent_id in Node.objects.filter(
            level=Level.VILLAGE, parent_id__in={u.node_id for u in leaders}
        ).values_list("path", "name", "parent_id"):
            township_villages[parent_id].append((path, name))
    village_cadres = [
        u
        for u in users
        if u.role == Role.VILLAGE_CADRE and u.node is not None and u.node.level == Level.VILLAGE
    ]
    by_village = _village_households({u.node_id for u in village_cadres}, period)
    leader_ids = {u.pk for u in leaders}
    # County and city leaders: their linked townships and villages (联系点).
    senior_ids = [u.pk for u in users if u.rank in (Rank.COUNTY, Rank.CITY)]
    linked = _linked_places(senior_ids) if senior_ids else {}
    touched = _places_reached(list(linked), period) if linked else {}
    village_cadre_ids = {u.pk for u in village_cadres}

    result = []
    for user in users:
        row = figures.get(user.pk, {})
        visits, households = row.get("month_visits", 0), row.get("month_households", 0)
        monthly = monthly_target(user, rules, visits, households)
        contacts = Target(
            row.get("year_visits", 0),
            rules.contacts_per_year,
            basis=_("每年入户联系"),
            due=period.due(rules.contacts_per_year),
        )
        residence = residence_target(user, rules, row.get("residence", 0), period)
        coverage = None
        if user.pk in linked:
            places, paths = linked[user.pk], touched.get(user.pk, set())
            done = [any(p.startswith(path) for p in paths) for path, _name in places]
            missing = [name for (_p, name), ok in zip(places, done, strict=True) if not ok]
            coverage = Coverage("places", len(places), sum(done), missing if detail else ())
        elif user.pk in leader_ids:
            villages = township_villages.get(user.node_id, [])
            seen = reached.get(user.pk, set())
            missing = [name for path, name in villages if path not in seen] if detail else ()
            coverage = Coverage(
                "villages", len(villages), sum(1 for p, _n in villages if p in seen), missing
            )
        elif user.pk in village_cadre_ids:
            total, done = by_village.get(user.node_id, (0, 0))
            missing = households_not_reached(user.node, period) if detail else ()
            coverage = Coverage("households", total, done, missing)
        gaps = []
        if monthly is not None and monthly.gap:
            gaps.append(
                _("本月家访差 %(n)d 次") % {"n": monthly.gap}
                if monthly.maximum is None
                else _("本月走访差 %(n)d 户") % {"n": monthly.gap}
            )
        if contacts.gap:
            gaps.append(_("入户联系落后 %(n)d 次") % {"n": contacts.gap})
        if residence is not None and residence.gap:
            gaps.append(_("住村落后 %(n)d 天") % {"n": residence.gap})
        result.append(
            CadreProgress(
                user=user,
                visits=visits,
                households=households,
                monthly=monthly,
                contacts=contacts,
                residence=residence,
                coverage=coverage,
                gaps=gaps,
            )
        )
    return result


def households_not_reached(village: Node, period: Period) -> list[Household]:
    """The village's households no visit reached this year (the first MISSING_SHOWN)."""
    reached = Visit.households.through.objects.filter(
        visit__date__gte=period.year_start,
        visit__date__lte=period.month_end,
        household__group__parent_id=village.pk,
    ).values("household_id")
    return list(
        Household.objects.filter(group__parent_id=village.pk)
        .exclude(pk__in=reached)
        .select_related("group")
        .order_by("group__code", "code")[:MISSING_SHOWN]
    )


def team_in_scope(reviewer: User) -> list[User]:
    """Everyone in the reviewer's scope who keeps a visit log."""
    return list(
        User.objects.for_user(reviewer)
        .filter(is_active=True, role__in=FIELD_ROLES)
        .select_related("node")
        .order_by("node__code", "name", "username")
    )
