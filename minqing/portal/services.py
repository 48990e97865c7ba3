"""Writes from the residents' portal: a submission enters the case loop, a rating closes it.

Both go through the case services (`case_register`, `case_transition`), so a portal matter
is numbered, timed, routed and audited like any other; the portal adds the query code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from minqing.cases.attachments import attachment_prepare
from minqing.cases.models import Case, Category, Channel
from minqing.cases.routing import center_for, station_for
from minqing.cases.services import attachment_store, case_register, case_transition
from minqing.cases.workflow import Action, Status
from minqing.households.models import ContactCard
from minqing.notify.services import outbox_queue_staff
from minqing.org.models import Node, User
from minqing.portal import tracking


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
            tracking.store(case, code, card)
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
