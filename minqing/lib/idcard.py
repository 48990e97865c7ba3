"""Resident ID numbers (GB 11643-1999): 17 digits plus an ISO 7064 MOD 11-2 check digit."""

import datetime as dt
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def make_id_number(region: str, birth: dt.date, sequence: int) -> str:
    """Build a number with a valid check digit (region = 6-digit county code)."""
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)


def id_number_problem(value: str) -> str | None:
    """Return why `value` is not a valid ID number (Chinese), or None when it is."""
    value = value.strip().upper()
    if not _SHAPE.match(value):
        return "身份证号码应为18位，前17位为数字，最后一位为数字或X。"
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号码中的出生日期无效。"
    if check_digit(value[:17]) != value[17]:
        return "身份证号码校验位不正确。"
    return None
