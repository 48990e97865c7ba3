"""Writes of 民情分析: training requests, activation (rollback), labelled-example import and
category confirmations. Each is atomic; the training itself runs in the task worker."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.audit.models import Action as AuditAction
from minqing.audit.services import record
from minqing.cases.models import Case, Category
from minqing.org.models import Level, Node, User
from minqing.textanalysis.datasets import DatasetError, decode_bytes
from minqing.textanalysis.models import (
    CategoryConfirmation,
    ExampleSource,
    LabelledExample,
    ModelKind,
    ModelStatus,
    TextModel,
)
from minqing.textanalysis.rules import insight_rules_for

IMPORT_MAX_ROWS = 50_000
# A queued version whose job has not started by then is queued again; one still "training"
# after the timeout is written off (training takes seconds to minutes, not hours).
REQUEUE_AFTER = dt.timedelta(minutes=30)
TRAINING_TIMEOUT = dt.timedelta(hours=2)
# Retrain once the data has grown by this share (or by RETRAIN_MIN_NEW examples).
RETRAIN_GROWTH = 0.2
RETRAIN_MIN_NEW = 50


def model_request_training(*, county: Node, kind: str, actor: User | None) -> TextModel:
    """Queue a new version; the worker trains it. A version already waiting is reused, but
    one that waited too long (its job was lost, or the worker died mid-training) is queued
    again or written off, so a county can never be stuck behind it."""
    from minqing.textanalysis.tasks import train_model_task

    with transaction.atomic():
        # The county row serialises requests: two clicks cannot take the same version number.
        Node.objects.select_for_update().filter(pk=county.pk).first()
        now = timezone.now()
        waiting = TextModel.objects.filter(
            county=county, kind=kind, status__in=[ModelStatus.QUEUED, ModelStatus.TRAINING]
        ).first()
        if waiting is not None and waiting.status == ModelStatus.QUEUED:
            if now - waiting.created_at > REQUEUE_AFTER:
                transaction.on_commit(
                    partial(train_model_task.enqueue, model_id=waiting.pk), robust=True
                )
            return waiting
        if waiting is not None:
            if now - waiting.created_at <= TRAINING_TIMEOUT:
                return waiting
            waiting.status = ModelStatus.FAILED
            waiting.error = _("训练超时未完成(任务进程可能已中断)，已作废。")
            waiting.finished_at = now
            waiting.save(update_fields=["status", "error", "finished_at"])
        last = TextModel.objects.filter(county=county, kind=kind).aggregate(v=Max("version"))
        row = TextModel.objects.create(
            county=county, kind=kind, version=(last["v"] or 0) + 1, requested_by=actor
        )
        record(action=AuditAction.CREATE, actor=actor, obj=row, changes={"kind": kind})
        transaction.on_commit(partial(train_model_task.enqueue, model_id=row.pk), robust=True)
    return row


def model_activate(*, model: TextModel, actor: User | None) -> TextModel:
    """Make this version the county's active one (rolling back or forward)."""
    if model.status != ModelStatus.READY:
        raise ValidationError(_("只有训练完成的版本才能启用。"))
    with transaction.atomic():
        Node.objects.select_for_update().filter(pk=model.county_id).first()  # one switch at a time
        previous = (
            TextModel.objects.filter(county_id=model.county_id, kind=model.kind, active=True)
            .exclude(pk=model.pk)
            .first()
        )
        if previous is not None:
            TextModel.objects.filter(pk=previous.pk).update(active=False)
        TextModel.objects.filter(pk=model.pk).update(active=True)
        model.active = True
        record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=model,
            changes={"active": [previous.version if previous else None, model.version]},
        )
    return model


def models_retrain_if_needed(now: object = None) -> int:
    """Queue training for each county and kind whose data grew enough since its last
    version. Idempotent: a version already queued is reused."""
    from minqing.textanalysis.training import (
        category_examples,
        routing_examples,
        urgency_examples,
    )

    queued = 0
    for county in Node.objects.filter(level=Level.COUNTY):
        rules = insight_rules_for(county)
        for kind, examples in (
            (ModelKind.CATEGORY, category_examples),
            (ModelKind.ROUTING, routing_examples),
            (ModelKind.URGENCY, urgency_examples),
        ):
            n = len(examples(county))
            last = (
                TextModel.objects.filter(county=county, kind=kind, status=ModelStatus.READY)
                .order_by("-version")
                .first()
            )
            trained = last.n_train if last else 0
            grown = n - trained >= max(RETRAIN_MIN_NEW, RETRAIN_GROWTH * trained)
            if n >= rules.min_training_cases and (last is None or grown):
                model_request_training(county=county, kind=kind, actor=None)
                queued += 1
    return queued


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
