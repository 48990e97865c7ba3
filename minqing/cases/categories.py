"""Case categories: a county's tree of up to three levels, its seed defaults and CSV import.

Categories are county configuration. A new county starts from the eight 民情日记 categories
of seed 002 (`ensure_default_categories`); a county that uses another taxonomy (a 12345
hotline's, say) loads it from a CSV with one column per level (`import_categories_csv`).

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
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.cases.models import Category
from minqing.org.models import Level, Node, User

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


@dataclass(frozen=True)
class _New:
    code: str
    name: str
    depth: int
    sort: int
    parent_code: str | None


# --- defaults -----------------------------------------------------------------------------
def ensure_default_categories(
    *, county: Node, actor: User | None = None, audit: bool = True
) -> int:
    """Create whichever default categories the county lacks (by code); return how many.

    A code the county already uses counts as present, whatever its name: the county's own
    configuration wins, and a default it switched off stays off. `audit=False` is for a
    caller that records the whole operation itself (the demo loader).
    """
    _check_county(county)
    with transaction.atomic():
        existing = dict(Category.objects.filter(county=county).values_list("code", "pk"))
        missing = [
            _New(
                code=code,
                name=name,
                depth=code.count(".") + 1,
                sort=SORT_STEP * (index + 1),
                parent_code=code.rpartition(".")[0] or None,
            )
            for index, (code, name) in enumerate(DEFAULT_CATEGORIES.items())
            if code not in existing
        ]
        _create(county, missing, existing)
        if missing and audit:
            _audit(
                county,
                actor,
                note=_("%(county)s 按民情日记默认分类新增事项分类 %(n)d 个。")
                % {"county": county.name, "n": len(missing)},
                changes={"defaults": True, "created": len(missing)},
            )
    return len(missing)


# --- CSV import ---------------------------------------------------------------------------
def import_categories_csv(
    *,
    county: Node,
    path_or_file: str | os.PathLike[str] | IO[bytes] | IO[str],
    replace: bool = False,
    dry_run: bool = False,
    actor: User | None = None,
) -> ImportReport:
    """Load a category tree from a CSV with one column per level (一级分类,二级分类,三级分类).

    All or nothing: any error in the file is reported (with its row numbers) and nothing is
    written. `replace` switches off the county's categories that the file does not list;
    `dry_run` reports what would change without writing.
    """
    _check_county(county)
    started = time.perf_counter()
    report = ImportReport(
        county=county.name, source=_source_name(path_or_file), replace=replace, dry_run=dry_run
    )
    text = _read_text(path_or_file, report)
    paths = _parse(text, report) if text is not None else []
    if report.errors:
        report.seconds = time.perf_counter() - started
        return report
    with transaction.atomic():
        # Two imports for one county at once would hand out the same codes.
        Node.objects.select_for_update().only("pk").get(pk=county.pk)
        _apply(county, paths, report)
        report.seconds = time.perf_counter() - started
        if not dry_run:
            _audit(
                county,
                actor,
                note=report.summary(),
                changes={
                    "source": report.source,
                    "replace": replace,
                    "rows": report.rows,
                    "levels": {str(k): v for k, v in sorted(report.levels.items())},
                    "created": report.created.total(),
                    "reactivated": report.reactivated,
                    "deactivated": report.deactivated,
                },
            )
    report.seconds = time.perf_counter() - started
    return report


def _source_name(source: str | os.PathLike[str] | IO[bytes] | IO[str]) -> str:
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    return Path(str(getattr(source, "name", "") or "")).name or "CSV"


def _read_text(
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


def _parse(text: str, report: ImportReport) -> list[NamePath]:
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


def _apply(county: Node, paths: list[NamePath], report: ImportReport) -> None:
    existing = list(Category.objects.filter(county=county).order_by("-active", "sort", "code"))
    by_pk = {c.pk: c for c in existing}
    path_of: dict[int, NamePath] = {}

    def chain(category: Category) -> NamePath:
        if category.pk not in path_of:
            parent = by_pk.get(category.parent_id) if category.parent_id else None
            path_of[category.pk] = (*(chain(parent) if parent else ()), category.name)
        return path_of[category.pk]

    by_path: dict[NamePath, Category] = {}
    for category in existing:  # active first, so a live category wins over a switched-off twin
        by_path.setdefault(chain(category), category)
    matched = {by_path[p].pk for p in paths if p in by_path}
    # Appending keeps the county's other categories first; a replace puts the file first.
    untouched = [c.sort for c in existing if c.pk not in matched]
    base = 0 if report.replace or not untouched else max(untouched)

    codes = {c.code for c in existing}
    last_seq = _last_sequences(codes)
    code_of: dict[NamePath, str] = {p: c.code for p, c in by_path.items()}
    new: list[_New] = []
    changed: list[Category] = []
    for index, path in enumerate(paths):
        sort = base + SORT_STEP * (index + 1)
        report.levels[len(path)] += 1
        category = by_path.get(path)
        if category is None:
            parent_code = code_of[path[:-1]] if len(path) > 1 else None
            code = _next_code(parent_code, codes, last_seq)
            code_of[path] = code
            new.append(_New(code, path[-1], len(path), sort, parent_code))
            report.created[len(path)] += 1
            continue
        if not category.active:
            report.reactivated += 1
        else:
            report.unchanged += 1
        if not category.active or category.sort != sort:
            category.active, category.sort = True, sort
            changed.append(category)
    stale = [c for c in existing if report.replace and c.active and c.pk not in matched]
    report.deactivated = len(stale)
    if report.dry_run:
        return
    Category.objects.bulk_update(changed, ["active", "sort"], batch_size=500)
    Category.objects.filter(pk__in=[c.pk for c in stale]).update(active=False)
    _create(county, new, {c.code: c.pk for c in existing})


def _last_sequences(codes: Iterable[str]) -> dict[str, int]:
    """Highest numeric last segment under each parent code ("" for the top level)."""
    last: dict[str, int] = defaultdict(int)
    for code in codes:
        head, _dot, tail = code.rpartition(".")
        if tail.isdigit():
            last[head] = max(last[head], int(tail))
    return last


def _next_code(parent_code: str | None, codes: set[str], last: dict[str, int]) -> str:
    head = parent_code or ""
    while True:
        last[head] += 1
        code = f"{head}.{last[head]:02d}" if head else f"{last[head]:02d}"
        if code not in codes:
            codes.add(code)
            return code


def _create(county: Node, new: list[_New], pk_of: dict[str, int]) -> None:
    """Insert level by level, so every parent has its primary key before its children."""
    for depth in range(1, MAX_DEPTH + 1):
        rows = [
            Category(
                county=county,
                parent_id=pk_of[item.parent_code] if item.parent_code else None,
                code=item.code,
                name=item.name,
                depth=item.depth,
                sort=item.sort,
                active=True,
            )
            for item in new
            if item.depth == depth
        ]
        if not rows:
            continue
        Category.objects.bulk_create(rows, batch_size=500)
        if rows[0].pk is None:  # a backend that cannot return ids from a bulk insert
            pk_of.update(
                Category.objects.filter(county=county, code__in=[r.code for r in rows]).values_list(
                    "code", "pk"
                )
            )
        else:
            pk_of.update((r.code, r.pk) for r in rows)


def _check_county(county: Node) -> None:
    if county.level != Level.COUNTY:
        raise ValidationError(_("事项分类只能设置在县(区)上。"))


def _audit(county: Node, actor: User | None, *, note: str, changes: dict[str, object]) -> None:
    record(
        action=Action.BULK_LOAD,
        actor=actor,
        object_type=Category._meta.label_lower,
        object_id=county.code,
        object_repr=_("%(county)s 事项分类") % {"county": county.name},
        changes=changes,
        note=note,
    )
