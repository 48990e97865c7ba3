"""Writes to the sentiment diary (民情日记): record, correct, follow up, record the result,
raise as a case, review.

一事一记 (seed 002): one matter per entry, followed until its result is recorded. Every
write locks the entry row, checks the rule it enforces, and leaves an audit record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.audit.models import Action as AuditAction
from minqing.audit.services import diff, record, record_change, snapshot
from minqing.cases.models import Case, Channel, Nature
from minqing.cases.services import case_register
from minqing.fieldwork.models import DiaryEntry, DiaryFollowUp
from minqing.fieldwork.services.photos import photos_add, photos_copy_to_case
from minqing.households.models import Household
from minqing.notify.models import Channel as NotifyChannel
from minqing.notify.services import outbox_queue
from minqing.org.models import Node, User
from minqing.org.roles import Cap, has_cap

# Fields the author may correct while the entry is not yet reviewed.
EDITABLE = (
    "case",
    "node",
    "date",
    "place",
    "category",
    "title",
    "narrative",
    "analysis",
    "comment",
    "measures",
)


# Foreign keys come from scoped queries; full_clean would re-fetch each of them.
_NOT_CLEANED = ["author", "node", "reviewed_by", "case", "idempotency_key"]


def _check_place(author: User, node: Node, households: Iterable[Household]) -> None:
    if author.node is None or not node.path.startswith(author.node.path):
        raise ValidationError({"node": _("所选地点不在您的辖区范围内。")})
    outside = [h.head_name for h in households if not h.group.path.startswith(node.path)]
    if outside:
        raise ValidationError(
            {"households": _("以下户不在所选地点：%(names)s") % {"names": "、".join(outside)}}
        )


def _check_date(date: dt.date) -> None:
    if date > timezone.localdate():
        raise ValidationError({"date": _("日期不能晚于今天。")})


def _locked(entry: DiaryEntry) -> DiaryEntry:
    return DiaryEntry.objects.select_for_update().select_related("node").get(pk=entry.pk)


def diary_record(
    *,
    author: User,
    node: Node,
    date: dt.date,
    category: str,
    title: str,
    narrative: str,
    analysis: str = "",
    comment: str = "",
    measures: str = "",
    place: str = "",
    households: Iterable[Household] = (),
    idempotency_key: str | None = None,
    case: Case | None = None,
    photos: Iterable[UploadedFile] = (),
) -> tuple[DiaryEntry, bool]:
    """Write one entry with its `photos`, or nothing. Returns (entry, created); a resent
    draft returns the original and adds no photos to it.

    `case` links an entry to a matter that is already a case (raised on a visit, say), so
    the entry follows that case's progress."""
    if idempotency_key:
        existing = DiaryEntry.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.author_id != author.pk:
                raise ValidationError(_("草稿编号冲突，请刷新页面后重新填写。"))
            return existing, False
    if not has_cap(author, Cap.FIELDWORK):
        raise ValidationError(_("您的角色不记民情日记。"))
    households = list(households)
    _check_place(author, node, households)
    _check_date(date)
    entry = DiaryEntry(
        author=author,
        node=node,
        date=date,
        category=category,
        title=title.strip(),
        narrative=narrative.strip(),
        analysis=analysis.strip(),
        comment=comment.strip(),
        measures=measures.strip(),
        place=place.strip(),
        idempotency_key=idempotency_key or None,
        case=case,
    )
    entry.full_clean(exclude=_NOT_CLEANED, validate_unique=False)
    try:
        with transaction.atomic():
            entry.save()
            if households:
                entry.households.set(households)
            record_change(actor=author, obj=entry, before=None)
            photos_add(entry=entry, uploads=photos, actor=author)
    except IntegrityError:
        # The same draft sent twice at once: the loser returns the winner's entry.
        if idempotency_key:
            existing = DiaryEntry.objects.filter(
                idempotency_key=idempotency_key, author=author
            ).first()
            if existing is not None:
                return existing, False
        raise
    return entry, True


@transaction.atomic
def diary_update(
    *,
    entry: DiaryEntry,
    actor: User,
    households: Iterable[Household] | None = None,
    photos: Iterable[UploadedFile] = (),
    **changes: object,
) -> DiaryEntry:
    """The author corrects their entry, and adds `photos` to those it has (one already
    there is skipped), all or nothing; once reviewed it is part of the record."""
    entry = _locked(entry)
    if entry.author_id != actor.pk:
        raise ValidationError(_("只有记录人可以修改日记。"))
    if entry.reviewed_at is not None:
        raise ValidationError(_("日记已审阅，不能再修改；可追加跟踪记录。"))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    before = snapshot(entry)
    for name, value in changes.items():
        setattr(entry, name, value.strip() if isinstance(value, str) else value)
    chosen = (
        list(households)
        if households is not None
        else list(entry.households.select_related("group"))
    )
    _check_place(actor, entry.node, chosen)
    _check_date(entry.date)
    entry.full_clean(exclude=_NOT_CLEANED, validate_unique=False)
    entry.save(update_fields=[*changes, "updated_at"])
    changed = {k: v for k, v in diff(before, snapshot(entry)).items() if k != "updated_at"}
    if households is not None:
        old = sorted(entry.households.values_list("pk", flat=True))
        entry.households.set(chosen)
        new = sorted(h.pk for h in chosen)
        if old != new:
            changed["households"] = [old, new]
    if changed:
        record(action=AuditAction.UPDATE, actor=actor, obj=entry, changes=changed)
    photos_add(entry=entry, uploads=photos, actor=actor)
    return entry


