"""Hot-spot pages (/insight/hot/): the list of hot spots in the user's area, and one hot
spot with its matters, place in the tree, trend chart, heat breakdown and agenda item."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.kit.guards import requires
from minqing.org.models import User
from minqing.org.roles import Cap, has_cap
from minqing.org.scoping import get_in_scope_or_404, within
from minqing.org.selectors import breadcrumb
from minqing.textanalysis.hotspot_selectors import (
    chart_data,
    heat_breakdown,
    hot_spot_cases,
    hot_spot_list,
    hot_spots_for,
    series_rows,
)
from minqing.textanalysis.models import HotSpot, HotSpotStatus
from minqing.textanalysis.rules import insight_rules_for
from minqing.textanalysis.services import hotspot_mark_handled


@requires(Cap.VIEW_INSIGHT)
def hot_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    status = request.GET.get("status", "")
    status = status if status in HotSpotStatus.values else ""
    cooled = request.GET.get("cooled") == "1"
    page = Paginator(hot_spot_list(user, status=status, cooled=cooled), 30).get_page(
        request.GET.get("page")
    )
    rules = insight_rules_for(user.node) if user.node else None
    return render(
        request,
        "textanalysis/hotspot_list.html",
        {
            "page": page,
            "spots": page.object_list,
            "status": status,
            "cooled": cooled,
            "statuses": HotSpotStatus.choices,
            "rules": rules,
        },
    )


@requires(Cap.VIEW_INSIGHT)
def hot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    spot = get_in_scope_or_404(hot_spots_for(user), request, pk=pk)
    visible = hot_spot_cases(user, spot)
    cases = list(visible[:LIST_CAP])
    shown_all = len(cases) < LIST_CAP
    return render(
        request,
        "textanalysis/hotspot_detail.html",
        {
            "spot": spot,
            "cases": cases,
            "hidden": max(spot.case_count - (len(cases) if shown_all else visible.count()), 0),
            "capped": not shown_all,
            "can_handle": can_mark_handled(user, spot),
            "crumbs": breadcrumb(user, spot.node),
            "parts": heat_breakdown(spot),
            "chart": chart_data(spot),
            "rows": series_rows(spot),
        },
    )


LIST_CAP = 200  # matters listed on a hot spot's page


def can_mark_handled(user: User, spot: HotSpot) -> bool:
    """Marking a spot 已研判 silences its alert upward, so only the supervising level may:
    someone who supervises (SUPERVISE) from a level above the spot's place."""
    node = user.node
    return (
        has_cap(user, Cap.SUPERVISE)
        and node is not None
        and len(node.path) < len(spot.node.path)
        and within(spot.node, node)
    )


@require_POST
@requires(Cap.VIEW_INSIGHT)
def hot_handle(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    spot = get_in_scope_or_404(hot_spots_for(user), request, pk=pk)
    if not can_mark_handled(user, spot):
        raise Http404
    if spot.status == HotSpotStatus.HANDLED:
        messages.info(request, _("该热点已研判。"))
    else:
        hotspot_mark_handled(hot_spot=spot, actor=user, note=request.POST.get("note", ""))
        messages.success(request, _("已标记为已研判。"))
    return redirect("insight:hot_detail", pk=spot.pk)
