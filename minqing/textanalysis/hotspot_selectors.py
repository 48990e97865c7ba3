"""Reads of hot spots, scoped like every other list: a user sees the hot spots whose place
lies in their subtree (node path prefix), and inside one only the matters they may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.cases.models import Case, Nature
from minqing.cases.workflow import Status
from minqing.org.models import PATH_WIDTH, Level, Node, User
from minqing.org.roles import Cap, has_cap
from minqing.org.scoping import under
from minqing.textanalysis.hotspots import (
    GROWTH_CAP,
    W_GROWTH,
    W_REPEAT,
    W_SPREAD,
    W_SUPPORT,
    Record,
    place_stripper,
)
from minqing.textanalysis.models import HotSpot, HotSpotStatus


def hot_spots_for(user: User) -> QuerySet[HotSpot]:
    """Every hot spot (current or cooled) placed inside the user's scope."""
    if not has_cap(user, Cap.VIEW_INSIGHT):
        return HotSpot.objects.none()
    return HotSpot.objects.for_user(user).select_related("node__parent")


def hot_spot_list(user: User, *, status: str = "", cooled: bool = False) -> QuerySet[HotSpot]:
    """Hottest first; current ones only unless `cooled`; optionally one status."""
    spots = hot_spots_for(user)
    if not cooled:
        spots = spots.filter(active=True)
    if status in HotSpotStatus.values:
        spots = spots.filter(status=status)
    return spots.order_by("-active", "-heat", "-id")


def top_hot_spots(user: User, n: int = 3) -> list[HotSpot]:
    """The dashboard card: the hottest current, not yet studied hot spots in scope."""
    return list(
        hot_spots_for(user)
        .filter(active=True)
        .exclude(status=HotSpotStatus.HANDLED)
        .order_by("-heat", "-id")[:n]
    )


def hot_spot_cases(user: User, spot: HotSpot) -> QuerySet[Case]:
    """The cluster's matters that this user may see (Case.objects.for_user)."""
    return (
        Case.objects.for_user(user)
        .filter(hot_spots=spot)
        .select_related("node__parent", "unit")
        .order_by("-reported_at", "-id")
    )


@dataclass(frozen=True)
class HeatLine:
    label: str
    value: str
    note: str = ""


def heat_breakdown(spot: HotSpot) -> list[HeatLine]:
    """The heat formula's terms, as the detail page explains them."""
    parts: dict[str, Any] = spot.heat_parts or {}
    factor = float(parts.get("growth_factor", 1.0))
    return [
        HeatLine(_("涉及户数"), f"+{parts.get('households', 0):g}", _("每户计 1")),
        HeatLine(
            _("同户重复反映"), f"+{parts.get('repeat', 0):g}",
            _("每件计 %(w)s") % {"w": f"{W_REPEAT:g}"},
        ),
        HeatLine(
            _("地点分布"), f"+{parts.get('spread', 0):g}",
            _("下一级地点每多 1 处计 %(w)s") % {"w": f"{W_SPREAD:g}"},
        ),
        HeatLine(
            _("附议(并单)"), f"+{parts.get('support', 0):g}",
            _("附议人数每翻一番计 %(w)s") % {"w": f"{W_SUPPORT:g}"},
        ),
        HeatLine(
            _("增长系数"), f"×{factor:g}",
            _("按较前一窗口的增长计，最高 ×%(hi)s，最低 ×%(lo)s")
            % {"hi": f"{1 + W_GROWTH * GROWTH_CAP:g}", "lo": f"{1 - W_GROWTH:g}"},
        ),
        HeatLine(_("热度"), f"{spot.heat:g}", ""),
    ]  # fmt: skip


def chart_data(spot: HotSpot) -> dict[str, Any]:
    """Daily counts over the previous window and this one, for the ECharts trend chart (the
    page also prints them as a table for readers without JavaScript)."""
    days = [str(d) for d, _n in spot.series]
    start = spot.window_start.isoformat()
    return {
        "days": days,
        "counts": [int(n) for _d, n in spot.series],
        "window_start": start,
        "labels": {
            "current": _("本窗口"),
            "previous": _("前一窗口"),
            "count": _("事项数"),
        },
    }


def series_rows(spot: HotSpot) -> list[tuple[dt.date, int, bool]]:
    """(day, count, in this window) for the no-JS table."""
    rows = []
    for day, n in spot.series:
        d = dt.date.fromisoformat(day)
        rows.append((d, int(n), d >= spot.window_start))
    return rows


_WIDTHS = (PATH_WIDTH[Level.COUNTY], PATH_WIDTH[Level.TOWNSHIP], PATH_WIDTH[Level.VILLAGE],
           PATH_WIDTH[Level.GROUP])  # fmt: skip


def county_records(county: Node, *, start: dt.date, end: dt.date) -> list[Record]:
    """The county's matters reported from `start` to `end` (local dates, inclusive), merged
    ones excepted (a merged matter's reporter counts as support, 附议, of the one it joined)
    and praise too (a run of thanks is not a problem to study).

    A matter's household is its linked household (the lowest id if several), else its
    reporter's phone or name and address; an anonymous matter is its own household."""
    tz = timezone.get_current_timezone()
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    matters = (
        Case.objects.filter(county=county, reported_at__gte=start_at, reported_at__lt=end_at)
        .exclude(status=Status.MERGED)
        .exclude(nature=Nature.PRAISE)
    )
    households: dict[int, int] = {}
    through = Case.households.through
    for case_id, household_id in through.objects.filter(
        case__county=county, case__reported_at__gte=start_at, case__reported_at__lt=end_at
    ).values_list("case_id", "household_id"):
        if case_id not in households or household_id < households[case_id]:
            households[case_id] = household_id
    support = dict(
        Case.objects.filter(
            status=Status.MERGED,
            parent__county=county,
            parent__reported_at__gte=start_at,
            parent__reported_at__lt=end_at,
        )
        .values("parent_id")
        .annotate(n=Count("id"))
        .values_list("parent_id", "n")
    )
    strip = place_stripper(Node.objects.filter(under(county)).values_list("name", flat=True))
    out: list[Record] = []
    rows = matters.order_by("reported_at", "id").values_list(
        "id", "reported_at", "title", "description", "original_text", "node__path",
        "reporter_name", "reporter_address", "reporter_phone", "anonymous",
    )  # fmt: skip
    for pk, at, title, description, original, path, name, address, phone, anon in rows.iterator(
        chunk_size=5000
    ):
        text = description or original
        if name and len(name) > 1:
            # A reporter who names himself must not become a hot spot's "topic" (the topic
            # goes into agendas and alerts); keyword trends drop the name the same way.
            title, text = title.replace(name, ""), text.replace(name, "")
        if strip is not None:
            title, text = strip(title), strip(text)
        if pk in households:
            household = f"h{households[pk]}"
        elif anon:
            household = ""
        else:
            household = f"p{phone}" if phone else (f"r{name}|{address}" if name else "")
        out.append(
            Record(
                id=pk,
                day=timezone.localtime(at, tz).date(),
                title=title,
                text=text,
                place=tuple(path[:w] for w in _WIDTHS if len(path) >= w),
                household=household,
                support=support.get(pk, 0),
            )
        )
    return out
