from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minqing.households.models import Household, Resident
from minqing.org.roles import Cap
from minqing.org.scoping import get_in_scope_or_404
from minqing.web.decorators import requires


@requires(Cap.VIEW_RESIDENTS)
def household_list(request: HttpRequest) -> HttpResponse:
    qs = Household.objects.for_user(request.user).select_related("group__parent").order_by("code")
    q = request.GET.get("q", "").strip()[:40]
    if q:
        # Full ID or phone numbers find a household without ever being shown.
        qs = qs.filter(
            Q(head_name__contains=q)
            | Q(address__contains=q)
            | Q(code=q)
            | Q(members__id_number=q.upper())
            | Q(members__phone=q)
            | Q(phone=q)
        ).distinct()
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    # Count members for the 50 rows shown only; annotating the whole scoped set first
    # made SQLite aggregate every household of the county before paginating.
    shown = list(page.object_list)
    counts = dict(
        Resident.objects.filter(household__in=[h.pk for h in shown])
        .values_list("household_id")
        .annotate(n=Count("id"))
        .values_list("household_id", "n")
    )
    page.object_list = shown
    for household in shown:
        household.member_count = counts.get(household.pk, 0)
    return render(request, "households/household_list.html", {"page": page, "q": q})


@requires(Cap.VIEW_RESIDENTS)
def household_detail(request: HttpRequest, code: str) -> HttpResponse:
    household = get_in_scope_or_404(
        Household.objects.for_user(request.user).select_related("group__parent__parent"),
        request,
        code=code,
    )
    return render(
        request,
        "households/household_detail.html",
        {"household": household, "members": household.members.all()},
    )
