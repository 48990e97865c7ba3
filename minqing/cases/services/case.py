"""Writes to cases: registration (one matter, or a suggestion box's slips), corrections of
the details, and the one transition function.

Nothing else assigns `case.status`. Every transition locks the case row, checks the
transition table, applies the action's effects, writes a timeline event and an audit
record, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.audit.models import Action as AuditAction
from minqing.audit.services import record
from minqing.cases.attachments import PreparedFile
from minqing.cases.deadlines import compute_deadline, rules_for
from minqing.cases.models import Case, CaseEvent, Category, Channel, Urgency
from minqing.cases.notifications import on_event
from minqing.cases.services.attachments import attachment_store
from minqing.cases.services.numbering import number_allocate
from minqing.cases.services.transitions import HANDLERS, Step, TransitionError
from minqing.cases.workflow import TRANSITIONS, Action, Status
from minqing.org.models import PATH_WIDTH, Level, Node, Unit, User


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
    files: Sequence[PreparedFile] = (),
    then: Callable[[Case], object] | None = None,
) -> tuple[Case, bool]:
    """Register a matter. Returns (case, created); a retried key returns the original and
    writes nothing.

    `files` (checked beforehand by `attachment_prepare`) are stored on the new case, and
    `then(case)` runs the caller's own writes about it (keeping the chosen category as
    training data, say), all in the registration's transaction: nothing is half-saved."""
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
            case.number = number_allocate(prefix=prefix, at=now)
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
            _finish_registration(case=case, actor=actor, files=files, then=then)
    except IntegrityError:
        # Two submissions with the same key raced; the loser returns the winner's case.
        if idempotency_key:
            existing = Case.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing, False
        raise
    return case, True


def _finish_registration(
    *,
    case: Case,
    actor: User | None,
    files: Sequence[PreparedFile],
    then: Callable[[Case], object] | None,
) -> None:
    """The registering caller's files and own writes, inside the registration's transaction."""
    for prepared in files:
        attachment_store(case=case, prepared=prepared, actor=actor)
    if then is not None:
        then(case)


def _require(action: str, step: Step) -> None:
    labels = {
        "note": _("说明"),
        "unit": _("承办单位"),
        "deadline": _("新的期限"),
        "answer": _("办理结果/答复"),
        "answer_method": _("反馈方式"),
        "rating": _("评议结果"),
        "parent": _("并入事项"),
    }
    missing = [labels[name] for name in TRANSITIONS[action].requires if not getattr(step, name)]
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
    """The only door through which a case changes state (or gains a timeline event).

    The transition table says whether the action may run and where it leads; the action's
    handler (`transitions.HANDLERS`) says what else it changes on the case."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionError(_("未知的操作。"))
    if case.status not in transition.sources:
        raise TransitionError(
            _("事项当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": case.get_status_display(), "action": Action(action).label}
        )
    step = Step(
        actor=actor, at=at or timezone.now(), note=note.strip(), unit=unit, handler=handler,
        deadline=deadline, answer=answer.strip(), answer_method=answer_method, rating=rating,
        rating_comment=rating_comment.strip(), parent=parent,
    )  # fmt: skip
    _require(action, step)
    from_status = case.status
    HANDLERS[action](case, step)
    if transition.target is not None:
        case.status = transition.target
    case.save()
    event = CaseEvent.objects.create(
        case=case,
        at=step.at,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=case.status if transition.target else "",
        note=step.note or step.answer or step.rating_comment,
        unit=step.event_unit,
        data=step.data,
    )
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        obj=case,
        changes={"action": action, "status": [from_status, case.status], **step.data},
    )
    on_event(case=case, event=event)
    for next_action, next_note in step.then:
        case_transition(case=case, action=next_action, actor=actor, at=step.at, note=next_note)
    if step.then:
        case.refresh_from_db()
    return case


EDITABLE_DETAILS = ("title", "description", "category", "nature", "urgency", "must_report")


@transaction.atomic
def case_update_details(
    *,
    case: Case,
    actor: User | None,
    then: Callable[[Case], object] | None = None,
    **fields: Any,
) -> Case:
    """Staff correct the summary, category or urgency. The resident's own words
    (`original_text`) are never among the editable fields: they stay as reported.

    `then(case)` runs the caller's own writes about the corrected case in the same
    transaction, whether or not a field changed."""
    unknown = set(fields) - set(EDITABLE_DETAILS)
    if unknown:
        raise ValidationError(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    case = Case.objects.select_for_update().get(pk=case.pk)
    changed = [name for name, value in fields.items() if getattr(case, name) != value]
    if changed:
        for name in changed:
            setattr(case, name, fields[name])
        case.save(update_fields=[*changed, "updated_at"])
        labels = "、".join(str(Case._meta.get_field(name).verbose_name) for name in changed)
        case = case_transition(
            case=case,
            action=Action.NOTE,
            actor=actor,
            note=_("修改事项信息：%(f)s") % {"f": labels},
        )
    if then is not None:
        then(case)
    return case


@transaction.atomic
def box_slips_register(
    *,
    actor: User,
    node: Node,
    session: Mapping[str, Any],
    slips: Sequence[Mapping[str, Any]],
) -> list[str]:
    """意见箱: every slip from one box opening, all or none; returns their numbers. A resend
    of the same opening (same `session["idempotency_key"]`) returns the same numbers."""
    numbers = []
    note = _("%(box)s 意见箱，%(by)s 开箱") % {"box": session["box"], "by": session["opened_by"]}
    for index, slip in enumerate(slips):
        name = slip.get("reporter_name", "").strip()
        case, _created = case_register(
            actor=actor,
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
