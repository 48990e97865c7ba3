"""The public board's (公开栏) rules: who may publish, and what a public text may not contain.

Who may publish: staff who can see the case in their scope and whose job includes telling
the public about results — county admins and supervisors, township leaders and staff,
village cadres. Deputies (两代表) and liaisons (联络员) collect matters but do not speak
for the handling offices; a department handler's reach is the department's cases, not a
territory's board. Publishing and withdrawing (audited) are `board_publish` and
`board_withdraw` in minqing.portal.services.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

from minqing.cases.models import Case
from minqing.org.models import User
from minqing.org.roles import Cap, Role, has_cap

NOT_PUBLISHERS = frozenset({Role.DEPUTY, Role.LIAISON, Role.DEPT_HANDLER})
SUMMARY_MAX = 200
RESULT_MAX = 1000

# A mainland mobile number, also written 138-0000-0001 or 138 0000 0001.
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d(?:[ -]?\d){8}(?!\d)")
# An 18-character resident ID number (17 digits and a digit or X), separators allowed.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{6}(?:[ -]?\d){11}[ -]?[0-9Xx](?![0-9A-Za-z])")
_NOT_DIGIT = re.compile(r"\D")
_BLANKS = re.compile(r"\s+")
# This many characters copied verbatim from the resident's words count as copying them.
COPIED_RUN = 15


def may_publish(user: User, case: Case) -> bool:
    """The role rule; the caller has already fetched `case` through the user's scope."""
    return has_cap(user, Cap.VIEW_CASES) and user.role not in NOT_PUBLISHERS


def _copies(text: str, original: str) -> bool:
    text, original = _BLANKS.sub("", text), _BLANKS.sub("", original)
    return any(text[i : i + COPIED_RUN] in original for i in range(len(text) - COPIED_RUN + 1))


def public_text_errors(text: str, case: Case | None = None) -> list[str]:
    """Why `text` may not be published: phone or ID numbers, the reporter's name or phone,
    the resident's own words copied. Names of other people and house numbers cannot be
    recognised reliably: the form says so, and the publisher answers for it."""
    plain = unicodedata.normalize("NFKC", text)  # full-width digits count too
    errors = []
    if _MOBILE.search(plain):
        errors.append(_("公开内容不能包含手机号码。"))
    if _ID_NUMBER.search(plain):
        errors.append(_("公开内容不能包含身份证号码。"))
    if case is not None:
        name = case.reporter_name.strip()
        phone = _NOT_DIGIT.sub("", case.reporter_phone)
        if (len(name) >= 2 and name in plain) or (
            len(phone) >= 7 and phone in _NOT_DIGIT.sub("", plain)
        ):
            errors.append(_("公开内容不能包含反映人的姓名或电话。"))
        if _copies(plain, unicodedata.normalize("NFKC", case.original_text)):
            errors.append(_("不要照抄群众原话，请概括成公开的说法。"))
    return errors
