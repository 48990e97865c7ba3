"""Masking of ID numbers and phone numbers for every list, page and export.

An ID number is region (6) + birth date (8) + sequence (3) + check digit. The region of
most residents is the county's own code and a birth date is often shown elsewhere, so a
mask that kept the region or sat beside a birth date could be completed (the check digit
then confirms any one guessed digit). A mask therefore keeps at most the last 4
characters, and pages that mask show the birth year at most (see `birth_year`).
"""

from __future__ import annotations

import datetime as dt

ID_TAIL_MAX = 4


def mask_id_number(value: str, *, keep_tail: int = ID_TAIL_MAX) -> str:
    """**************1234: every character hidden but the last `keep_tail` (at most 4)."""
    if not value:
        return ""
    keep = max(0, min(keep_tail, ID_TAIL_MAX, len(value) - 8))
    return "*" * (len(value) - keep) + (value[-keep:] if keep else "")


def mask_phone(value: str) -> str:
    """138****5678 for mobiles; landlines keep only their last 4 digits."""
    if not value:
        return ""
    if len(value) == 11 and value.isdigit():
        return value[:3] + "****" + value[-4:]
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def birth_year(value: dt.date | None) -> str:
    """What a masked page may say about a birth date: its year (never month and day)."""
    return str(value.year) if value else ""
