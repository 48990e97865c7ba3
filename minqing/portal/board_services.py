"""Writes to the public board (公开栏): publish a settled matter's public text, withdraw it.

Who may publish: staff who can see the case in their scope and whose job includes telling
the public about results — county admins and supervisors, township leaders and staff,
village cadres. Deputies (两代表) and liaisons (联络员) collect matters but do not speak
for the handling offices; a department handler's reach is the department's cases, not a
territory's board. Both steps are audited.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.cases.models import Case
from minqing.lib.public_text import public_text_errors
from minqing.org.models import User
from minqing.org.roles import Cap, Role, has_cap
from minqing.portal.board import SETTLED
from minqing.portal.models import BoardPost

NOT_PUBLISHERS = frozenset({Role.DEPUTY, Role.LIAISON, Role.DEPT_HANDLER})
SUMMARY_MAX = 200
RESULT_MAX = 1000


def may_publish(user: User, case: Case) -> bool:
    """The role rule; the caller has already fetched `case` through the user's scope."""
    return has_cap(user, Cap.VIEW_CASES) and user.role not in NOT_PUBLISHERS


def _check(case: Case, summary: str, result: str) -> None:
    errors = {}
    for field, value, limit in (("summary", summary, SUMMARY_MAX), ("result", result, RESULT_MAX)):
        if not value:
            errors[field] = [_("请填写这一项。")]
        elif len(value) > limit:
            errors[field] = [_("不能超过 %(n)d 个字。") % {"n": limit}]
        elif found := public_text_errors(value, case):
            errors[field] = found
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def board_publish(*, case: Case, actor: User, summary: str, result: str) -> BoardPost:
    """Publish (or republish, with new text) a settled case on the board."""
    summary, result = summary.strip(), result.strip()
    if case.status not in SETTLED:
        raise ValidationError(_("只有已办结的事项才能发布到公开栏。"))
    _check(case, summary, result)
    post = BoardPost.objects.select_for_update().filter(case=case).first()
    now = timezone.now()
    if post is None:
        post = BoardPost.objects.create(
            case=case, summary=summary, result=result, published_by=actor
        )
        record(
            action=Action.CREATE,
            actor=actor,
            obj=post,
            changes={"case": case.number, "summary": summary, "result": result},
        )
        return post
    changes = {
        name: [getattr(post, name), value]
        for name, value in (("summary", summary), ("result", result))
        if getattr(post, name) != value
    }
    if post.withdrawn_at is not None:
        changes["withdrawn_at"] = [post.withdrawn_at.isoformat(), None]
    post.summary, post.result, post.published_by = summary, result, actor
    post.published_at, post.withdrawn_at = now, None
    post.save()
    record(
        action=Action.UPDATE,
        actor=actor,
        obj=post,
        changes={"case": case.number, **changes},
        note=_("重新发布到公开栏"),
    )
    return post


@transaction.atomic
def board_withdraw(*, case: Case, actor: User) -> BoardPost:
    post = BoardPost.objects.select_for_update().filter(case=case).first()
    if post is None or post.withdrawn_at is not None:
        raise ValidationError(_("该事项没有在公开栏上。"))
    post.withdrawn_at = timezone.now()
    post.save(update_fields=["withdrawn_at"])
    record(
        action=Action.UPDATE,
        actor=actor,
        obj=post,
        changes={"case": case.number, "withdrawn_at": [None, post.withdrawn_at.isoformat()]},
        note=_("从公开栏撤下"),
    )
    return post
