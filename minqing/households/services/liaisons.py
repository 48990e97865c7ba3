"""Liaison officers (民情民意联络员) and the people on each group's network.

Seed 000: one volunteer liaison per villager group at least, chosen from old Party members,
retired cadres, deputies, veterans…, each holding an appointment letter (聘书).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.households.models import GroupPost, Liaison
from minqing.org.models import Level, Node, User

DEFAULT_DUTIES = (
    "收集本小组群众的意见建议和困难诉求，及时向村(社区)联络服务站报告；"
    "宣传党的政策；协助调处矛盾纠纷；对重大紧急情况随时报告；保持电话24小时畅通。"
)


def _next_letter_number(*, village: Node, year: int) -> str:
    """聘书编号: village code, year and a sequence — unique because the code is."""
    prefix = f"民联聘〔{year}〕{village.code}-"
    taken = Liaison.objects.filter(letter_number__startswith=prefix).count()
    return f"{prefix}{taken + 1:03d}号"


def liaison_appoint(
    *,
    actor: User,
    group: Node,
    name: str,
    phone: str,
    background: str,
    gender: str = "",
    duties: str = "",
    appointed_on: dt.date | None = None,
    term_until: dt.date | None = None,
) -> Liaison:
    if group.level != Level.GROUP:
        raise ValidationError(_("联络员只能聘在村民小组(网格)。"))
    appointed_on = appointed_on or timezone.localdate()
    if term_until is not None and term_until <= appointed_on:
        raise ValidationError(_("聘期结束日期必须晚于聘任日期。"))
    village = group.parent
    # Two clerks appointing at once may draw the same number; the unique index catches it
    # and the next attempt counts the one that won.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                liaison = Liaison.objects.create(
                    group=group,
                    name=name,
                    phone=phone,
                    background=background,
                    gender=gender,
                    duties=duties or DEFAULT_DUTIES,
                    appointed_on=appointed_on,
                    term_until=term_until,
                    appointed_by=actor,
                    letter_number=_next_letter_number(village=village, year=appointed_on.year),
                )
                record(
                    action=Action.CREATE,
                    actor=actor,
                    obj=liaison,
                    changes={"group": group.code, "letter_number": liaison.letter_number},
                )
                return liaison
        except IntegrityError:
            continue
    raise ValidationError(_("聘书编号冲突，请重试。"))


@transaction.atomic
def liaison_dismiss(*, actor: User, liaison: Liaison, reason: str) -> bool:
    if not reason.strip():
        raise ValidationError(_("请填写解聘原因。"))
    locked = Liaison.objects.select_for_update().get(pk=liaison.pk)
    if locked.ended_on is not None:
        return False
    locked.ended_on = timezone.localdate()
    locked.end_reason = reason.strip()[:200]
    locked.save(update_fields=["ended_on", "end_reason"])
    changes = {"ended_on": [None, locked.ended_on.isoformat()]}
    record(action=Action.UPDATE, actor=actor, obj=locked, changes=changes, note=locked.end_reason)
    return True


@transaction.atomic
def group_post_add(
    *, actor: User, group: Node, kind: str, name: str, phone: str = "", duties: str = ""
) -> GroupPost:
    if group.level != Level.GROUP:
        raise ValidationError(_("只能在村民小组(网格)中设置网络成员。"))
    post = GroupPost.objects.create(group=group, kind=kind, name=name, phone=phone, duties=duties)
    record(action=Action.CREATE, actor=actor, obj=post,
           changes={"group": group.code, "kind": kind, "name": name})  # fmt: skip
    return post


@transaction.atomic
def group_post_remove(*, actor: User, post: GroupPost) -> None:
    record(action=Action.DELETE, actor=actor, obj=post,
           changes={"group": post.group.code, "kind": post.kind, "name": post.name})  # fmt: skip
    post.delete()
