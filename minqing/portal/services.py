"""Writes from the residents' portal: a submission enters the case loop, a rating closes it;
staff publish settled matters on the public board; and the portal's own guards count
requests per address and issue and use up challenges.

Submissions and ratings go through the case services (`case_register`, `case_transition`),
so a portal matter is numbered, timed, routed and audited like any other; the portal adds
the query code.
"""

from __future__ import annotations

import random
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from minqing.audit.models import Action as AuditAction
from minqing.audit.services import record
from minqing.cases.attachments import attachment_prepare
from minqing.cases.models import Case, Category, Channel
from minqing.cases.routing import center_for, station_for
from minqing.cases.services import attachment_store, case_register, case_transition
from minqing.cases.workflow import Action, Status
from minqing.households.models import ContactCard
from minqing.lib.public_text import public_text_errors
from minqing.notify.services import outbox_queue_staff
from minqing.org.models import Node, User
from minqing.portal import tracking
from minqing.portal.board import SETTLED
from minqing.portal.board_rules import RESULT_MAX, SUMMARY_MAX
from minqing.portal.challenge import DIGITS, SWEEP_CHANCE, TTL, Verdict, answer_hash
from minqing.portal.models import BoardPost, PortalChallenge, RateCounter, TrackingCode


@dataclass(frozen=True)
class Receipt:
    case: Case
    code: str
    created: bool


def portal_submit(
    *,
    token: str,
    node: Node,
    text: str,
    nature: str,
    name: str = "",
    phone: str = "",
    anonymous: bool = False,
    address: str = "",
    category: Category | None = None,
    card: ContactCard | None = None,
    photos: Sequence[UploadedFile] = (),
) -> Receipt:
    """Register a resident's matter once per form token; a retry returns the same receipt.

    A photo that is refused raises a ValidationError before anything is written: no case,
    no file, and the token stays free for the corrected form."""
    key = f"portal:{token}"
    # Decoded before the transaction: a refused photo cannot leave a case without it or a
    # stored sibling photo on disk, and no write lock is held while pixels are decoded.
    try:
        prepared = [attachment_prepare(upload=photo) for photo in photos]
    except ValidationError as error:
        raise ValidationError({"photos": error.messages}) from error
    with transaction.atomic():
        case, created = case_register(
            actor=None,
            node=node,
            channel=Channel.PORTAL,
            original_text=text,
            nature=nature,
            reporter_name="" if anonymous else name,
            reporter_phone="" if anonymous else phone,
            anonymous=anonymous,
            address=address,
            category=category,
            households=[card.household] if card is not None else (),
            idempotency_key=key,
        )
        code = tracking.code_for(token)
        if created:
            _tracking_code_store(case=case, code=code, card=card)
            for ready in prepared:
                attachment_store(case=case, prepared=ready, actor=None)
            if card is not None:
                _note_card(case, card)
            # In the same transaction: the outbox row commits with the case or not at all.
            _tell_staff(case, card)
    return Receipt(case=case, code=code, created=created)


def _contact_cadres(card: ContactCard) -> list[User]:
    return [a.cadre for a in card.household.contacts.active().select_related("cadre")]


def _note_card(case: Case, card: ContactCard) -> None:
    cadres = "、".join(c.get_full_name() for c in _contact_cadres(card)) or _("无")
    case_transition(
        case=case,
        action=Action.NOTE,
        actor=None,
        note=_("经民情联系卡 %(token)s 扫码反映；联系干部：%(cadres)s。")
        % {"token": card.token, "cadres": cadres},
    )


def _tell_staff(case: Case, card: ContactCard | None) -> None:
    """The station (or center) that routes the matter, and the household's contact cadres."""
    unit = station_for(case.node) or center_for(case.node)
    users = list(unit.members.filter(is_active=True)) if unit is not None else []
    if card is not None:
        users += _contact_cadres(card)
    if users:
        outbox_queue_staff(
            users={u.pk: u for u in users}.values(),
            dedupe_key=f"case:{case.number}:portal",
            subject=_("群众网上反映了新事项 %(n)s") % {"n": case.number},
            body=case.title,
            url=f"/cases/{case.number}/",
            related=("cases.case", case.number),
        )


