"""督办: putting a case on a supervising unit's tracked list and recording each follow-up.

Supervision never changes a case's state; it adds to the timeline (through
`case_transition` with the SUPERVISE action, so the timeline has one writer) and keeps
the tracked list's next due dates per the county's cadence.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.cases.deadlines import rules_for
from minqing.cases.models import Case, Supervision, SupervisionAction, SupervisionKind
from minqing.cases.services.case import case_transition
from minqing.cases.workflow import Action
from minqing.org.models import Unit, User

# Which due date each follow-up kind satisfies, and the rule field giving its cadence.
_CADENCE = {
    SupervisionKind.INQUIRY: ("next_inquiry", "inquiry_days"),
    SupervisionKind.CHECK: ("next_check", "check_days"),
    SupervisionKind.DISPATCH: ("next_dispatch", "dispatch_days"),
}


@transaction.atomic
def supervision_open(
    *,
    case: Case,
    unit: Unit,
    actor: User | None,
    reason: str,
    automatic: bool = False,
    at: dt.datetime | None = None,
) -> Supervision:
    """Put a case on `unit`'s tracked list; an already active entry is returned as is."""
    existing = Supervision.objects.filter(case=case, unit=unit, released_at__isnull=True).first()
    if existing is not None:
        return existing
    if not reason.strip():
        raise ValidationError({"reason": _("请填写督办事由。")})
    now = at or timezone.now()
    today = timezone.localtime(now).date()
    rules = rules_for(case.county)
    supervision = Supervision.objects.create(
        case=case,
        unit=unit,
        reason=reason.strip(),
        automatic=automatic,
        created_by=actor,
        created_at=now,
        next_inquiry=today + dt.timedelta(days=rules.inquiry_days),
        next_check=today + dt.timedelta(days=rules.check_days),
        next_dispatch=today + dt.timedelta(days=rules.dispatch_days),
    )
    SupervisionAction.objects.create(
        supervision=supervision, kind=SupervisionKind.TRACK, at=now, actor=actor, note=reason
    )
    case_transition(
        case=case,
        action=Action.SUPERVISE,
        actor=actor,
        at=now,
        note=_("%(unit)s挂账督办：%(reason)s") % {"unit": unit.name, "reason": reason.strip()},
    )
    return supervision


@transaction.atomic
def supervision_record(
    *, supervision: Supervision, kind: str, actor: User | None, note: str
) -> SupervisionAction:
    """Record an inquiry, check, dispatch, special check, on-site verification or release."""
    if not note.strip():
        raise ValidationError({"note": _("请填写督办情况。")})
    if supervision.released_at is not None:
        raise ValidationError(_("该事项已销账，不能再记录督办。"))
    now = timezone.now()
    record = SupervisionAction.objects.create(
        supervision=supervision, kind=kind, at=now, actor=actor, note=note.strip()
    )
    rules = rules_for(supervision.case.county)
    today = timezone.localtime(now).date()
    if kind in _CADENCE:
        field, days = _CADENCE[SupervisionKind(kind)]
        setattr(supervision, field, today + dt.timedelta(days=getattr(rules, days)))
        supervision.save(update_fields=[field])
    elif kind == SupervisionKind.RELEASE:
        supervision.released_at = now
        supervision.save(update_fields=["released_at"])
    case_transition(
        case=supervision.case,
        action=Action.SUPERVISE,
        actor=actor,
        at=now,
        note=f"{SupervisionKind(kind).label}：{note.strip()}",
    )
    return record
