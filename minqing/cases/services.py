"""Writes to cases: registration and the one transition function.

Nothing else assigns `case.status`. Every transition locks the case row, checks the
transition table, applies the action's effects, writes a timeline event and an audit
record, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.audit.models import Action as AuditAction
from minqing.audit.services import record
from minqing.cases.deadlines import compute_deadline, rules_for
from minqing.cases.models import Case, CaseEvent, Category, Rating, Urgency
from minqing.cases.notifications import on_event
from minqing.cases.numbering import allocate_number
from minqing.cases.routing import unit_above
from minqing.cases.workflow import OPEN_STATUSES, TRANSITIONS, Action, Status
from minqing.org.models import PATH_WIDTH, Level, Node, Unit, User


class TransitionError(ValidationError):
    pass


def _county_of(node: Node) -> Node:
    return Node.objects.get(path=node.path[: PATH_WIDTH[Level.COUNTY]], level=Level.COUNTY)


def _township_and_village(node: Node) -> tuple[Node | None, Node | None]:
    wanted = {
        node.path[: PATH_WIDTH[level]]: level
        for level in (Level.TOWNSHIP, Level.VILLAGE)
        if len(node.path) >= PATH_WIDTH[level]
    }
    found = {n.level: n for n in Node.objects.filter(path__in=list(wanted))}
    return found.get(Level.TOWNSHIP), found.get(Level.VILLAGE)


def _check_in_scope(actor: User | None, node: Node) -> None:
    if actor is None:
        return  # system jobs (the portal, the scheduler) act for the whole county
    if actor.node is None or not node.path.startswith(actor.node.path):
        raise ValidationError({"node": _("所选地点不在您的辖区范围内。")})


def case_register(
    *,
    actor: User | None,
    node: Node,
    channel: str,
    original_text: str,
    nature: str,
    title: str = "",
    urgency: str = Urgency.NORMAL,
    reporter_name: str = "",
    reporter_address: str = "",
    reporter_work_unit: str = "",
    reporter_phone: str = "",
    anonymous: bool = False,
    confidential: bool = False,
    reported_at: dt.datetime | None = None,
    deadline: dt.datetime | None = None,
    proposal: str = "",
    address: str = "",
    category: Category | None = None,
    must_report: str = "",
    households: Iterable[Any] = (),
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    idempotency_key: str | None = None,
) -> tuple[Case, bool]:
    """Register a matter. Returns (case, created); a retried key returns the original."""
    if idempotency_key:
        existing = Case.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    _check_in_scope(actor, node)
    text = original_text.strip()
    if not text:
        raise ValidationError({"original_text": _("请填写群众反映的问题。")})
    if not anonymous and not reporter_name.strip():
        raise ValidationError({"reporter_name": _("请填写反映人姓名，或勾选“匿名”。")})
    now = timezone.now()
    reported_at = reported_at or now
    county = _county_of(node)
    rules = rules_for(county)
    try:
        with transaction.atomic():
            township, village = _township_and_village(node)
            case = Case(
                county=county,
                node=node,
                township=township,
                village=village,
                channel=channel,
                reporter_name="" if anonymous else reporter_name.strip(),
                reporter_address="" if anonymous else reporter_address.strip(),
                reporter_work_unit="" if anonymous else reporter_work_unit.strip(),
                reporter_phone="" if anonymous else reporter_phone.strip(),
                anonymous=anonymous,
                confidential=confidential or anonymous,
                reported_at=reported_at,
                original_text=text,
                title=(title.strip() or text[:60]),
                description=text,
                proposal=proposal.strip(),
                deadline=deadline
                or compute_deadline(rules=rules, urgency=urgency, start=reported_at),
                address=address.strip(),
                latitude=latitude,
                longitude=longitude,
                category=category,
                nature=nature,
                urgency=urgency,
                must_report=must_report,
                status=Status.REGISTERED,
                idempotency_key=idempotency_key or None,
                created_by=actor,
            )
            prefix = county.code[:6] if rules.number_with_county_prefix else ""
            case.number = allocate_number(prefix=prefix, at=now)
            # Foreign keys come from scoped queries above; re-checking that each exists
            # would add three queries to every registration.
            case.full_clean(
                exclude=["households", "number", "idempotency_key", "county", "node",
                         "township", "village", "created_by", "category"],
                validate_unique=False,
            )  # fmt: skip
            case.save()
            if households:
                case.households.set(list(households))
            CaseEvent.objects.create(
                case=case,
                actor=actor,
                action=Action.REGISTER,
                to_status=Status.REGISTERED,
                note=_("通过“%(channel)s”登记") % {"channel": case.get_channel_display()},
            )
            record(
                action=AuditAction.CREATE,
                actor=actor,
                obj=case,
                changes={"number": case.number, "channel": channel, "node": node.code},
            )
    except IntegrityError:
        # Two submissions with the same key raced; the loser returns the winner's case.
        if idempotency_key:
            existing = Case.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing, False
        raise
    return case, True


def _require(action: str, values: dict[str, Any]) -> None:
    labels = {
        "note": _("说明"),
        "unit": _("承办单位"),
        "deadline": _("新的期限"),
        "answer": _("办理结果/答复"),
        "answer_method": _("反馈方式"),
        "rating": _("评议结果"),
        "parent": _("并入事项"),
    }
    missing = [labels[name] for name in TRANSITIONS[action].requires if not values.get(name)]
    if missing:
        raise TransitionError(_("请填写：%(fields)s。") % {"fields": "、".join(missing)})


@transaction.atomic
def case_transition(
    *,
    case: Case,
    action: str,
    actor: User | None,
    note: str = "",
    unit: Unit | None = None,
    handler: User | None = None,
    deadline: dt.datetime | None = None,
    answer: str = "",
    answer_method: str = "",
    rating: str = "",
    rating_comment: str = "",
    parent: Case | None = None,
    at: dt.datetime | None = None,
) -> Case:
    """The only door through which a case changes state (or gains a timeline event)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionError(_("未知的操作。"))
    if case.status not in transition.sources:
        raise TransitionError(
            _("事项当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": case.get_status_display(), "action": Action(action).label}
        )
    _require(
        action,
        {
            "note": note.strip(),
            "unit": unit,
            "deadline": deadline,
            "answer": answer.strip(),
            "answer_method": answer_method,
            "rating": rating,
            "parent": parent,
        },
    )
    now = at or timezone.now()
    from_status = case.status
    data: dict[str, Any] = {}
    event_unit = None

    if action in (Action.ASSIGN,):
        if unit is None or not unit.receives_cases:
            raise TransitionError(_("该单位不能承办民情事项。"))
        case.unit, case.handler = unit, handler
        event_unit = unit
    elif action == Action.ACCEPT:
        case.handler = case.handler or actor
    elif action == Action.RETURN:
        data["returned_by_unit"] = case.unit_id
        event_unit = case.unit
        case.unit, case.handler = None, None
    elif action == Action.ESCALATE:
        above = unit or unit_above(case.unit, case.node)
        if above is None:
            raise TransitionError(_("已是最高一级，无法继续上报。"))
        case.unit, case.handler = above, None
        event_unit = above
    elif action == Action.FIRST_CONTACT:
        case.first_contact_at = case.first_contact_at or now
    elif action == Action.EXTEND:
        if deadline is None or deadline <= case.deadline:
            raise TransitionError(_("新的期限必须晚于原期限。"))
        data["old_deadline"] = case.deadline.isoformat()
        data["new_deadline"] = deadline.isoformat()
        case.deadline = deadline
        case.overdue_at = None
        case.reminded_at = None
    elif action in (Action.RESOLVE, Action.SOLVE_ON_SPOT):
        case.answer = answer.strip()
        case.resolved_at = now
        if action == Action.SOLVE_ON_SPOT:
            case.answer_method = answer_method or "on_spot"
            case.answered_at = now
            case.handler = actor
    elif action == Action.ANSWER:
        case.answer_method = answer_method
        case.answered_at = now
        if answer.strip():
            case.answer = answer.strip()
        days = rules_for(case.county).return_visit_days
        case.return_visit_due = (timezone.localtime(now) + dt.timedelta(days=days)).date()
    elif action == Action.RATE:
        case.rating, case.rating_comment = rating, rating_comment.strip()
        data["rating"] = rating
    elif action == Action.REOPEN:
        case.reopen_count += 1
        case.resolved_at = case.answered_at = case.closed_at = None
    elif action == Action.CLOSE:
        case.closed_at = now
    elif action == Action.REMIND:
        case.reminded_at = now
    elif action == Action.OVERDUE:
        case.overdue_at = now
    elif action == Action.MERGE:
        if parent is None or parent.pk == case.pk or parent.parent_id == case.pk:
            raise TransitionError(_("不能并入自身。"))
        if parent.status not in OPEN_STATUSES:
            # A matter parked under a finished one would never be handled.
            raise TransitionError(_("只能并入尚未办结的事项。"))
        case.parent = parent
        data["parent"] = parent.number

    if transition.target is not None:
        case.status = transition.target
    case.save()
    event = CaseEvent.objects.create(
        case=case,
        at=now,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=case.status if transition.target else "",
        note=note.strip() or answer.strip() or rating_comment.strip(),
        unit=event_unit,
        data=data,
    )
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        obj=case,
        changes={"action": action, "status": [from_status, case.status], **data},
    )
    on_event(case=case, event=event)
    if action == Action.RATE and rating == Rating.DISSATISFIED:
        _after_dissatisfied(case=case, actor=actor, at=now)
        case.refresh_from_db()
    return case


