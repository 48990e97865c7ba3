"""Held-out evaluation and stratified k-fold cross-validation of `TextClassifier`.

No leakage: every fold fits a fresh classifier (vocabulary, IDF and SVM) on its training
part only; the taxonomy is not derived from the messages, so it may join every fold.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from minqing.textanalysis.classifier import TextClassifier
from minqing.textanalysis.datasets import Message, TaxonomyRow

SEED = 42


def evaluate(
    train: Sequence[Message],
    test: Sequence[Message],
    taxonomy: Sequence[TaxonomyRow] = (),
    make_model: Callable[[], TextClassifier] = TextClassifier,
) -> dict[str, Any]:
    model = make_model().fit(train, taxonomy)
    titles, details = [m.title for m in test], [m.detail for m in test]
    start = time.perf_counter()
    predicted = model.predict_labels(titles, details, [m.place for m in test])
    elapsed = time.perf_counter() - start
    truth = [m.label for m in test]
    labels = sorted(set(truth) | set(predicted))
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    per_class = {
        label: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                "support": int(s[i])}
        for i, label in enumerate(labels)
    }  # fmt: skip
    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(
            f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)
        ),
        "per_class": per_class,
        "ms_per_case": 1000 * elapsed / len(test),
        "n_train": len(train),
        "n_test": len(test),
    }


def crossval(
    messages: Sequence[Message],
    taxonomy: Sequence[TaxonomyRow] = (),
    folds: int = 5,
    make_model: Callable[[], TextClassifier] = TextClassifier,
) -> dict[str, Any]:
    labels = np.array([m.label for m in messages])
    smallest = min(np.unique(labels, return_counts=True)[1])
    if folds < 2 or smallest < folds:
        raise ValueError(
            f"每个分类至少需要 {folds} 条留言才能做 {folds} 折交叉验证"
            f"(最少的分类只有 {smallest} 条)。Each label needs at least {folds} messages "
            f"for {folds}-fold CV (smallest: {smallest})."
        )
    splitter = StratifiedKFold(folds, shuffle=True, random_state=SEED)
    runs = [
        evaluate([messages[i] for i in tr], [messages[i] for i in te], taxonomy, make_model)
        for tr, te in splitter.split(np.zeros(len(labels)), labels)
    ]
    per_class: dict[str, dict[str, float]] = {}
    for label in sorted({c for run in runs for c in run["per_class"]}):
        rows = [run["per_class"].get(label) for run in runs]
        per_class[label] = {
            key: float(np.mean([row[key] if row else 0.0 for row in rows]))
            for key in ("precision", "recall", "f1", "support")
        }
    return {
        **{key: float(np.mean([run[key] for run in runs]))
           for key in ("accuracy", "macro_f1", "ms_per_case", "n_train", "n_test")},
        "per_class": per_class,
        "folds": folds,
        "fold_macro_f1": [run["macro_f1"] for run in runs],
        "macro_f1_sd": float(np.std([run["macro_f1"] for run in runs])),
    }  # fmt: skip
