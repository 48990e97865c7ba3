"""Query codes (查询码): derived from the submission's idempotency token, so a retried
submission shows the same code again, and stored only as a salted hash."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from minqing.cases.models import Case
from minqing.portal.models import TrackingCode

# No 0/O, 1/I/L: residents copy the code by hand.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8
ITERATIONS = 20_000


def code_for(token: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"track:{token}".encode(), "sha256").digest()
    return "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:LENGTH])


def code_hash(code: str, salt: str) -> str:
    derived = hashlib.pbkdf2_hmac("sha256", code.encode(), salt.encode(), ITERATIONS)
    return f"{salt}${derived.hex()}"


def normalise(code: str) -> str:
    return "".join(code.split()).upper()[:16]


def matches(case: Case, code: str) -> bool:
    tracking = TrackingCode.objects.filter(case=case).first()
    if tracking is None:
        return False
    salt = tracking.code_hash.split("$", 1)[0]
    return hmac.compare_digest(tracking.code_hash, code_hash(normalise(code), salt))
