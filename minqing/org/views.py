from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from minqing.fieldwork.visit_selectors import upcoming_public_plans
from minqing.org.models import Level, Node, Unit, User
from minqing.org.roles import Cap
from minqing.org.scoping import get_in_scope_or_404
from minqing.org.selectors import breadcrumb, children_with_counts
from minqing.web.decorators import requires


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
