"""A self-hosted challenge for an address that submits often: a small sum in words.

No third-party captcha service and no JavaScript. It stops scripted floods, which is all it
is meant to do, and only if a solved sum cannot be reused: the form carries a random id,
the answer stays in the database (hashed), and a challenge is consumed by its first answer,
right or wrong, within TTL (issue 12: a signed answer in the form was replayed 27 times).
"""

from __future__ import annotations

import datetime as dt
import random
import re
import secrets
from enum import StrEnum

from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from minqing.portal.models import PortalChallenge

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


def _hash(challenge_id: str, answer: str) -> str:
    # Keyed by SECRET_KEY and the id: the table alone does not give the answers away.
    return salted_hmac(SALT, f"{challenge_id}:{answer}", algorithm="sha256").hexdigest()


def new_challenge() -> tuple[str, str]:
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
        id=challenge_id, answer_hash=_hash(challenge_id, str(a + b)), expires_at=now + TTL
    )
    return question, challenge_id


def consume(*, token: str, answer: str) -> Verdict:
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
    right = constant_time_compare(stored, _hash(token, answer.strip()))
    return Verdict.SOLVED if right else Verdict.WRONG
