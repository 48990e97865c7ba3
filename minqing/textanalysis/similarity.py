"""Similar and duplicate matters (相似事项): at intake and on every case page, the matters
inside the user's scope that look like this one, for merging (并单) instead of duplicating.

`similar_matters` asks the county's in-process index (similar_index.py, where the design
is explained) for proposals ranked by text cosine, place and household, then re-reads them
through `Case.objects.for_user(user)` with the candidate condition (open, or finished within
the county's `similar_recent_days`): scope and status are decided by the database on every
call, never by the index's copy.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from minqing.cases.models import Case
from minqing.org.models import Level, Node, User
from minqing.org.roles import Role
from minqing.org.scoping import user_scope_path
from minqing.textanalysis import similar_index
from minqing.textanalysis.similar_index import (
    CountyIndex,
    Hit,
    SearchRequest,
    candidate_q,
    case_text,
    clean,
)

DEFAULT_RECENT_DAYS = 90
MAX_SHARED = 6
FALLBACK_ROWS = 300  # while a large county's index builds: the newest matters nearby
# With this many matters, a bigram found in more than about 10 % of them names no
# particular matter (希望, 问题, 尽快): it is not offered as a shared word on its own, and a
# matter that shares nothing else (nor a household) is not shown at all.
COMMON_MIN_DOCS = 200
COMMON_IDF = 3.3  # = ln(1 / 10 %) + 1, the smoothed IDF of a bigram in 10 % of matters


@dataclass(frozen=True)
class SimilarMatch:
    case: Case
    score: float  # 0–1
    shared: list[str] = field(default_factory=list)  # longest / most specific first
    same_household: bool = False
    same_village: bool = False

    @property
    def percent(self) -> int:
        return round(100 * self.score)

    @property
    def marked_title(self) -> SafeString:
        return mark(self.case.title, self.shared)

    @property
    def shows_text(self) -> bool:
        """Whether the resident's words say more than the title already shows."""
        return self.case.original_text.strip() != self.case.title.strip()

    @property
    def marked_text(self) -> SafeString:
        """The resident's words around the first shared word, shared words in <mark>."""
        return mark(_snippet(self.case.original_text, self.shared), self.shared)


def similar_matters(
    user: User,
    *,
    text: str,
    node: Node | None = None,
    households: Sequence[int] = (),
    exclude: int | None = None,
    limit: int = 5,
) -> list[SimilarMatch]:
    """The user's in-scope open and recently finished matters most like `text` (typed at
    intake, or an existing case's words), best first; `node` and `households` are the new
    matter's place and households, which raise the score of matters sharing them."""
    path = user_scope_path(user)
    text = (text or "").strip()
    households = [int(h) for h in households]
    if path is None or limit <= 0 or not (text or households):
        return []
    county = (
        Node.objects.filter(path=path[:6], level=Level.COUNTY)
        .values_list("id", "insight_rules__similar_recent_days")
        .first()
    )
    if county is None:
        return []
    county_id, days = county[0], county[1] or DEFAULT_RECENT_DAYS
    cutoff = timezone.now() - dt.timedelta(days=days)
    township_id, village_id = _place_ids(node)
    request = SearchRequest(
        cutoff=cutoff.timestamp(),
        scope=_scope(user),
        township_id=township_id,
        village_id=village_id,
        exclude=exclude or 0,
        household_cases=_household_cases(households),
        k=max(4 * limit, 20),
        wide=user.role == Role.DEPT_HANDLER,
    )
    index = similar_index.index_for(county_id, days)
    if index is None:
        index = _fallback_index(user, county_id, days, cutoff, request)
    hits = index.search(text, request)
    return _confirmed(user, hits, text, cutoff, exclude, limit, index)


def similar_to_case(user: User, case: Case, *, limit: int = 5) -> list[SimilarMatch]:
    """The case page's card: matters like this one, this one excluded."""
    return similar_matters(
        user,
        text=case_text(case.title, case.original_text),
        node=case.node,
        households=list(case.households.values_list("pk", flat=True)),
        exclude=case.pk,
        limit=limit,
    )


def _scope(user: User) -> tuple[str, int] | None:
    """The index column that mirrors `Case.objects.for_user` (which has the last word)."""
    if user.role == Role.DEPT_HANDLER:
        return ("unit_id", user.unit_id or -1)
    node = user.node
    column = {Level.TOWNSHIP: "township_id", Level.VILLAGE: "village_id"}
    if node.level == Level.COUNTY:
        return None
    return (column.get(node.level, "node_id"), node.pk)


def _place_ids(node: Node | None) -> tuple[int, int]:
    """(township id, village id) of the new matter's place; 0 where it has none."""
    if node is None:
        return 0, 0
    if node.level == Level.TOWNSHIP:
        return node.pk, 0
    if node.level == Level.VILLAGE:
        return node.parent_id or 0, node.pk
    if node.level == Level.GROUP:
        if Node.parent.is_cached(node):
            return node.parent.parent_id or 0, node.parent_id or 0  # type: ignore[union-attr]
        township = Node.objects.filter(pk=node.parent_id).values_list("parent_id", flat=True)
        return township.first() or 0, node.parent_id or 0
    return 0, 0


