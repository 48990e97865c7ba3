"""Contact cards (民情联系卡): the token a card carries and the URL its QR code encodes.

A card carries a short random token, printed in the QR code's URL; the token names nobody by
itself and is never reused. Making, printing, issuing, voiding and reissuing cards are the
writes in minqing.households.services.cards.
"""

from __future__ import annotations

import secrets

from django.conf import settings

# No 0/O, 1/I/L: a resident may have to type the token from the printed card.
TOKEN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # noqa: S105 - an alphabet, not a secret
TOKEN_LENGTH = 10  # 31**10 ≈ 8 × 10**14: not guessable, short enough for a small QR code


def new_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def normalise_token(value: str) -> str | None:
    """A token as typed or scanned, upper-cased; None when it cannot be one of ours."""
    token = value.strip().upper()
    if not 1 <= len(token) <= 16 or not all(ch in TOKEN_ALPHABET for ch in token):
        return None
    return token


def card_url(token: str) -> str:
    """The ASCII URL the card's QR code encodes: the public landing page of the card."""
    return f"{settings.SITE_URL}/k/{token}"