def _after_dissatisfied(*, case: Case, actor: User | None, at: dt.datetime) -> None:
    """不满意 sends the matter back to the same handler once, then up a level."""
    if case.reopen_count == 0:
        case_transition(
            case=case, action=Action.REOPEN, actor=actor, at=at,
            note=_("群众评议不满意，退回原承办人重新办理。"),
        )  # fmt: skip
        return
    case_transition(
        case=case, action=Action.REOPEN, actor=actor, at=at,
        note=_("群众再次评议不满意，上报上一级办理。"),
    )  # fmt: skip
    case_transition(
        case=case, action=Action.ESCALATE, actor=actor, at=at,
        note=_("群众再次评议不满意，自动上报。"),
    )  # fmt: skip


EDITABLE_DETAILS = ("title", "description", "category", "nature", "urgency", "must_report")


@transaction.atomic
def case_update_details(*, case: Case, actor: User | None, **fields: Any) -> Case:
    """Staff correct the summary, category or urgency. The resident's own words
    (`original_text`) are never among the editable fields: they stay as reported."""
    unknown = set(fields) - set(EDITABLE_DETAILS)
    if unknown:
        raise ValidationError(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    case = Case.objects.select_for_update().get(pk=case.pk)
    changed = [name for name, value in fields.items() if getattr(case, name) != value]
    if not changed:
        return case
    for name in changed:
        setattr(case, name, fields[name])
    case.save(update_fields=[*changed, "updated_at"])
    labels = "、".join(str(Case._meta.get_field(name).verbose_name) for name in changed)
    return case_transition(
        case=case, action=Action.NOTE, actor=actor, note=_("修改事项信息：%(f)s") % {"f": labels}
    )
