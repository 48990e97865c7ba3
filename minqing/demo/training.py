"""Demo 民情分析 models: the county starts its models the way a real one would — it imports
a labelled file (part of MinQing's own demo corpus, `data/matters.csv`) and has months of
matters that staff categorised, routed and closed (the rest of the corpus, registered and
moved along through the real services) — then the category, routing and urgency models are
trained on that and activated, so the intake form suggests from the first sign-in."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from django.utils import timezone

from minqing.cases.models import Category, Channel, Nature, Urgency
from minqing.cases.routing import center_for, station_for
from minqing.cases.services import case_register, case_transition
from minqing.households.models import Household
from minqing.org.models import Level, Node, Unit, UnitKind, User
from minqing.org.scoping import under
from minqing.textanalysis.models import ExampleSource, LabelledExample, ModelKind, TextModel
from minqing.textanalysis.services import (
    category_confirm,
    model_train,
    urgency_terms_ensure_default,
)
from minqing.textanalysis.urgency import detect_urgency, strongest

CORPUS = Path(__file__).resolve().parent / "data" / "matters.csv"
IMPORTED_SHARE = 0.4  # this much of the corpus arrives as the county's imported file


def read_corpus(path: Path = CORPUS) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _fill(text: str, group: Node) -> str:
    return text.replace("{village}", group.parent.name).replace("{group}", group.name)


def load_demo_training(*, county: Node, rng: random.Random) -> dict[str, int]:
    if TextModel.objects.filter(county=county).exists():
        return {}  # already loaded (a re-run leaves the county's models alone)
    # The word lists in the admin, ready to edit (detection uses the defaults until then).
    terms = urgency_terms_ensure_default(county=county)
    rows = read_corpus()
    rng.shuffle(rows)
    roots = {c.name: c for c in Category.objects.filter(county=county, parent=None)}
    cut = int(len(rows) * IMPORTED_SHARE)
    groups = list(
        Node.objects.filter(under(county), level=Level.GROUP)
        .select_related("parent__parent")
        .order_by("code")[:400]
    )
    examples = [
        LabelledExample(
            county=county, title=r["title"], detail=_fill(r["detail"], rng.choice(groups)),
            category=roots[r["label"]], source=ExampleSource.DEMO, batch="demo",
            digest=f"demo-{r['id']}",
        )
        for r in rows[:cut]
    ]  # fmt: skip
    LabelledExample.objects.bulk_create(examples, ignore_conflicts=True)
    history = _history(county, rows[cut:], groups, roots, rng)
    trained = {}
    for kind in (ModelKind.CATEGORY, ModelKind.ROUTING, ModelKind.URGENCY):
        row = model_train(model=TextModel.objects.create(county=county, kind=kind, version=1))
        trained[f"model_{kind}"] = round(100 * (row.macro_f1 or 0))
    return {"examples": len(examples), "history": history, "urgency_terms": terms, **trained}


def _history(
    county: Node,
    rows: list[dict[str, str]],
    groups: list[Node],
    roots: dict[str, Category],
    rng: random.Random,
) -> int:
    """Closed matters of the past months: categorised, routed to the unit the corpus names,
    worked, answered and rated, each through the case services."""
    departments = {
        u.short_name or u.name: u
        for u in Unit.objects.filter(kind=UnitKind.DEPARTMENT, node=county)
    }
    clerk = User.objects.filter(node=county, is_active=True).order_by("pk").first()
    now = timezone.now()
    made = 0
    for r in rows:
        group = rng.choice(groups)
        if r["level"] == "village":
            unit = station_for(group)
        elif r["level"] == "township":
            unit = center_for(group)
        else:
            unit = departments.get(r["department"])
        if unit is None:
            continue
        text = _fill(r["detail"], group)
        urgency, must_report = strongest(detect_urgency(county=county, text=text))
        household = Household.objects.filter(group=group).order_by("pk").first()
        case, created = case_register(
            actor=None,
            node=group,
            channel=rng.choice([Channel.HOTLINE, Channel.HOME_VISIT, Channel.WALK_IN]),
            nature=Nature.HELP,
            urgency=urgency or Urgency.NORMAL,
            must_report=must_report or "",
            original_text=text,
            title=r["title"],
            reporter_name=household.head_name if household else "群众",
            households=[household] if household else [],
            category=roots[r["label"]],
            reported_at=now - dt.timedelta(days=rng.randint(30, 180)),
            idempotency_key=f"demo-history-{county.code}-{r['id']}",
        )
        if not created:
            continue
        category_confirm(case=case, category=case.category, actor=clerk)
        handler = User.objects.filter(unit=unit, is_active=True).order_by("pk").first()
        steps = [
            ("assign", {"unit": unit, "note": "请按职责办理"}),
            ("accept", {}),
            ("start", {}),
            ("resolve", {"answer": "已按职责办理完毕，并向反映人说明情况。"}),
            ("answer", {"answer_method": "phone"}),
            ("rate", {"rating": rng.choice(["satisfied"] * 4 + ["basically"])}),
            ("close", {}),
        ]
        for action, extra in steps:
            case = case_transition(case=case, action=action, actor=handler, **extra)  # type: ignore[arg-type]
        made += 1
    return made