def portal_rate(*, case: Case, rating: str, comment: str) -> Case:
    """The resident's 满意 / 基本满意 / 不满意, once per answer; 不满意 reopens the matter."""
    if case.status != Status.ANSWERED:
        raise ValueError("not awaiting a rating")
    return case_transition(
        case=case,
        action=Action.RATE,
        actor=None,
        rating=rating,
        rating_comment=comment,
    )


def _check_public_text(case: Case, summary: str, result: str) -> None:
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
    _check_public_text(case, summary, result)
    post = BoardPost.objects.select_for_update().filter(case=case).first()
    now = timezone.now()
    if post is None:
        post = BoardPost.objects.create(
            case=case, summary=summary, result=result, published_by=actor
        )
        record(
            action=AuditAction.CREATE,
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
        action=AuditAction.UPDATE,
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
        action=AuditAction.UPDATE,
        actor=actor,
        obj=post,
        changes={"case": case.number, "withdrawn_at": [None, post.withdrawn_at.isoformat()]},
        note=_("从公开栏撤下"),
    )
    return post


def challenge_issue() -> tuple[str, str]:
    """(question shown to the resident, challenge id for the hidden field)."""
    a, b = random.randint(1, 9), random.randint(1, 9)
    # Chinese numerals in Chinese (a script has to read them); digits in other languages.
    chinese = (get_language() or "").startswith("zh")
    words = {"a": DIGITS[a] if chinese else a, "b": DIGITS[b] if chinese else b}
    question = _("%(a)s 加 %(b)s 等于几？请填阿拉伯数字。") % words
    now = timezone.now()
    if random.random() < SWEEP_CHANCE:
        PortalChallenge.objects.filter(expires_at__lt=now).delete()
    challenge_id = secrets.token_hex(16)
    PortalChallenge.objects.create(
        id=challenge_id, answer_hash=answer_hash(challenge_id, str(a + b)), expires_at=now + TTL
    )
    return question, challenge_id


def challenge_consume(*, token: str, answer: str) -> Verdict:
    """Check an answer and use the challenge up, whatever the answer.

    The conditional UPDATE claims the challenge: of concurrent requests with the same id,
    exactly one sees a row count of 1, on SQLite and PostgreSQL alike."""
    if not re.fullmatch(r"[0-9a-f]{32}", token):
        return Verdict.STALE
    now = timezone.now()
    claimed = PortalChallenge.objects.filter(
        pk=token, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if claimed != 1:
        return Verdict.STALE
    stored = PortalChallenge.objects.values_list("answer_hash", flat=True).get(pk=token)
    right = constant_time_compare(stored, answer_hash(token, answer.strip()))
    return Verdict.SOLVED if right else Verdict.WRONG


def rate_count(*, key: str, window_seconds: int, now: float | None = None) -> int:
    """Add one request for `key` in the current window and return the window's total."""
    now = time.time() if now is None else now
    window = int(now // window_seconds * window_seconds)
    key = key[:120]
    for _attempt in range(3):
        with transaction.atomic():
            updated = RateCounter.objects.filter(key=key, window=window).update(
                count=F("count") + 1
            )
            if not updated:
                try:
                    with transaction.atomic():
                        RateCounter.objects.create(key=key, window=window, count=1)
                except IntegrityError:
                    continue  # another process created it first: count again
            total = RateCounter.objects.get(key=key, window=window).count
        if random.random() < 0.01:
            RateCounter.objects.filter(window__lt=now - 86400).delete()
        return total
    return RateCounter.objects.get(key=key, window=window).count


def _tracking_code_store(*, case: Case, code: str, card: ContactCard | None) -> TrackingCode:
    """The query code, stored only as a salted hash (minqing.portal.tracking)."""
    row, _created = TrackingCode.objects.get_or_create(
        case=case,
        defaults={"code_hash": tracking.code_hash(code, secrets.token_hex(8)), "card": card},
    )
    return row