@transaction.atomic
def diary_follow_up_add(
    *, entry: DiaryEntry, actor: User, date: dt.date, text: str
) -> tuple[DiaryFollowUp, bool]:
    """Append a follow-up (跟踪记录). The same text on the same day is stored once, so a
    follow-up resent after a lost connection is not doubled."""
    entry = _locked(entry)
    if entry.result_at is not None:
        raise ValidationError(_("办理结果已记录，不能再追加跟踪记录。"))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("请填写跟踪情况。")})
    _check_date(date)
    if date < entry.date:
        raise ValidationError({"date": _("跟踪日期不能早于日记日期。")})
    same = entry.follow_ups.filter(date=date, text=text, author=actor).first()
    if same is not None:
        return same, False
    follow_up = DiaryFollowUp.objects.create(entry=entry, date=date, text=text, author=actor)
    record(
        action=AuditAction.CREATE,
        actor=actor,
        obj=follow_up,
        changes={"entry": entry.pk, "date": date.isoformat(), "text": text},
    )
    return follow_up, True


@transaction.atomic
def diary_record_result(*, entry: DiaryEntry, actor: User, result: str) -> DiaryEntry:
    """跟踪记录办理的结果: the result closes the entry to further follow-ups."""
    entry = _locked(entry)
    if entry.result_at is not None:
        raise ValidationError(_("办理结果已经记录过了。"))
    result = result.strip()
    if not result:
        raise ValidationError({"result": _("请填写办理结果。")})
    entry.result, entry.result_at = result, timezone.now()
    entry.save(update_fields=["result", "result_at", "updated_at"])
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        obj=entry,
        changes={"result": [None, result], "result_at": [None, entry.result_at.isoformat()]},
    )
    return entry


def _reporter(entry: DiaryEntry, households: list[Household]) -> dict[str, str]:
    """The resident the matter is about when the entry names a household, else the cadre
    who noted it (a case needs a 反映人)."""
    if households:
        first = households[0]
        return {"reporter_name": first.head_name, "reporter_address": first.address}
    author = entry.author
    return {
        "reporter_name": author.get_full_name(),
        "reporter_work_unit": author.unit.name if author.unit else "",
    }


@transaction.atomic
def diary_raise_case(*, entry: DiaryEntry, actor: User) -> tuple[Case, bool]:
    """Register the entry's matter as a case in one step; once only, however often asked."""
    entry = _locked(entry)
    if entry.case_id is not None:
        return entry.case, False  # type: ignore[return-value]
    if entry.author_id != actor.pk or not has_cap(actor, Cap.REGISTER_CASE):
        raise ValidationError(_("只有记录人可以把日记转为民情事项。"))
    households = list(entry.households.select_related("group").order_by("code"))
    case, created = case_register(
        actor=actor,
        node=entry.node,
        channel=Channel.HOME_VISIT,
        nature=Nature.HELP,
        title=entry.title,
        original_text=f"{entry.title}\n{entry.narrative}",
        proposal=entry.measures,
        address=entry.place,
        households=households,
        idempotency_key=f"diary:{entry.pk}",
        **_reporter(entry, households),
    )
    entry.case = case
    entry.save(update_fields=["case", "updated_at"])
    record(action=AuditAction.UPDATE, actor=actor, obj=entry, changes={"case": [None, case.number]})
    # The entry's photos go with the matter; raised once, and the copy skips known photos.
    photos_copy_to_case(case=case, actor=actor, entry=entry)
    return case, created


@transaction.atomic
def diary_review(*, entry: DiaryEntry, reviewer: User, comment: str) -> DiaryEntry:
    """审阅: mark reviewed with an optional comment; the author is told in-app."""
    entry = _locked(entry)
    path = reviewer.node.path if reviewer.node else None
    if (
        not has_cap(reviewer, Cap.REVIEW_FIELDWORK)
        or path is None
        or not entry.node.path.startswith(path)
    ):
        raise ValidationError(_("您不能审阅这篇日记。"))
    if entry.author_id == reviewer.pk:
        raise ValidationError(_("不能审阅自己的日记。"))
    before = snapshot(entry)
    entry.reviewed_by, entry.reviewed_at = reviewer, timezone.now()
    entry.review_comment = comment.strip()
    entry.full_clean(exclude=_NOT_CLEANED, validate_unique=False)
    entry.save(update_fields=["reviewed_by", "reviewed_at", "review_comment", "updated_at"])
    record_change(actor=reviewer, obj=entry, before=before, note="审阅")
    body = entry.review_comment or _("已审阅，无意见。")
    outbox_queue(
        channel=NotifyChannel.IN_APP,
        dedupe_key=f"diary-review:{entry.pk}:{entry.reviewed_at.timestamp():.0f}",
        subject=_("%(who)s审阅了您的民情日记“%(title)s”")
        % {"who": reviewer.get_full_name(), "title": entry.title},
        body=body,
        user=entry.author,
        url=reverse("diary:detail", args=[entry.pk]),
        related=entry,
    )
    return entry
