"""Importing a village's household ledger — all or nothing.

minqing.households.importer reads the file and checks every row, writing nothing; this
audits the refused numbers and writes the rows, in one transaction, when every one is good.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.households.importer import (
    DEFAULT_HEADERS,
    REQUIRED,
    ImportReport,
    map_columns,
    parse_ledger,
)
from minqing.households.models import Household, Resident, Tag
from minqing.org.models import Level, Node, User


def households_import(
    *,
    village: Node,
    rows: list[list[str]],
    actor: User | None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    request: HttpRequest | None = None,
) -> ImportReport:
    """Check every row; unless `dry_run`, write them all in one transaction or none.

    `actor` None is the operator at the command line, who sees the whole registry.
    """
    started = time.perf_counter()
    report = ImportReport(rows=max(len(rows) - 1, 0))
    if not rows:
        report.errors.append(_("文件是空的。"))
        return report
    columns = map_columns(rows[0], mapping)
    missing = [DEFAULT_HEADERS[f][0] for f in REQUIRED if f not in columns]
    if missing:
        report.errors.append(_("缺少必需的列：%(cols)s。") % {"cols": "、".join(missing)})
        return report
    groups = {g.name: g for g in Node.objects.filter(parent=village, level=Level.GROUP)}
    groups |= {g.code: g for g in groups.values()}
    county_tags = {t.name: t for t in Tag.objects.filter(county__path=village.path[:6])}
    refused: list[dict[str, Any]] = []
    households, residents, tags = parse_ledger(
        rows, columns, groups, village, county_tags, actor, report, refused
    )
    if refused:
        record(
            action=Action.DENIED,
            actor=actor,
            request=request,
            obj=village,
            note=_("导入户籍台账：%(n)d 行的身份证号或户编号已登记在辖区之外，已拒绝导入")
            % {"n": len(refused)},
            changes={"refused": refused, "dry_run": dry_run},
        )
    report.households, report.residents = len(households), len(residents)
    if report.errors or dry_run:
        report.seconds = time.perf_counter() - started
        return report
    try:
        _write(village, households, residents, tags, actor, request)
    except IntegrityError:
        # Someone registered one of these numbers or codes after the check above; the
        # transaction rolled back whole. Check again to name the lines, never a 500.
        again = households_import(
            village=village, rows=rows, actor=actor, mapping=mapping, dry_run=True,
            request=request,
        )  # fmt: skip
        report.errors = [
            _("检查之后档案中新登记了相同的身份证号或户编号，未导入任何数据；请核对后重新导入。"),
            *again.errors,
        ]
        report.seconds = time.perf_counter() - started
        return report
    report.written = True
    report.seconds = time.perf_counter() - started
    return report


def _write(
    village: Node,
    households: dict[str, Household],
    residents: list[tuple[Resident, str]],
    tags: set[tuple[str, Tag]],
    actor: User | None,
    request: HttpRequest | None,
) -> None:
    with transaction.atomic():
        created = Household.objects.bulk_create(households.values(), batch_size=2000)
        by_code = {h.code: h for h in created}
        for resident, code in residents:
            resident.household = by_code[code]
        Resident.objects.bulk_create([r for r, _ in residents], batch_size=2000)
        through = Household.tags.through
        through.objects.bulk_create(
            [through(household=by_code[code], tag=tag) for code, tag in sorted(tags, key=str)],
            batch_size=2000,
        )
        record(
            action=Action.BULK_LOAD,
            actor=actor,
            request=request,
            obj=village,
            note=_("导入户籍台账：%(h)d 户，%(r)d 人") % {"h": len(created), "r": len(residents)},
            changes={"households": len(created), "residents": len(residents)},
        )
