"""Writes for visits (民情家访日志) and visit plans (家访公告/接访公示).

A visit is stored once per device key: a form sent twice after a lost connection returns
the first record. What residents said becomes a case through `case_register`, keyed
`visit:{pk}:{n}`, so turning the same item twice gives the same case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.cases.models import Case, Channel, Nature
from minqing.cases.services import case_register
from minqing.fieldwork.models import Visit, VisitForm, VisitPlan
from minqing.fieldwork.services.photos import photos_add, photos_copy_to_case
from minqing.households.models import Household
from minqing.lib.public_text import public_text_errors
from minqing.org.models import Node, User
from minqing.org.roles import Cap, has_cap


def _in_scope(user: User, node: Node) -> bool:
    return user.node is not None and node.path.startswith(user.node.path)


def visit_record(
    *,
    actor: User,
    node: Node,
    date: dt.date,
    form: str,
    households: Iterable[Household] = (),
    facts: bool = False,
    feelings: bool = False,
    difficulties: bool = False,
    hidden_risks: bool = False,
    heard: str = "",
    promised: str = "",
    residence_day: bool = False,
    plan: VisitPlan | None = None,
    idempotency_key: str | None = None,
    photos: Iterable[UploadedFile] = (),
) -> tuple[Visit, bool]:
    """Log a visit by `actor` with its `photos`, or nothing. Returns (visit, created); a
    retried key returns the original and adds no photos to it."""
    if idempotency_key:
        existing = Visit.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    households = list(households)
    errors: dict[str, list[str]] = {}
    if not _in_scope(actor, node):
        errors["node"] = [_("所选地点不在您的辖区范围内。")]
    if any(not h.group.path.startswith(node.path) for h in households):
        errors["households"] = [_("走访的户必须在所选地点内。")]
    if date > timezone.localdate():
        errors["date"] = [_("走访日期不能晚于今天。")]
    if form not in VisitForm.values:
        errors["form"] = [_("请选择走访形式。")]
    if plan is not None and plan.visitor_id != actor.pk:
        errors["plan"] = [_("只能关联本人的走访安排。")]
    heard, promised = heard.strip(), promised.strip()
    if not households and not heard:
        errors["households"] = [_("请勾选走访的户，或填写群众反映。")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                visitor=actor,
                node=node,
                date=date,
                form=form,
                facts=facts,
                feelings=feelings,
                difficulties=difficulties,
                hidden_risks=hidden_risks,
                heard=heard,
                promised=promised,
                residence_day=residence_day,
                plan=plan,
                idempotency_key=idempotency_key or None,
            )
            visit.households.set(households)
            record(
                action=Action.CREATE,
                actor=actor,
                obj=visit,
                changes={
                    "node": node.code,
                    "date": date.isoformat(),
                    "form": form,
                    "households": [h.code for h in households],
                    "residence_day": residence_day,
                    "plan": plan.pk if plan else None,
                },
            )
            photos_add(visit=visit, uploads=photos, actor=actor)
    except IntegrityError:
        # Two sends of one draft raced; the loser returns the winner's record.
        if idempotency_key:
            existing = Visit.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing, False
        raise
    return visit, True


def visit_case_create(
    *,
    actor: User,
    visit: Visit,
    seq: int,
    text: str,
    household: Household | None = None,
    nature: str = Nature.HELP,
    reporter_name: str = "",
) -> tuple[Case, bool]:
    """Turn one matter heard on a visit into a case (谁接访、谁负责). Returns (case, created);
    the same `seq` sent twice returns the first case."""
    if actor.pk != visit.visitor_id:
        raise ValidationError(_("只有走访人本人可以把走访中听到的事项转为民情事项。"))
    if seq < 1:
        raise ValidationError(_("序号无效，请刷新页面后再试。"))
    text = text.strip()
    if household is not None and not visit.households.filter(pk=household.pk).exists():
        raise ValidationError({"household": [_("请从本次走访的户中选择。")]})
    key = f"visit:{visit.pk}:{seq}"
    existing = Case.objects.filter(idempotency_key=key).first()
    if existing is not None and existing.original_text != text:
        # Another page already used this number for a different matter: never overwrite.
        raise ValidationError(_("这个序号已经登记了另一件事项，请刷新页面后再转。"))
    name = reporter_name.strip() or (household.head_name if household else "")
    with transaction.atomic():
        case, created = case_register(
            actor=actor,
            node=household.group if household is not None else visit.node,
            channel=Channel.HOME_VISIT,
            original_text=text,
            nature=nature,
            reporter_name=name,
            reporter_address=household.address if household is not None else "",
            anonymous=not name,
            households=[household] if household is not None else [],
            idempotency_key=key,
        )
        visit.cases.add(case)
        if created:
            # What the cadre photographed goes with the matter (once: only a new case).
            photos_copy_to_case(case=case, actor=actor, visit=visit)
            record(
                action=Action.UPDATE,
                actor=actor,
                obj=visit,
                changes={"cases": [case.number]},
                note=_("走访事项转为民情事项"),
            )
    return case, created


def may_plan_for_others(user: User) -> bool:
    """Leaders who review fieldwork arrange visits for the cadres in their scope."""
    return has_cap(user, Cap.REVIEW_FIELDWORK)


def visit_plan_create(
    *,
    actor: User,
    visitor: User,
    node: Node,
    form: str,
    starts_at: dt.datetime,
    place: str,
    duty: str,
    public: bool = True,
    idempotency_key: str = "",
) -> tuple[VisitPlan, bool]:
    """Announce a visit. The same visitor, place, time and form again (a resent form)
    returns the plan already made: (plan, created)."""
    errors: dict[str, list[str]] = {}
    if visitor.pk != actor.pk and not may_plan_for_others(actor):
        errors["visitor"] = [_("只能为本人安排走访。")]
    elif not has_cap(visitor, Cap.FIELDWORK):
        errors["visitor"] = [_("所选干部没有走访任务。")]
    elif visitor.pk != actor.pk and not (
        visitor.node is not None and _in_scope(actor, visitor.node)
    ):
        errors["visitor"] = [_("所选干部不在您的辖区范围内。")]
    if not _in_scope(actor, node):
        errors["node"] = [_("所选地点不在您的辖区范围内。")]
    elif visitor.pk != actor.pk and not _in_scope(visitor, node):
        errors["node"] = [_("所选地点不在走访人的辖区范围内。")]
    if form not in VisitForm.values:
        errors["form"] = [_("请选择走访形式。")]
    if starts_at <= timezone.now():
        errors["starts_at"] = [_("安排的时间应在现在之后。")]
    place, duty = place.strip(), duty.strip()
    if not place:
        errors["place"] = [_("请填写地点。")]
    if not duty:
        errors["duty"] = [_("请填写职务与接访事项。")]
    if public:
        # Shown on the public board: no residents' phone or ID numbers.
        for name, value in (("place", place), ("duty", duty)):
            if found := public_text_errors(value):
                errors.setdefault(name, []).extend(found)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Serialise plans of one visitor so a double submit cannot make two.
        list(User.objects.select_for_update().filter(pk=visitor.pk).order_by().values_list("pk"))
        existing = VisitPlan.objects.filter(
            visitor=visitor, node=node, form=form, starts_at=starts_at, cancelled_at__isnull=True
        ).first()
        if existing is not None:
            return existing, False
        plan = VisitPlan.objects.create(
            visitor=visitor,
            node=node,
            form=form,
            starts_at=starts_at,
            place=place,
            duty=duty,
            public=public,
            created_by=actor,
        )
        record(
            action=Action.CREATE,
            actor=actor,
            obj=plan,
            changes={
                "visitor": visitor.pk,
                "node": node.code,
                "form": form,
                "starts_at": starts_at.isoformat(),
                "public": public,
                "idempotency_key": idempotency_key,
            },
        )
    return plan, True


def may_cancel(user: User, plan: VisitPlan) -> bool:
    return plan.cancelled_at is None and (
        user.pk in (plan.visitor_id, plan.created_by_id) or may_plan_for_others(user)
    )


def visit_plan_cancel(*, actor: User, plan: VisitPlan) -> VisitPlan:
    if not may_cancel(actor, plan):
        raise ValidationError(_("这项安排不能由您取消。"))
    plan.cancelled_at = timezone.now()
    plan.save(update_fields=["cancelled_at"])
    record(
        action=Action.UPDATE,
        actor=actor,
        obj=plan,
        changes={"cancelled_at": plan.cancelled_at.isoformat()},
    )
    return plan
