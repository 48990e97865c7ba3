"""The case page's "相似事项" card, loaded by htmx so the case page itself stays fast."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minqing.cases.models import Case
from minqing.cases.permissions import can_act
from minqing.cases.workflow import TRANSITIONS, Action
from minqing.kit.guards import requires
from minqing.org.roles import Cap
from minqing.org.scoping import get_in_scope_or_404
from minqing.textanalysis.similarity import similar_to_case


@requires(Cap.VIEW_CASES)
def similar_for_case(request: HttpRequest, number: str) -> HttpResponse:
    case = get_in_scope_or_404(
        Case.objects.for_user(request.user).select_related("node__parent"), request, number=number
    )
    can_merge = case.status in TRANSITIONS[Action.MERGE].sources and can_act(
        request.user,  # type: ignore[arg-type]
        case,
        Action.MERGE,
    )
    return render(
        request,
        "textanalysis/_similar.html",
        {
            "case": case,
            "matches": similar_to_case(request.user, case),  # type: ignore[arg-type]
            "can_merge": can_merge,
        },
    )
