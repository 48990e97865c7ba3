"""What the intake form and the case page learn from a matter's words: the county's
category suggestions (with the words that drove them), the routing suggestion (level and
department), urgency / 十必报 flags and similar matters in the user's scope.

Everything here is a read, cheap enough to run as the clerk types (htmx, debounced).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from minqing.cases.models import Case, Category, MustReport, Urgency
from minqing.cases.routing import center_for, station_for
from minqing.org.models import PATH_WIDTH, Level, Node, Unit, User
from minqing.textanalysis import model_store
from minqing.textanalysis.models import ModelKind, TextModel
from minqing.textanalysis.rules import county_of
from minqing.textanalysis.services import category_confirm
from minqing.textanalysis.similarity import SimilarMatch, similar_matters
from minqing.textanalysis.training import DEPT_PREFIX, TOWNSHIP, VILLAGE, place_tokens
from minqing.textanalysis.urgency import UrgencyFlag, detect_urgency

MIN_CHARS = 4  # fewer characters say nothing yet; the panel stays quiet
LEVEL_LABELS = {
    VILLAGE: _("村(社区)办理"),
    TOWNSHIP: _("乡镇(街道)办理"),
    "department": _("县直部门办理"),
}


@dataclass(frozen=True)
class CategoryHint:
    category: Category
    confidence: float

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)


@dataclass(frozen=True)
class RoutingHint:
    level: str
    confidence: float
    unit: Unit | None  # the unit that would take it for this place, when known
    model: TextModel

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS[self.level])

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)


@dataclass(frozen=True)
class FlagHint:
    """An urgency / 十必报 flag with its labels for display."""

    urgency: str
    must_report: str
    reason: str
    phrases: list[str]
    source: str

    @classmethod
    def of(cls, flag: UrgencyFlag) -> FlagHint:
        return cls(flag.urgency, flag.must_report, flag.reason, list(flag.phrases), flag.source)

    @property
    def urgency_label(self) -> str:
        return str(Urgency(self.urgency).label)

    @property
    def must_report_label(self) -> str:
        return str(MustReport(self.must_report).label) if self.must_report else ""


@dataclass
class IntakeInsight:
    categories: list[CategoryHint] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)
    category_model: TextModel | None = None
    routing: RoutingHint | None = None
    flags: list[FlagHint] = field(default_factory=list)
    similar: list[SimilarMatch] = field(default_factory=list)
    highlighted: SafeString = field(default_factory=lambda: mark_safe(""))

    @property
    def empty(self) -> bool:
        return not (self.categories or self.routing or self.flags or self.similar)


def highlight(text: str, words: list[str]) -> SafeString:
    """The text, escaped, with each word wrapped in <mark> (longest match first)."""
    terms = sorted({w for w in words if w.strip()}, key=len, reverse=True)
    if not terms:
        return mark_safe(escape(text))  # noqa: S308 — escaped just here
    pattern = re.compile("|".join(re.escape(t) for t in terms))
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[last : m.start()]))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 — every piece escaped above


def _categories(
    county_id: int, title: str, text: str
) -> tuple[list[CategoryHint], list[str], TextModel | None]:
    loaded = model_store.active_model(county_id, ModelKind.CATEGORY)
    if loaded is None:
        return [], [], None
    row, model = loaded
    prediction = model.predict(title, text, k=3)
    roots = {
        c.code: c for c in Category.objects.filter(county_id=county_id, parent=None, active=True)
    }
    hints = [
        CategoryHint(roots[s.label], s.confidence)
        for s in prediction.suggestions
        if s.label in roots
    ]
    return hints, prediction.cues, row


def _routing(county_id: int, title: str, text: str, node: Node | None) -> RoutingHint | None:
    loaded = model_store.active_model(county_id, ModelKind.ROUTING)
    if loaded is None:
        return None
    row, model = loaded
    P = model.probabilities([title], [text], [place_tokens(node)])[0]
    by_level: dict[str, float] = defaultdict(float)
    best_dept, best_p = "", 0.0
    for label, p in zip(model.labels, P, strict=True):
        level = "department" if label.startswith(DEPT_PREFIX) else label
        by_level[level] += float(p)
        if level == "department" and p > best_p:
            best_dept, best_p = label, float(p)
    level = max(by_level, key=by_level.__getitem__)
    unit: Unit | None = None
    if level == "department":
        unit = Unit.objects.filter(pk=int(best_dept.removeprefix(DEPT_PREFIX))).first()
    elif node is not None:
        unit = station_for(node) if level == VILLAGE else center_for(node)
    return RoutingHint(level, by_level[level], unit, row)


# The learned model flags a matter only when it is fairly sure and the word lists did not
# already say as much: it catches what no listed word names ("房子裂了好宽的缝").
LEARNED_URGENCY_MIN = 0.6


def _learned_urgency(
    county_id: int, title: str, text: str, flags: list[FlagHint]
) -> list[FlagHint]:
    loaded = model_store.active_model(county_id, ModelKind.URGENCY)
    if loaded is None:
        return []
    _row, model = loaded
    prediction = model.predict(title, text, k=1)
    top = prediction.suggestions[0]
    if top.label == Urgency.NORMAL or top.confidence < LEARNED_URGENCY_MIN:
        return []
    if any(f.urgency == top.label for f in flags):
        return []
    reason = _("与以往被定为“%(u)s”的事项相似，请核实是否需要立即处置。") % {
        "u": Urgency(top.label).label
    }
    return [FlagHint(top.label, "", str(reason), prediction.cues[:3], str(_("模型")))]


def intake_insight(
    user: User,
    *,
    title: str,
    text: str,
    node: Node | None,
    households: list[int] | None = None,
    exclude: int | None = None,
) -> IntakeInsight:
    words = f"{title}\n{text}".strip()
    if len(words) < MIN_CHARS:
        return IntakeInsight()
    county_id = _county_id(user, node)
    insight = IntakeInsight()
    if county_id is not None:
        insight.categories, insight.cues, insight.category_model = _categories(
            county_id, title, text
        )
        insight.routing = _routing(county_id, title, text, node)
        county = Node.objects.get(pk=county_id)
        insight.flags = [FlagHint.of(f) for f in detect_urgency(county=county, text=words)]
        insight.flags += _learned_urgency(county_id, title, text, insight.flags)
    insight.similar = similar_matters(
        user, text=words, node=node, households=households or (), exclude=exclude
    )
    marked = [*insight.cues, *(p for f in insight.flags for p in f.phrases)]
    insight.highlighted = highlight(text or title, marked)
    return insight


def _county_id(user: User, node: Node | None) -> int | None:
    place = node if node is not None else user.node
    if place is None or len(place.path) < PATH_WIDTH[Level.COUNTY]:
        return None
    return county_of(place).pk


def case_insight(user: User, case: Case) -> IntakeInsight:
    return intake_insight(
        user,
        title=case.title,
        text=case.original_text,
        node=case.node,
        households=list(case.households.values_list("pk", flat=True)),
        exclude=case.pk,
    )


def confirm_from_form(request: HttpRequest, case: Case) -> None:
    """Keep the category staff chose as training data, with what had been suggested."""
    model_id = request.POST.get("insight_model", "")
    category_confirm(
        case=case,
        category=case.category,
        actor=request.user,  # type: ignore[arg-type]
        suggested_code=request.POST.get("insight_suggested", "")[:40],
        model_id=int(model_id) if model_id.isdigit() else None,
    )
