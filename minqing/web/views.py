from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minqing.org.selectors import breadcrumb, children_with_counts, scope_counts


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    node = user.node  # type: ignore[union-attr]
    context = {
        "counts": scope_counts(user),  # type: ignore[arg-type]
        "node": node,
        "crumbs": breadcrumb(user, node) if node else [],  # type: ignore[arg-type]
        "children": children_with_counts(user, node) if node else [],  # type: ignore[arg-type]
    }
    return render(request, "web/home.html", context)
