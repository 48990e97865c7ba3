"""意见箱批量登记: every slip from one box opening, registered in one all-or-nothing step."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from minqing.cases.forms import BoxSessionForm, SlipFormSet
from minqing.cases.services import box_slips_register
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
                numbers = box_slips_register(
                    actor=user, node=node, session=session.cleaned_data, slips=filled
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
