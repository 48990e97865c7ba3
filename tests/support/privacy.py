"""What a page shows about a resident's ID number: how many valid numbers fit it.

An ID number is region (6) + birth date (8) + sequence (3) + check digit. The region is the
county's own code for most residents, so it counts as known; a full birth date shown
anywhere, and every character a mask leaves visible, add to what is known; the check digit
then confirms a guess. A number is safe only when many valid numbers fit what was seen.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re

from openpyxl import load_workbook
from pypdf import PdfReader

from minqing.lib.idcard import id_number_problem

# Fewer valid numbers than this fit what was shown: the number counts as completed.
ENOUGH_CANDIDATES = 10
MASK_RE = re.compile(r"[0-9Xx*＊]{18}")


def response_text(response) -> str:
    content_type = response["Content-Type"]
    if content_type == "application/pdf":
        reader = PdfReader(io.BytesIO(response.content))
        return "\n".join("".join(page.extract_text().split()) for page in reader.pages)
    if "spreadsheetml" in content_type:
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            " | ".join("" if v is None else str(v) for v in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return response.content.decode()


def _date_forms(day: dt.date) -> list[str]:
    return [
        f"{day:%Y%m%d}", f"{day:%Y-%m-%d}", f"{day:%Y/%m/%d}", f"{day:%Y.%m.%d}",
        f"{day.year}年{day.month}月{day.day}日", f"{day:%Y}年{day:%m}月{day:%d}日",
    ]  # fmt: skip


def known_positions(id_number: str, birth: dt.date | None, seen: str) -> set[int]:
    """The positions of `id_number` an attacker knows from the text `seen`."""
    known = set(range(6))  # the county code every local resident's number starts with
    if birth and any(form in seen for form in _date_forms(birth)):
        known |= set(range(6, 14))
    elif birth and str(birth.year) in seen:
        known |= set(range(6, 10))
    for match in MASK_RE.finditer(seen):
        shown = match.group().upper()
        if all(c in "*＊" or c == id_number[i] for i, c in enumerate(shown)):
            known |= {i for i, c in enumerate(shown) if c not in "*＊"}
    return known


def candidates(id_number: str, known: set[int]) -> int:
    """How many valid ID numbers agree with `id_number` on the known positions."""
    unknown = [i for i in range(18) if i not in known]
    if len(unknown) > 5:
        return 10 ** len(unknown)  # more than anyone could try by hand
    count = 0
    alphabets = ["0123456789X" if i == 17 else "0123456789" for i in unknown]
    for guess in itertools.product(*alphabets):
        chars = list(id_number)
        for i, c in zip(unknown, guess, strict=True):
            chars[i] = c
        count += id_number_problem("".join(chars)) is None
    return count
