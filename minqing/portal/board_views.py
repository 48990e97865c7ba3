"""The public board (公开栏): open pages for residents, and the staff steps that put a
settled matter's anonymised result on it or take it down again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from minqing.cases.case_page import case_page
from minqing.cases.models import Case
from minqing.fieldwork.talk_selectors import upcoming_public_talk_days
from minqing.fieldwork.visit_selectors import upcoming_public_plans
from minqing.kit.forms import StyledFormMixin, add_validation_error
from minqing.kit.guards import requires
from minqing.lib.public_text import public_text_errors
from minqing.org.models import Level
from minqing.org.roles import Cap
from minqing.org.scoping import get_in_scope_or_404
from minqing.portal.board import (
    POSTS_PER_PAGE,
    SETTLED,
    board_places,
    child_places,
    children_figures,
    find_place,
    place_figures,
    shown_posts,
)
from minqing.portal.board_rules import RESULT_MAX, SUMMARY_MAX, may_publish
from minqing.portal.forms import clean_text
from minqing.portal.models import BoardPost
from minqing.portal.services import board_publish, board_withdraw

# --- Public pages ----------------------------------------------------------------------


@require_GET
def board(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/board.html", {"places": board_places()})


@require_GET
def board_place(request: HttpRequest, code: str) -> HttpResponse:
    place = find_place(code)
    if place is None:
        raise Http404
    children = child_places(place)
    by_child = children_figures(place, children)
    trail = [n for n in (place.parent.parent if place.parent else None, place.parent) if n]
    page = Paginator(shown_posts(place), POSTS_PER_PAGE).get_page(request.GET.get("page"))
    county = place.level == Level.COUNTY
    return render(
        request,
        "portal/board_place.html",
        {
            "place": place,
            "trail": trail,
            "figures": place_figures(place),
            "children": [(child, by_child.get(child.pk)) for child in children],
            "child_label": _("乡镇(街道)") if county else _("村(社区)"),
            "children_title": _("各乡镇(街道)本年情况") if county else _("各村(社区)本年情况"),
            "page": page,
            "plans": upcoming_public_plans(place),
            "talk_days": upcoming_public_talk_days(place),
        },
    )


# --- Staff: publish and withdraw (on the case page) --------------------------------------


class BoardPublishForm(StyledFormMixin, forms.Form):
    summary = forms.CharField(label=gettext_lazy("公开摘要"), max_length=SUMMARY_MAX)
    result = forms.CharField(
        label=gettext_lazy("公开的办理结果"),
        max_length=RESULT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        self.case = case
        super().__init__(*args, **kwargs)

    def _clean_public(self, name: str) -> str:
        value = clean_text(self.cleaned_data[name])
        errors = public_text_errors(value, self.case)
        if errors:
            raise ValidationError(errors)
        return value

    def clean_summary(self) -> str:
        return self._clean_public("summary")

    def clean_result(self) -> str:
        return self._clean_public("result")


def _place_code(case: Case) -> str:
    """The code of the case's village (or township) board page, from the node chain the
    case page already loaded."""
    node = case.node
    while node is not None and node.level not in (Level.VILLAGE, Level.TOWNSHIP):
        node = node.parent
    return node.code if node is not None else ""


def board_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """The case page's panel `portal/_case_board.html` (registered in PortalConfig.ready()):
    {"board": None} when the user may not publish this case or there is nothing to do."""
    if not may_publish(request.user, case):  # type: ignore[arg-type]
        return {"board": None}
    post = BoardPost.objects.filter(case=case).select_related("published_by").first()
    settled = case.status in SETTLED
    if post is None and not settled:
        return {"board": None}
    form = getattr(request, "_board_form", None)
    if form is None and settled:
        form = BoardPublishForm(
            case=case,
            initial={
                "summary": post.summary if post else case.title[:SUMMARY_MAX],
                "result": post.result if post else case.answer[:RESULT_MAX],
            },
        )
    return {
        "board": {
            "post": post,
            "shown": post is not None and post.withdrawn_at is None,
            "form": form,
            "open": form is not None and form.is_bound,
            "place_code": _place_code(case),
        }
    }


def _case_for_publisher(request: HttpRequest, number: str) -> Case:
    case = get_in_scope_or_404(
        Case.objects.for_user(request.user).select_related("node__parent__parent"),
        request,
        number=number,
    )
    if not may_publish(request.user, case):  # type: ignore[arg-type]
        raise Http404
    return case


def _back(number: str) -> HttpResponse:
    return redirect(reverse("cases:detail", args=[number]) + "#board")


@require_POST
@requires(Cap.VIEW_CASES)
def publish(request: HttpRequest, number: str) -> HttpResponse:
    case = _case_for_publisher(request, number)
    if case.status not in SETTLED:
        messages.error(request, _("只有已办结的事项才能发布到公开栏。"))
        return _back(number)
    form = BoardPublishForm(request.POST, case=case)
    if form.is_valid():
        try:
            board_publish(case=case, actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("已发布到公开栏。"))
            return _back(number)
    # Show the case page again with the staff member's text and the reasons it was refused.
    request._board_form = form  # type: ignore[attr-defined]
    return case_page(request, number, status=400)


@require_POST
@requires(Cap.VIEW_CASES)
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    case = _case_for_publisher(request, number)
    try:
        board_withdraw(case=case, actor=request.user)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已从公开栏撤下。"))
    return _back(number)
