from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minqing.org.roles import Cap, has_cap
from minqing.org.selectors import breadcrumb, children_with_counts, scope_counts
from minqing.textanalysis.hotspot_selectors import top_hot_spots


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    node = user.node  # type: ignore[union-attr]
    context = {
        "counts": scope_counts(user),  # type: ignore[arg-type]
        "node": node,
        "crumbs": breadcrumb(user, node) if node else [],  # type: ignore[arg-type]
        "children": children_with_counts(user, node) if node else [],  # type: ignore[arg-type]
        # 热点 card: the three hottest current hot spots in scope (民情分析 roles only).
        "hot_spots": top_hot_spots(user) if has_cap(user, Cap.VIEW_INSIGHT) else None,  # type: ignore[arg-type]
    }
    return render(request, "web/home.html", context)
