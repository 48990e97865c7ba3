"""Writes of 民情分析's training data: a county's labelled-example import and the staff's
category confirmations."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.audit.models import Action as AuditAction
from minqing.audit.services import record
from minqing.cases.models import Case, Category
from minqing.org.models import Node, User
from minqing.textanalysis.datasets import DatasetError, decode_bytes
from minqing.textanalysis.models import (
    CategoryConfirmation,
    ExampleSource,
    LabelledExample,
    TextModel,
)

IMPORT_MAX_ROWS = 50_000


@dataclass
class ImportReport:
    created: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)
    per_category: dict[str, int] = field(default_factory=dict)


def _category_lookup(county: Node) -> dict[str, Category]:
    """A label may name a category by code, by name or by its full "A / B / C" path."""
    lookup: dict[str, Category] = {}
    for c in Category.objects.filter(county=county, active=True).select_related("parent__parent"):
        lookup.setdefault(c.code, c)
        lookup.setdefault(c.full_name, c)
        lookup.setdefault(c.full_name.replace(" / ", "/"), c)
    names: dict[str, list[Category]] = {}
    for c in Category.objects.filter(county=county, active=True):
        names.setdefault(c.name, []).append(c)
    for name, cats in names.items():
        if len(cats) == 1:  # an ambiguous short name must be given by path or code
            lookup.setdefault(name, cats[0])
    return lookup


def examples_import(
    *, county: Node, data: bytes, file_name: str, actor: User | None, dry_run: bool = False
) -> ImportReport:
    """Import `id,time,title,detail,label` rows as labelled examples: all or nothing.
    Unknown labels, empty texts and overlong files are reported per line in Chinese."""
    report = ImportReport()
    try:
        text = decode_bytes(data, file_name)
    except DatasetError:
        report.errors.append(_("无法识别文件编码，请保存为 UTF-8 或 GBK 的 CSV。"))
        return report
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("title", "detail", "label") if c not in header]
    if missing:
        report.errors.append(
            _("缺少列：%(cols)s。需要的列：id,time,title,detail,label。")
            % {"cols": ", ".join(missing)}
        )
        return report
    reader.fieldnames = header
    lookup = _category_lookup(county)
    batch = hashlib.sha256(data).hexdigest()[:16]
    rows: dict[str, LabelledExample] = {}
    for line, raw in enumerate(reader, start=2):
        if line - 1 > IMPORT_MAX_ROWS:
            report.errors.append(_("文件超过 %(n)s 行，请分批导入。") % {"n": IMPORT_MAX_ROWS})
            break
        title = (raw.get("title") or "").replace("\x00", "").strip()[:200]
        detail = (raw.get("detail") or "").replace("\x00", "").strip()
        label = (raw.get("label") or "").strip()
        if not title and not detail:
            report.errors.append(_("第 %(n)s 行：标题和内容都为空。") % {"n": line})
            continue
        category = lookup.get(label)
        if category is None:
            report.errors.append(
                _("第 %(n)s 行：分类“%(label)s”不在本县分类目录中。") % {"n": line, "label": label}
            )
            continue
        digest = hashlib.sha256(f"{category.pk}\x1f{title}\x1f{detail}".encode()).hexdigest()
        if digest in rows:
            report.duplicates += 1
            continue
        rows[digest] = LabelledExample(
            county=county, title=title, detail=detail, category=category,
            source=ExampleSource.IMPORT, batch=batch, digest=digest,
        )  # fmt: skip
    if report.errors or not rows:
        if not rows and not report.errors:
            report.errors.append(_("文件中没有可导入的留言。"))
        return report
    existing = set(
        LabelledExample.objects.filter(county=county, digest__in=list(rows)).values_list(
            "digest", flat=True
        )
    )
    new = [row for digest, row in rows.items() if digest not in existing]
    report.duplicates += len(existing)
    for row in new:
        name = row.category.name
        report.per_category[name] = report.per_category.get(name, 0) + 1
    report.created = len(new)
    if dry_run:
        return report
    with transaction.atomic():
        LabelledExample.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        record(
            action=AuditAction.BULK_LOAD,
            actor=actor,
            object_type="textanalysis.labelledexample",
            object_repr=file_name[:100],
            changes={"created": report.created, "duplicates": report.duplicates},
        )
    return report


def category_confirm(
    *,
    case: Case,
    category: Category | None,
    actor: User | None,
    suggested_code: str = "",
    model_id: int | None = None,
) -> CategoryConfirmation | None:
    """Staff chose (confirmed or corrected) the case's category: keep it as training data,
    with what the model had suggested. Clearing the category withdraws the example."""
    if category is None:
        CategoryConfirmation.objects.filter(case=case).delete()
        return None
    suggested = (
        Category.objects.filter(county_id=case.county_id, code=suggested_code).first()
        if suggested_code
        else None
    )
    model = TextModel.objects.filter(pk=model_id, county_id=case.county_id).first()
    confirmation, _created = CategoryConfirmation.objects.update_or_create(
        case=case,
        defaults={
            "category": category,
            "confirmed_by": actor,
            "confirmed_at": timezone.now(),
            **({"suggested": suggested, "model": model} if suggested_code else {}),
        },
    )
    return confirmation
