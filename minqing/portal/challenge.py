"""A self-hosted challenge for an address that submits often: a small sum in words.

No third-party captcha service and no JavaScript. It stops scripted floods, which is all it
is meant to do, and only if a solved sum cannot be reused: the form carries a random id,
the answer stays in the database (hashed), and a challenge is consumed by its first answer,
right or wrong, within TTL (issue 12: a signed answer in the form was replayed 27 times).
Issuing and using up a challenge are `challenge_issue` and `challenge_consume` in
minqing.portal.services.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.utils.crypto import salted_hmac

SALT = "minqing.portal.challenge"
# Long enough to read the question and fill in the form on a slow phone, short enough
# that a stock of solved challenges goes stale quickly.
TTL = dt.timedelta(minutes=10)
# Share of new challenges that also sweep expired ones away (like the rate counters).
SWEEP_CHANCE = 0.02
DIGITS = "零一二三四五六七八九十"


class Verdict(StrEnum):
    SOLVED = "solved"
    WRONG = "wrong"
    STALE = "stale"  # unknown, expired or already answered


def answer_hash(challenge_id: str, answer: str) -> str:
    # Keyed by SECRET_KEY and the id: the table alone does not give the answers away.
    return salted_hmac(SALT, f"{challenge_id}:{answer}", algorithm="sha256").hexdigest()
