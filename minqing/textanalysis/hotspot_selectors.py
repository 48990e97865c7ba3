"""Reads of hot spots, scoped like every other list: a user sees the hot spots whose place
lies in their subtree (node path prefix), and inside one only the matters they may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from minqing.cases.models import Case
from minqing.org.models import User
from minqing.org.roles import Cap, has_cap
from minqing.textanalysis.hotspots import GROWTH_CAP, W_GROWTH, W_REPEAT, W_SPREAD, W_SUPPORT
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