def _household_cases(households: Sequence[int]) -> frozenset[int]:
    if not households:
        return frozenset()
    through = Case.households.through
    ids = through.objects.filter(household_id__in=households).values_list("case_id", flat=True)
    return frozenset(ids[:500])


def _fallback_index(
    user: User, county_id: int, days: int, cutoff: dt.datetime, request: SearchRequest
) -> CountyIndex:
    """While a large county's index builds: the newest candidates of the same village (or
    township) and households, ranked the same way. Bounded, so it stays fast."""
    near = Q()  # no place given: the newest matters in the user's scope
    if request.village_id:
        near = Q(village_id=request.village_id)
    elif request.township_id:
        near = Q(township_id=request.township_id)
    if near and request.household_cases:
        near |= Q(pk__in=request.household_cases)
    qs = (
        Case.objects.for_user(user)
        .filter(county_id=county_id)
        .filter(candidate_q(cutoff))
        .filter(near)
        .order_by("-id")
    )
    rows = list(similar_index._rows(qs)[:FALLBACK_ROWS])
    index = CountyIndex(county_id, days)
    index._build_base(sorted(rows, key=lambda row: row[0]))
    return index


def _confirmed(
    user: User,
    hits: list[Hit],
    text: str,
    cutoff: dt.datetime,
    exclude: int | None,
    limit: int,
    index: CountyIndex,
) -> list[SimilarMatch]:
    if not hits:
        return []
    qs = (
        Case.objects.for_user(user)
        .filter(pk__in=[h.case_id for h in hits])
        .filter(candidate_q(cutoff))
        .select_related("node__parent__parent")
    )
    if exclude:
        qs = qs.exclude(pk=exclude)
    cases = {c.pk: c for c in qs}
    idf = functools.cache(index.idf_of_gram) if index.n_docs >= COMMON_MIN_DOCS else None
    out = []
    for hit in hits:
        case = cases.get(hit.case_id)
        if case is None:
            continue
        shared = shared_words(text, case_text(case.title, case.original_text), idf)
        if not shared and not hit.same_household:
            continue  # only common words in common: 希望尽快处理 is no duplicate
        out.append(
            SimilarMatch(
                case=case,
                score=round(hit.score, 4),
                shared=shared,
                same_household=hit.same_household,
                same_village=hit.same_village,
            )
        )
        if len(out) == limit:
            break
    return out


# --- the words two texts share ----------------------------------------------------------------


def shared_words(
    query: str, other: str, idf: Callable[[str], float] | None = None, limit: int = MAX_SHARED
) -> list[str]:
    """The stretches of `query` that also occur in `other` (two characters or more),
    longest and most specific first. With `idf`, a stretch made only of very common
    bigrams is left out."""
    q, o = clean(query), clean(other)
    in_other = {o[i : i + 2] for i in range(len(o) - 1)}

    def shared_at(i: int) -> bool:
        gram = q[i : i + 2]
        return len(gram) == 2 and gram.isalnum() and gram in in_other

    pieces: list[str] = []
    i = 0
    while i < len(q) - 1:
        if not shared_at(i):
            i += 1
            continue
        j = i
        while shared_at(j + 1):
            j += 1
        pieces.extend(_occurring(q[i : j + 2], o))
        i = j + 1
    if idf is not None:
        pieces = [p for p in pieces if max(map(idf, _bigrams(p))) >= COMMON_IDF]

    def specificity(piece: str) -> tuple[int, float]:
        weight = sum(map(idf, _bigrams(piece))) if idf else 0.0
        return (-len(piece), -weight)

    out: list[str] = []
    for piece in sorted(dict.fromkeys(pieces), key=specificity):
        if not any(piece in kept for kept in out):
            out.append(piece)
        if len(out) == limit:
            break
    return out


def _bigrams(piece: str) -> list[str]:
    return [piece[k : k + 2] for k in range(len(piece) - 1)]


def _occurring(run: str, other: str) -> list[str]:
    """Split a run of shared bigrams into the longest pieces that occur whole in `other`."""
    pieces = []
    start = 0
    while start < len(run) - 1:
        end = len(run)
        while end - start > 2 and run[start:end] not in other:
            end -= 1
        if run[start:end] in other:
            pieces.append(run[start:end])
        start = end - 1 if end - start > 2 else start + 1
    return pieces


def mark(text: str, words: Sequence[str]) -> SafeString:
    """`text`, HTML-escaped, with every occurrence of `words` wrapped in <mark>."""
    if not words:
        return escape(text)
    pattern = re.compile(
        "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE
    )
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 — every piece above is escaped


def _snippet(text: str, words: Sequence[str], width: int = 90) -> str:
    """About `width` characters of `text`, starting a little before the first shared word."""
    if len(text) <= width:
        return text
    lowered = text.lower()
    found = [p for p in (lowered.find(w.lower()) for w in words) if p >= 0]
    start = max(min(found) - 15, 0) if found else 0
    snippet = text[start : start + width]
    return ("…" if start else "") + snippet + ("…" if start + width < len(text) else "")
