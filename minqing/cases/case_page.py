"""The staff case page: the case and its handling, and the panels apps above cases add.

Apps higher in the layer order (minqing.layers) show their part of a case on this page
without cases importing them: each registers a panel on PANELS from its AppConfig.ready()
(portal: the case on the public board; fieldwork: the visits and diary entries it came
from). A panel whose form was refused shows the page again through `case_page`, its bound
form on the request (portal.board_views.publish).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from minqing.cases.forms import CaseActionForm, CaseDetailsForm
from minqing.cases.models import Case, SupervisionKind
from minqing.cases.permissions import actions_for, can_act, can_reveal_reporter
from minqing.cases.supervision_views import supervising_unit
from minqing.cases.workflow import Action
from minqing.kit.panels import PanelSlot
from minqing.org.models import User
from minqing.org.roles import Cap, has_cap
from minqing.org.scoping import get_in_scope_or_404

PANELS = PanelSlot("case_panels")


def case_page(request: HttpRequest, number: str, *, status: int = 200) -> HttpResponse:
    """The page of the case `number` in the user's scope (404 outside it)."""
    case = get_in_scope_or_404(
        Case.objects.for_user(request.user).select_related(
            "node__parent__parent", "unit", "handler", "category", "created_by", "parent"
        ),
        request,
        number=number,
    )
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "events": case.events.select_related("actor", "unit"),
            "actions": [(a, Action(a).label) for a in actions_for(request.user, case)],  # type: ignore[arg-type]
            "form": CaseActionForm(user=request.user),  # type: ignore[arg-type]
            "children": case.merged_children.all(),
            "attachments": case.attachments.all(),
            "details_form": CaseDetailsForm(instance=case, user=request.user),  # type: ignore[arg-type]
            "can_edit": can_act(request.user, case, Action.NOTE),  # type: ignore[arg-type]
            "can_reveal": can_reveal_reporter(request.user, case),  # type: ignore[arg-type]
            **_supervision_context(request.user, case),  # type: ignore[arg-type]
            **PANELS.context(request, case),
            "now": timezone.now(),
        },
        status=status,
    )


def _supervision_context(user: User, case: Case) -> dict[str, object]:
    active = list(case.supervisions.filter(released_at__isnull=True).select_related("unit"))
    mine = supervising_unit(user) if has_cap(user, Cap.SUPERVISE) else None
    return {
        "supervisions": active,
        "can_supervise": has_cap(user, Cap.SUPERVISE),
        "supervised_by_me": mine is not None and any(s.unit_id == mine.pk for s in active),
        "follow_up_kinds": [
            (k.value, k.label) for k in SupervisionKind if k != SupervisionKind.TRACK
        ],
    }
