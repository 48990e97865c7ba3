"""CSV readers for labelled messages (`id,time,title,detail,label`) and the three-level
category tree (`一级分类,二级分类,三级分类`).

Files are decoded as UTF-8 (with or without BOM) and, failing that, GB18030, because county
exports from Excel on Chinese Windows are often GBK.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

MESSAGE_COLUMNS = ("title", "detail", "label")


class DatasetError(ValueError):
    """A file that cannot be used; the message is Chinese first, then English."""


@dataclass(frozen=True)
class Message:
    title: str
    detail: str
    label: str
    id: str = ""
    # Place tokens ("T:<township code> V:<village code>") for models that learn from where
    # a matter comes from (routing); empty for plain text classification.
    place: str = ""


@dataclass(frozen=True)
class TaxonomyRow:
    level1: str
    level2: str
    level3: str


def decode_bytes(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DatasetError(f"{name}：无法识别文件编码(请用 UTF-8 或 GBK)。Cannot decode {name}.")


def _read_text(path: str | Path) -> str:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise DatasetError(f"{p}：无法读取文件。Cannot read file: {exc.strerror}") from exc
    return decode_bytes(data, str(p))


def read_messages(path: str | Path, *, require_label: bool = True) -> list[Message]:
    """Rows with empty title and detail are skipped; an empty label is an error."""
    text = _read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    needed = MESSAGE_COLUMNS if require_label else MESSAGE_COLUMNS[:2]
    missing = [c for c in needed if c not in header]
    if missing:
        cols = ", ".join(missing)
        raise DatasetError(
            f"{path}：缺少列 {cols}(需要 id,time,title,detail,label)。"
            f"Missing column(s) {cols}; expected id,time,title,detail,label."
        )
    reader.fieldnames = header
    rows: list[Message] = []
    for line, raw in enumerate(reader, start=2):
        title = (raw.get("title") or "").strip()
        detail = (raw.get("detail") or "").strip()
        label = (raw.get("label") or "").strip()
        if not title and not detail:
            continue
        if require_label and not label:
            raise DatasetError(f"{path} 第 {line} 行：分类(label)为空。Line {line}: empty label.")
        rows.append(Message(title, detail, label, (raw.get("id") or "").strip()))
    if not rows:
        raise DatasetError(f"{path}：没有可用的留言。No usable messages.")
    return rows


def read_taxonomy(path: str | Path) -> list[TaxonomyRow]:
    """The first three columns are levels 1–3 whatever the header says (the real file and
    `import_categories` both use 一级分类,二级分类,三级分类)."""
    rows = list(csv.reader(io.StringIO(_read_text(path))))
    if not rows or len(rows[0]) < 3:
        raise DatasetError(
            f"{path}：分类表需要三列(一级分类,二级分类,三级分类)。"
            "The taxonomy needs three columns (level 1, 2, 3)."
        )
    out = [
        TaxonomyRow(*(cell.strip() for cell in row[:3]))
        for row in rows[1:]
        if len(row) >= 3 and row[0].strip()
    ]
    if not out:
        raise DatasetError(f"{path}：分类表为空。The taxonomy is empty.")
    return out
