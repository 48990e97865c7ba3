"""Writes of 民情分析's text models: training requests, the training run itself (the task
worker's `model_train`), activation (rollback) and the daily retraining check."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.audit.models import Action as AuditAction
from minqing.audit.services import record
from minqing.org.models import Level, Node, User
from minqing.textanalysis import model_store
from minqing.textanalysis.classifier import TextClassifier
from minqing.textanalysis.models import (
    ModelKind,
    ModelStatus,
    TextModel,
)
from minqing.textanalysis.rules import insight_rules_for
from minqing.textanalysis.training import (
    ACTIVATE_TOLERANCE,
    TrainingError,
    category_examples,
    county_taxonomy,
    evaluate_version,
    routing_examples,
    routing_model,
    urgency_examples,
)

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


def models_retrain_if_needed() -> int:
    """Queue training for each county and kind whose data grew enough since its last
    version. Idempotent: a version already queued is reused."""
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


def model_train(*, model: TextModel) -> TextModel:
    """Build the dataset, evaluate, fit on everything, save the file, maybe activate."""
    county = model.county
    rules = insight_rules_for(county)
    model.status = ModelStatus.TRAINING
    model.save(update_fields=["status"])
    start = time.perf_counter()
    try:
        if model.kind == ModelKind.CATEGORY:
            messages, taxonomy, make = category_examples(county), county_taxonomy(county), None
        elif model.kind == ModelKind.ROUTING:
            messages, taxonomy, make = routing_examples(county), [], routing_model
        elif model.kind == ModelKind.URGENCY:
            messages, taxonomy, make = urgency_examples(county), [], None
        else:
            raise TrainingError(f"不支持的模型类型：{model.kind}")
        labels = Counter(m.label for m in messages)
        if len(messages) < rules.min_training_cases or len(labels) < 2:
            raise TrainingError(
                f"样本不足：共 {len(messages)} 条、{len(labels)} 类，至少需要 "
                f"{rules.min_training_cases} 条且不少于 2 类。"
            )
        make = make or TextClassifier
        evaluation = evaluate_version(messages, taxonomy, make)
        fitted = make().fit(messages, taxonomy)
        evaluation["train_seconds"] = round(time.perf_counter() - start, 2)
        evaluation["label_counts"] = dict(labels)
        model_store.save(model, fitted)
    except Exception as error:  # any failure is shown to the admin, never lost in a log
        model.status = ModelStatus.FAILED
        model.error = str(error)[:2000]
        model.finished_at = timezone.now()
        model.save(update_fields=["status", "error", "finished_at"])
        return model
    model.status = ModelStatus.READY
    model.n_train = len(messages)
    model.labels = sorted(labels)
    model.evaluation = evaluation
    model.finished_at = timezone.now()
    with transaction.atomic():
        # Same lock as an admin's switch (model_activate): one activation at a time.
        Node.objects.select_for_update().filter(pk=county.pk).first()
        current = TextModel.objects.filter(county=county, kind=model.kind, active=True).first()
        better = (
            current is None
            or current.macro_f1 is None
            or (
                model.macro_f1 is not None
                and model.macro_f1 >= current.macro_f1 - ACTIVATE_TOLERANCE
            )
        )
        if better and current is not None:
            TextModel.objects.filter(pk=current.pk).update(active=False)
        model.active = better
        if not better:
            model.error = "评估结果明显低于在用版本，未自动启用；可在模型页手动启用。"
        model.save()
        if better:
            record(
                action=AuditAction.UPDATE,
                actor=None,
                obj=model,
                changes={"active": [current.version if current else None, model.version]},
                note="训练完成后自动启用",
            )
    return model
