"""The home page and the territory pages (辖区: the tree of places, the staff directory).

The tree pages are org's subject, but org sits below the UI kit in the layer order
(minqing.layers) and a place's page shows what apps above org keep (the public visit plans
of a village), so they are composed here, under org's URL names (minqing.web.org_urls)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from minqing.fieldwork.visit_selectors import upcoming_public_plans
from minqing.kit.guards import requires
from minqing.org.models import Level, Node, Unit, User
from minqing.org.roles import Cap, has_cap
from minqing.org.scoping import get_in_scope_or_404
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


@requires(Cap.VIEW_TREE)
def tree(request: HttpRequest) -> HttpResponse:
    return redirect("org:node", code=request.user.node.code)  # type: ignore[union-attr]


@requires(Cap.VIEW_TREE)
def node_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    node = get_in_scope_or_404(Node.objects.for_user(user), request, code=code)
    context = {
        "node": node,
        "crumbs": breadcrumb(user, node),  # type: ignore[arg-type]
        "children": children_with_counts(user, node),  # type: ignore[arg-type]
        "units": Unit.objects.for_user(user).filter(node=node).select_related("head"),
        "staff": User.objects.for_user(user)
        .filter(node=node, is_active=True)
        .select_related("unit")
        .order_by("role", "username")[:100],
        "plans": upcoming_public_plans(node) if node.level == Level.VILLAGE else None,
    }
    return render(request, "org/node_detail.html", context)


@requires(Cap.VIEW_STAFF)
def staff_list(request: HttpRequest) -> HttpResponse:
    qs = (
        User.objects.for_user(request.user)
        .filter(is_active=True)
        .select_related("node", "unit")
        .order_by("node__code", "role", "username")
    )
    q = request.GET.get("q", "").strip()[:40]
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(username__contains=q) | Q(post__contains=q))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "org/staff_list.html", {"page": page, "q": q})
