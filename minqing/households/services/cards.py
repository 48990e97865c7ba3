"""Writes for contact cards (民情联系卡): making, printing, issuing, voiding and reissuing.

Every household has at most one current card (a database constraint). A card carries a
short random token (minqing.households.cards), printed in the QR code's URL; the token
names nobody by itself and is never reused. Every write is audited and runs in a
transaction; writes a double click or a retried request could repeat (making, issuing,
reissuing) are idempotent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.households.cards import new_token
from minqing.households.models import ContactCard, Household


def cards_ensure(
    *, actor: Any, households: Iterable[Household], request: HttpRequest | None = None
) -> dict[int, ContactCard]:
    """A current card for each household, made where missing; returns them by household id.

    Safe to repeat and to race: a household that got a card meanwhile keeps that one (the
    insert ignores the conflict and the card is read back).
    """
    households = list(households)
    with transaction.atomic():
        cards = {
            c.household_id: c
            for c in ContactCard.objects.current().filter(household__in=[h.pk for h in households])
        }
        missing = [h for h in households if h.pk not in cards]
        made: dict[str, str] = {}
        for _attempt in range(5):  # a token collision is astronomically rare; retry anyway
            if not missing:
                break
            new = [ContactCard(household=h, token=new_token()) for h in missing]
            ContactCard.objects.bulk_create(new, ignore_conflicts=True)
            ours = {card.token for card in new}
            fresh = ContactCard.objects.current().filter(household__in=[h.pk for h in missing])
            for card in fresh:
                cards[card.household_id] = card
                if card.token in ours:
                    made[card.token] = card.household_id
            missing = [h for h in missing if h.pk not in cards]
        if missing:  # pragma: no cover - would need five collisions in a row
            raise RuntimeError("could not make contact cards")
        if made:
            codes = {h.pk: h.code for h in households}
            record(
                action=Action.CREATE,
                actor=actor,
                request=request,
                object_type="households.contactcard",
                object_repr=f"民情联系卡 {len(made)} 张",
                changes={"cards": {codes[hid]: token for token, hid in made.items()}},
                note="制作民情联系卡",
            )
    return cards


@dataclass
class IssueResult:
    issued: list[ContactCard] = field(default_factory=list)
    already: list[ContactCard] = field(default_factory=list)


def cards_issue(
    *,
    actor: Any,
    households: Sequence[Household],
    received_by: str = "",
    issued_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> IssueResult:
    """Record that `actor` handed each household its current card (made if missing).

    A card already issued is left as it was and reported in `already`: issuing twice never
    writes a second record.
    """
    issued_at = issued_at or timezone.now()
    received_by = received_by.strip()[:40]
    result = IssueResult()
    with transaction.atomic():
        cards_ensure(actor=actor, households=households, request=request)
        cards = (
            ContactCard.objects.current()
            .filter(household__in=[h.pk for h in households])
            .select_related("household")
            .select_for_update(of=("self",))
            .order_by("household__code")
        )
        for card in cards:
            if card.issued_at is not None:
                result.already.append(card)
                continue
            card.issued_at, card.issued_by, card.received_by = issued_at, actor, received_by
            card.save(update_fields=["issued_at", "issued_by", "received_by"])
            record(
                action=Action.UPDATE,
                actor=actor,
                request=request,
                obj=card,
                changes={
                    "issued_at": [None, issued_at.isoformat()],
                    "issued_by": [None, str(actor.pk)],
                    "received_by": ["", received_by],
                    "household": card.household.code,
                },
                note="发放民情联系卡",
            )
            result.issued.append(card)
    return result


def card_void(
    *, actor: Any, card: ContactCard, reason: str, request: HttpRequest | None = None
) -> ContactCard:
    """Void a card (lost, damaged, household moved): its QR code stops working."""
    with transaction.atomic():
        card = ContactCard.objects.select_for_update().get(pk=card.pk)
        if card.voided_at is not None:
            return card
        card.voided_at, card.void_reason = timezone.now(), reason.strip()[:200]
        card.save(update_fields=["voided_at", "void_reason"])
        record(
            action=Action.UPDATE,
            actor=actor,
            request=request,
            obj=card,
            changes={
                "voided_at": [None, card.voided_at.isoformat()],
                "void_reason": ["", card.void_reason],
            },
            note="作废民情联系卡",
        )
    return card


def card_reissue(
    *, actor: Any, card: ContactCard, reason: str, request: HttpRequest | None = None
) -> tuple[ContactCard, bool]:
    """Void a lost card and make its household a new one (to print and hand out again).

    Returns (the household's current card, whether this call replaced the card). Repeating
    the request for the same, already voided card replaces nothing.
    """
    with transaction.atomic():
        locked = ContactCard.objects.select_for_update().select_related("household").get(pk=card.pk)
        household = locked.household
        if locked.voided_at is not None:
            current = cards_ensure(actor=actor, households=[household], request=request)
            return current[household.pk], False
        card_void(actor=actor, card=locked, reason=reason, request=request)
        return cards_ensure(actor=actor, households=[household], request=request)[
            household.pk
        ], True


def cards_mark_printed(
    *,
    actor: Any,
    cards: Sequence[ContactCard],
    note: str,
    request: HttpRequest | None = None,
) -> None:
    """Stamp the cards as printed now; the print run is audited as one export."""
    now = timezone.now()
    with transaction.atomic():
        ContactCard.objects.filter(pk__in=[c.pk for c in cards]).update(printed_at=now)
        record(
            action=Action.EXPORT,
            actor=actor,
            request=request,
            object_type="households.contactcard",
            object_repr=f"民情联系卡 {len(cards)} 张",
            changes={"count": len(cards), "tokens": [c.token for c in cards]},
            note=note,
        )
    for card in cards:
        card.printed_at = now
