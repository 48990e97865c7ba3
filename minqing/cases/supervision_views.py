"""Supervisors' pages: the tracked list (挂账督办), slow matters, and follow-up records."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.cases.models import Case, Supervision, SupervisionKind
from minqing.cases.routing import center_for, county_office_for
from minqing.cases.selectors import slow_cases, supervision_list
from minqing.cases.services import supervision_open, supervision_record
from minqing.kit.guards import requires
from minqing.org.models import Unit, User
from minqing.org.roles import Cap
from minqing.org.scoping import get_in_scope_or_404


def supervising_unit(user: User) -> Unit | None:
    """The office a supervisor acts for: their own unit, else their township's center."""
    if user.unit is not None:
        return user.unit
    if user.node is None:
        return None
    return center_for(user.node) or county_office_for(user.node)


@requires(Cap.SUPERVISE)
def board(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "cases/supervision.html",
        {
            "tracked": supervision_list(user)[:200],
            "slow": slow_cases(user)[:100],
            "today": timezone.localdate(),
            "now": timezone.now(),
        },
    )


@require_POST
@requires(Cap.SUPERVISE)
def track(request: HttpRequest, number: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = get_in_scope_or_404(Case.objects.for_user(user), request, number=number)
    unit = supervising_unit(user)
    if unit is None:
        messages.error(request, _("您没有所属的督办单位。"))
        return redirect("cases:detail", number=number)
    try:
        supervision_open(
            case=case, unit=unit, actor=user, reason=request.POST.get("reason", "")[:2000]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已挂账督办。"))
    return redirect("cases:detail", number=number)


@require_POST
@requires(Cap.SUPERVISE)
def follow_up(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = get_in_scope_or_404(Case.objects.for_user(user), request, number=number)
    supervision = Supervision.objects.filter(case=case, pk=pk).first()
    kind = request.POST.get("kind", "")
    if supervision is None or kind not in SupervisionKind.values or kind == SupervisionKind.TRACK:
        raise Http404
    try:
        supervision_record(
            supervision=supervision, kind=kind, actor=user, note=request.POST.get("note", "")[:2000]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已记录：%(k)s。") % {"k": SupervisionKind(kind).label})
    return redirect("cases:detail", number=number)
