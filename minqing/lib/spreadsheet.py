"""Spreadsheet exports that cannot run formulas on the reader's machine.

A cell beginning with = + - @ (or their full-width forms, which Excel and WPS also accept,
or a tab/CR before them) is read as a formula; a resident's name or complaint must never
become one. Such values get a leading apostrophe, the convention both programs show as text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

_TRIGGERS = ("=", "+", "-", "@", "＝", "＋", "－", "＠", "\t", "\r")


def escape_formula(value: object) -> object:
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


def xlsx_bytes(*, title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([escape_formula(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([escape_formula(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
