"""What a county's models learn from, and how a version is evaluated; the training run the
task worker performs is `model_train` (minqing.textanalysis.services).

- Category model: the county's imported labelled messages plus every case whose category
  staff confirmed or corrected (`CategoryConfirmation`). The label is the top-level category
  (its code): the level the county's statistics count by, and the level at which the dev
  study reached macro-F1 ≈ 0.89. The county's own tree below each top-level category joins
  as extra documents, as in `classifier.taxonomy_documents`.
- Routing model: every case that reached a unit (station → village, center → township,
  department → that department), with its text and its place, so the model learns both
  "wells go to the township" and "this township's water station fixes them".
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from minqing.cases.models import Case, Category, Urgency
from minqing.cases.workflow import Status
from minqing.org.models import PATH_WIDTH, Level, Node, UnitKind
from minqing.textanalysis.classifier import BLOCKS, PLACE_BLOCK, TextClassifier
from minqing.textanalysis.datasets import Message, TaxonomyRow
from minqing.textanalysis.evaluation import crossval, evaluate
from minqing.textanalysis.models import (
    CategoryConfirmation,
    LabelledExample,
)

# Cross-validation is for the county to judge a version, not to squeeze every example:
# past this many examples one stratified hold-out of 20 % tells as much, much faster.
CV_LIMIT = 3000
# A new version that scores a little below the active one is still taken (it knows newer
# matters); one that scores clearly worse waits for a person to switch to it.
ACTIVATE_TOLERANCE = 0.02

VILLAGE, TOWNSHIP = "village", "township"
DEPT_PREFIX = "dept:"
ROUTED_STATUSES = set(Status.values) - {Status.REGISTERED, Status.MERGED}


class TrainingError(ValueError):
    """Why a model could not be trained, in Chinese for the county admin."""


def root_of(category: Category, by_id: dict[int, Category]) -> Category:
    while category.parent_id is not None:
        category = by_id[category.parent_id]
    return category


def county_categories(county: Node) -> dict[int, Category]:
    return {c.pk: c for c in Category.objects.filter(county=county)}


def county_taxonomy(county: Node) -> list[TaxonomyRow]:
    """The county's own tree as (root code, level-2 name, level-3 name) rows."""
    by_id = county_categories(county)
    rows = []
    for c in by_id.values():
        if not c.active or c.parent_id is None:
            continue
        root = root_of(c, by_id)
        if c.depth == 2:
            rows.append(TaxonomyRow(root.code, c.name, ""))
        else:
            rows.append(TaxonomyRow(root.code, by_id[c.parent_id].name, c.name))
    return rows


def category_examples(county: Node) -> list[Message]:
    by_id = county_categories(county)
    out = [
        Message(e.title, e.detail, root_of(by_id[e.category_id], by_id).code, f"x{e.pk}")
        for e in LabelledExample.objects.filter(county=county).only(
            "pk", "title", "detail", "category_id"
        )
    ]
    confirmed = CategoryConfirmation.objects.filter(case__county=county).values_list(
        "case_id", "case__title", "case__original_text", "category_id"
    )
    out += [
        Message(title, text, root_of(by_id[cat], by_id).code, f"c{case_id}")
        for case_id, title, text, cat in confirmed
    ]
    return out


def place_tokens(node: Node | None) -> str:
    """Township and village codes as tokens; a group's matter carries its village's."""
    if node is None:
        return ""
    path, tokens = node.path, []
    for level, tag in ((Level.TOWNSHIP, "T"), (Level.VILLAGE, "V")):
        width = PATH_WIDTH[level]
        if len(path) >= width:
            tokens.append(f"{tag}:{path[:width]}")
    return " ".join(tokens)


def routing_label(kind: str, unit_id: int) -> str | None:
    if kind == UnitKind.STATION:
        return VILLAGE
    if kind == UnitKind.CENTER:
        return TOWNSHIP
    if kind == UnitKind.DEPARTMENT:
        return f"{DEPT_PREFIX}{unit_id}"
    return None


def routing_examples(county: Node) -> list[Message]:
    rows = (
        Case.objects.filter(county=county, status__in=ROUTED_STATUSES, unit__isnull=False)
        .values_list("pk", "title", "original_text", "unit_id", "unit__kind", "node__path")
        .order_by("-pk")
    )
    out = []
    for pk, title, text, unit_id, kind, path in rows:
        label = routing_label(kind, unit_id)
        if label is not None:
            place = place_tokens(Node(path=path))
            out.append(Message(title, text, label, f"c{pk}", place))
    return out


def urgency_examples(county: Node) -> list[Message]:
    """Matters staff have reviewed (their category confirmed), labelled urgent or not by
    the urgency staff gave them: the learned half of urgency detection (the county's word
    lists are the other half). Unreviewed matters are left out: their urgency may be no
    more than the form's default."""
    rows = (
        Case.objects.filter(county=county, category_confirmation__isnull=False)
        .exclude(status=Status.MERGED)
        .values_list("pk", "title", "original_text", "urgency")
        .order_by("-pk")[:20000]
    )
    return [
        Message(title, text, Urgency.URGENT if u == Urgency.URGENT else Urgency.NORMAL, f"c{pk}")
        for pk, title, text, u in rows
    ]


def routing_model() -> TextClassifier:
    return TextClassifier(blocks=(*BLOCKS, PLACE_BLOCK))


def evaluate_version(
    messages: list[Message], taxonomy: list[TaxonomyRow], make: Any
) -> dict[str, Any]:
    counts = Counter(m.label for m in messages)
    if len(messages) > CV_LIMIT:
        rng = random.Random(0)
        shuffled = messages[:]
        rng.shuffle(shuffled)
        cut = len(shuffled) // 5
        test, train = shuffled[:cut], shuffled[cut:]
        result = evaluate(train, test, taxonomy, make)
        result["method"] = "holdout-20%"
        return result
    # Labels too rare to appear in every fold (a department that took two matters) are
    # left out of the cross-validation, and the result says how many examples that cost.
    folds = 5 if len(messages) >= 50 else 3
    kept = [m for m in messages if counts[m.label] >= folds]
    if len({m.label for m in kept}) < 2:
        return {"method": "none", "n_train": len(messages)}
    result = crossval(kept, taxonomy, folds=folds, make_model=make)
    result["method"] = f"{folds}-fold"
    result["left_out"] = len(messages) - len(kept)
    return result
