"""A self-hosted challenge for an address that submits often: a small sum in words.

No third-party captcha service and no JavaScript. The expected answer travels signed (and
time-limited) in a hidden field, so nothing is stored; it stops scripted floods, which is
all it is meant to do.
"""

from __future__ import annotations

import random

from django.core import signing
from django.utils.translation import get_language
from django.utils.translation import gettext as _

SALT = "minqing.portal.challenge"
MAX_AGE = 15 * 60
DIGITS = "零一二三四五六七八九十"


def new_challenge() -> tuple[str, str]:
    """(question shown to the resident, signed token for the hidden field)."""
    a, b = random.randint(1, 9), random.randint(1, 9)
    # Chinese numerals in Chinese (a script has to read them); digits in other languages.
    chinese = (get_language() or "").startswith("zh")
    words = {"a": DIGITS[a] if chinese else a, "b": DIGITS[b] if chinese else b}
    question = _("%(a)s 加 %(b)s 等于几？请填阿拉伯数字。") % words
    return question, signing.dumps({"sum": a + b}, salt=SALT)


def solved(token: str, answer: str) -> bool:
    try:
        expected = signing.loads(token, salt=SALT, max_age=MAX_AGE)["sum"]
    except (signing.BadSignature, KeyError, TypeError):
        return False
    return answer.strip() == str(expected)
