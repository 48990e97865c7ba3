"""Case categories: a county's tree of up to three levels, its seed defaults and CSV import.

Categories are county configuration. A new county starts from the eight 民情日记 categories
of seed 002 (`categories_ensure_default`); a county that uses another taxonomy (a 12345
hotline's, say) loads it from a CSV with one column per level (`categories_import_csv`).
This module reads and checks such a file; the writes are in minqing.cases.services.categories.

An import matches existing categories by their chain of names, so re-importing a file
changes nothing and a revised file only adds what is new. Codes of existing categories never
change, because cases, filters and reports refer to them. Nothing is ever deleted: with
`replace` the categories missing from the file are switched off (cases still point at them).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from minqing.cases.models import Category

MAX_DEPTH = 3
NAME_MAX = Category._meta.get_field("name").max_length or 80
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
SORT_STEP = 10  # gaps leave room to slot a category in by hand in the admin

# Seed 002, 三(二) 记录内容: the eight categories of the 民情日记 and the items each lists.
# Codes are explicit so that editing this table never renumbers what counties already use.
DEFAULT_CATEGORIES: dict[str, str] = {
    "01": "农村经济发展",
    "01.01": "农村产业结构调整",
    "01.02": "村级集体经济发展",
    "01.03": "农民群众增收致富",
    "02": "村级组织建设",
    "02.01": "村两委班子建设",
    "02.02": "党员教育管理",
    "02.03": "发展农村新党员",
    "03": "村务民主管理",
    "03.01": "村民自治",
    "03.02": "村务公开",
    "03.03": "财务管理",
    "03.04": "民主理财",
    "03.05": "干部作风",
    "04": "农村矛盾纠纷",
    "04.01": "土地承包",
    "04.02": "土地征收补偿费用分配",
    "04.03": "用水纠纷",
    "04.04": "村际邻里纠纷",
    "04.05": "突发性事件",
    "05": "群众关注的热点难点",
    "05.01": "社会治安",
    "05.02": "农民负担",
    "05.03": "最低生活保障",
    "05.04": "住房难",
    "05.05": "饮水难",
    "05.06": "读书难",
    "05.07": "看病难",
    "05.08": "行路难",
    "06": "精神文明建设",
    "06.01": "文化教育卫生事业",
    "06.02": "计划生育",
    "06.03": "移风易俗",
    "06.04": "文明村(户)创建",
    "07": "村容村貌整治",
    # 四通五改: 通路、通电、通邮、通广播电视; 改水、改厕、改路、改灶、改造住房.
    "07.01": "通路",
    "07.02": "通电",
    "07.03": "通邮",
    "07.04": "通广播电视",
    "07.05": "改水",
    "07.06": "改厕",
    "07.07": "改路",
    "07.08": "改灶",
    "07.09": "改造住房",
    "07.10": "治理脏乱差",
    "07.11": "美化环境",
    "07.12": "节约保护耕地",
    "08": "其他",
}

# A first row whose every cell reads like "一级分类" / "二级" / "Level 3" is a header.
_HEADER_CELL = re.compile(
    r"^(第?[一二三四五六七八九十\d]+级(分类|类别|目录|名称)?|分类|类别|level\s*\d*|category\s*\d*)$",
    re.IGNORECASE,
)
_ROWS_SHOWN = 20

type NamePath = tuple[str, ...]


@dataclass
class ImportReport:
    county: str
    source: str
    replace: bool = False
    dry_run: bool = False
    rows: int = 0  # data rows read (header and blank lines not counted)
    duplicate_rows: int = 0
    levels: Counter[int] = field(default_factory=Counter)  # categories in the file, by level
    created: Counter[int] = field(default_factory=Counter)  # by level
    reactivated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return _("%(county)s 事项分类导入失败，未写入任何数据：") % {
                "county": self.county
            } + "\n".join(["", *self.errors])
        return _(
            "%(mode)s：%(county)s 事项分类，文件 %(source)s，读取 %(rows)d 行(重复 %(dup)d 行)，"
            "一级 %(l1)d 个、二级 %(l2)d 个、三级 %(l3)d 个；"
            "新增 %(created)d 个(一级 %(c1)d、二级 %(c2)d、三级 %(c3)d)，"
            "重新启用 %(reactivated)d 个，停用 %(deactivated)d 个，未变 %(unchanged)d 个。"
            "用时 %(seconds).2f 秒。"
        ) % {
            "county": self.county,
            "mode": _("试导入(未写入)") if self.dry_run else _("导入完成"),
            "source": self.source,
            "rows": self.rows,
            "dup": self.duplicate_rows,
            "l1": self.levels[1],
            "l2": self.levels[2],
            "l3": self.levels[3],
            "created": self.created.total(),
            "c1": self.created[1],
            "c2": self.created[2],
            "c3": self.created[3],
            "reactivated": self.reactivated,
            "deactivated": self.deactivated,
            "unchanged": self.unchanged,
            "seconds": self.seconds,
        }


def source_name(source: str | os.PathLike[str] | IO[bytes] | IO[str]) -> str:
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    return Path(str(getattr(source, "name", "") or "")).name or "CSV"


def read_text(
    source: str | os.PathLike[str] | IO[bytes] | IO[str], report: ImportReport
) -> str | None:
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            data: bytes | str = handle.read(MAX_BYTES + 1)
    else:
        data = source.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        report.errors.append(
            _("文件太大(超过 %(mb)d MB)，请拆分后导入。") % {"mb": MAX_BYTES // 1024 // 1024}
        )
        return None
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    # Excel saves "CSV UTF-8" with a BOM, plain "CSV" in the system code page (GB18030's
    # subset GBK on Chinese Windows), and "Unicode text" as UTF-16 with a BOM.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: Sequence[str] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    report.errors.append(_("无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV 文件。"))
    return None


def parse_paths(text: str, report: ImportReport) -> list[NamePath]:
    """The file's distinct category paths (every prefix included), in tree order."""
    text = text.replace("\x00", "")
    first_line = text.lstrip().partition("\n")[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    empty: list[int] = []
    too_deep: list[int] = []
    too_long: list[int] = []
    seen: dict[NamePath, None] = {}  # an ordered set
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    row_number = 0
    first = True
    try:
        for row_number, row in enumerate(reader, start=1):
            cells = [" ".join(cell.split()) for cell in row]
            while cells and not cells[-1]:
                cells.pop()
            if not cells:
                continue  # blank line
            if first:
                first = False
                if all(_HEADER_CELL.match(c) for c in cells if c):
                    continue
            report.rows += 1
            if report.rows > MAX_ROWS:
                report.errors.append(_("文件超过 %(max)d 行，请拆分后导入。") % {"max": MAX_ROWS})
                return []
            if len(cells) > MAX_DEPTH:
                too_deep.append(row_number)
            elif not all(cells):
                empty.append(row_number)
            elif any(len(c) > NAME_MAX for c in cells):
                too_long.append(row_number)
            else:
                path = tuple(cells)
                if path in seen:
                    report.duplicate_rows += 1
                for depth in range(1, len(path) + 1):
                    seen.setdefault(path[:depth])
    except csv.Error as error:
        report.errors.append(
            _("第 %(row)d 行：CSV 格式错误(%(error)s)。") % {"row": row_number + 1, "error": error}
        )
        return []
    if empty:
        report.errors.append(
            _("第 %(rows)s 行：分类名称为空(填写了下级分类时，上级分类不能为空)。")
            % {"rows": _row_list(empty)}
        )
    if too_deep:
        report.errors.append(
            _("第 %(rows)s 行：超过三级分类(最多三级)。") % {"rows": _row_list(too_deep)}
        )
    if too_long:
        report.errors.append(
            _("第 %(rows)s 行：分类名称超过 %(max)d 个字。")
            % {"rows": _row_list(too_long), "max": NAME_MAX}
        )
    if not report.errors and not seen:
        report.errors.append(_("文件中没有分类数据。"))
    return _tree_order(seen)


def _row_list(rows: list[int]) -> str:
    shown = "、".join(str(n) for n in rows[:_ROWS_SHOWN])
    if len(rows) > _ROWS_SHOWN:
        shown += _("等 %(n)d 行") % {"n": len(rows)}
    return shown


def _tree_order(paths: Iterable[NamePath]) -> list[NamePath]:
    """Parents before children, siblings in order of first appearance (rows may interleave)."""
    children: dict[NamePath, list[NamePath]] = defaultdict(list)
    for path in paths:  # dicts keep insertion order, so this is first-appearance order
        children[path[:-1]].append(path)
    ordered: list[NamePath] = []
    stack = list(reversed(children[()]))
    while stack:
        path = stack.pop()
        ordered.append(path)
        stack.extend(reversed(children.get(path, [])))
    return ordered
