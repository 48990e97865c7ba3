"""意见箱批量登记: every slip from one box opening, registered in one all-or-nothing step."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from minqing.cases.forms import BoxSessionForm, SlipFormSet
from minqing.cases.models import Channel
from minqing.cases.services import case_register
from minqing.kit.guards import requires
from minqing.org.models import Node, User
from minqing.org.roles import Cap


@requires(Cap.REGISTER_CASE)
def box_session(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    session = BoxSessionForm(request.POST or None, user=user)
    slips = SlipFormSet(request.POST or None, prefix="slip")
    if request.method == "POST" and session.is_valid() and slips.is_valid():
        node = Node.objects.for_user(user).filter(pk=session.cleaned_data["node"]).first()
        filled = [s.cleaned_data for s in slips if s.cleaned_data.get("original_text", "").strip()]
        if node is None:
            session.add_error("node", _("所选地点不在您的辖区范围内。"))
        elif not filled:
            session.add_error(None, _("请至少录入一张意见条。"))
        else:
            try:
                numbers = _register_slips(
                    user=user, node=node, session=session.cleaned_data, slips=filled
                )
            except ValidationError as error:
                session.add_error(None, error.messages)
            else:
                messages.success(
                    request,
                    _("已登记 %(n)d 件意见箱事项：%(numbers)s")
                    % {"n": len(numbers), "numbers": "、".join(numbers)},
                )
                return redirect("cases:list")
    return render(request, "cases/box.html", {"session": session, "slips": slips})


@transaction.atomic
def _register_slips(*, user: User, node: Node, session: dict, slips: list[dict]) -> list[str]:
    """All slips or none: a resend of the same opening returns the same numbers."""
    numbers = []
    note = _("%(box)s 意见箱，%(by)s 开箱") % {"box": session["box"], "by": session["opened_by"]}
    for index, slip in enumerate(slips):
        name = slip.get("reporter_name", "").strip()
        case, _created = case_register(
            actor=user,
            node=node,
            channel=Channel.SUGGESTION_BOX,
            nature=slip["nature"],
            original_text=slip["original_text"],
            reporter_name=name,
            reporter_phone=slip.get("reporter_phone", ""),
            anonymous=not name,
            reported_at=session["opened_at"],
            address=note,
            idempotency_key=f"{session['idempotency_key']}-{index}",
        )
        numbers.append(case.number)
    return numbers
