"""Writes of case categories: the county's seed defaults and the CSV import.

Reading and checking a file is minqing.cases.categories (it writes nothing); this applies
what it read, all or nothing, under the county's row lock.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.cases.categories import (
    DEFAULT_CATEGORIES,
    MAX_DEPTH,
    SORT_STEP,
    ImportReport,
    NamePath,
    parse_paths,
    read_text,
    source_name,
)
from minqing.cases.models import Category
from minqing.org.models import Level, Node, User


@dataclass(frozen=True)
class _New:
    code: str
    name: str
    depth: int
    sort: int
    parent_code: str | None


# --- defaults -----------------------------------------------------------------------------
def categories_ensure_default(
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
def categories_import_csv(
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
        county=county.name, source=source_name(path_or_file), replace=replace, dry_run=dry_run
    )
    text = read_text(path_or_file, report)
    paths = parse_paths(text, report) if text is not None else []
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
