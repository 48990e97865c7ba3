"""The in-process index behind "similar matters" (相似事项), one per county and worker.

Why this design
---------------
The lookup must answer while a clerk types (≤ 50 ms with 100,000 open matters) on SQLite
and on PostgreSQL, and neither database can rank Chinese text by similarity for us
(FTS5 trigram and pg_trgm find substrings, they do not weigh them; zhparser is not
available). So each worker process keeps, per county, an inverted index in memory:

* **Terms** are character bigrams of the NFKC-normalised, lower-cased text (runs of letters,
  digits and CJK characters; punctuation breaks a run). Most Chinese words are two
  characters, bigrams need no dictionary and no segmentation at build time, and they match
  a half-typed sentence as well as a finished one. A bigram is packed into one int64
  (two 21-bit code points), so the vocabulary is a sorted numpy array, not a dict of
  strings (≈ 8 bytes a term).
* **Weights** are TF-IDF (1 + log tf) · idf, each document L2-normalised, so a dot product
  is the cosine similarity in [0, 1]. The IDF is frozen when the index is built; terms
  first seen afterwards get the largest IDF. IDF of 100,000 documents barely moves with a
  few thousand more, and a rebuild (every REBUILD_AFTER seconds, in a thread) refreshes it.
* **Postings** are a scipy CSR matrix terms × documents (float32 weights, int32 document
  numbers). A query touches only the rows of its own bigrams (at most MAX_QUERY_GRAMS, the
  most specific ones), so the cost is the length of those posting lists, not the corpus.
* **Changes** go to a small delta segment. Every lookup first asks the database for the
  county's rows with ``updated_at >= high water`` (every write of a case goes through
  ``Case.save()``, whose ``auto_now`` moves ``updated_at``; usually this returns nothing).
  A changed row is marked dead in its old place and, if it is still a candidate, re-added
  to the delta. A case registered in worker A is therefore found by worker B on its next
  lookup, and a case merged or closed in A drops out of B's answers. Every SWEEP_SECONDS
  a lookup also reads (id, updated_at) of the last SKEW (5 minutes) before the high water
  and re-reads rows it has not seen: a transaction that committed after a later-stamped
  one, or a worker whose clock runs a little behind, is picked up within that time.
  When the delta outgrows FOLD_AT rows it is folded into the base (sparse stack, no
  re-tokenising). These queries want an index on ``cases_case.updated_at``; without it
  the database scans the county's rows on every lookup.
* **Candidates**: open matters (OPEN_STATUSES) and matters resolved, answered, rated or
  closed within the county's ``similar_recent_days``; merged matters never. The time
  window is checked per lookup, so a matter ages out without any write.

The index only proposes; the caller re-reads the proposals through
``Case.objects.for_user(user)`` with the candidate condition, so scope and status are
decided by the database, never by a stale copy.

Building: the first lookup in a worker builds synchronously when the county has at most
SYNC_BUILD_LIMIT candidates (milliseconds to a second); larger counties build in a daemon
thread while lookups fall back to a bounded database query (same village or household,
ranked by the same cosine). ``warm()`` builds every county up front (e.g. from a gunicorn
``post_fork`` hook). Nothing is shared between workers, so nothing needs a lock across them.
Writes that bypass ``Case.save()`` (``QuerySet.update``, raw SQL) are seen at the next
rebuild; the database re-check keeps them from showing a wrong status meanwhile.

Measured (bench/similar_bench.py, 2 cores, 100,241 candidate matters in one county):
build 2.3–2.4 s on SQLite and PostgreSQL; the index's arrays take 30 MiB, a worker's RSS
grows by ≈ 40 MiB, with a transient peak of ≈ 245 MiB while building; a lookup takes
5–7 ms (median, county or township user) including the refresh and the scoped re-read —
38 ms (SQLite) and 51 ms (PostgreSQL) without the ``updated_at`` index.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import logging
import math
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from django.db import close_old_connections, connection
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from minqing.cases.models import Case
from minqing.cases.workflow import OPEN_STATUSES, Status

log = logging.getLogger(__name__)

MAX_CHARS = 400  # a matter's first 400 characters carry it; longer texts only add noise
MAX_QUERY_GRAMS = 48  # the most specific bigrams of a long query bound its cost
SKEW = dt.timedelta(minutes=5)
SWEEP_SECONDS = 30.0
FOLD_AT = 5000
REBUILD_AFTER = 6 * 3600.0
SYNC_BUILD_LIMIT = 20000
_SHIFT = 21  # Unicode code points fit in 21 bits
_KEY_MASK = (1 << 42) - 1

DONE_STATUSES = frozenset({Status.RESOLVED, Status.ANSWERED, Status.RATED, Status.CLOSED})
_OPEN = frozenset(str(s) for s in OPEN_STATUSES)
_DONE = frozenset(str(s) for s in DONE_STATUSES)


# --- text → bigram keys -------------------------------------------------------------------


def clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text)[:MAX_CHARS].lower()


def case_text(title: str, original_text: str) -> str:
    """What a case is compared by: the resident's words, and the summary when staff wrote
    one of their own (the default summary is the first 60 characters of the words)."""
    title, original_text = title.strip(), original_text.strip()
    if not title or original_text.startswith(title):
        return original_text
    return f"{title}。{original_text}"


def gram_counts(text: str) -> Counter[int]:
    counts: Counter[int] = Counter()
    prev = -1
    for ch in clean(text):
        if ch.isalnum():
            code = ord(ch)
            if prev >= 0:
                counts[(prev << _SHIFT) | code] += 1
            prev = code
        else:
            prev = -1
    return counts


_BMP_WORDY: np.ndarray | None = None


def _wordy(codes: np.ndarray) -> np.ndarray:
    """Which code points are letters or digits (CJK included), as a boolean array."""
    global _BMP_WORDY
    if _BMP_WORDY is None:
        _BMP_WORDY = np.fromiter((chr(c).isalnum() for c in range(0x10000)), bool, 0x10000)
    out = _BMP_WORDY[np.minimum(codes, 0xFFFF)]
    beyond = codes > 0xFFFF
    if beyond.any():  # rare: CJK extension B and beyond
        out[beyond] = [chr(c).isalnum() for c in codes[beyond].tolist()]
    return out


def _doc_grams(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(document number, bigram key, count) for every distinct bigram of every text,
    sorted by document then key — vectorised, about a second for 100,000 short texts."""
    cleaned = [clean(t) for t in texts]
    joined = "\x00".join(cleaned) + "\x00"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    is_word = _wordy(codes)
    valid = np.flatnonzero(is_word[:-1] & is_word[1:])
    del is_word
    lengths = np.fromiter((len(t) + 1 for t in cleaned), np.int64, len(cleaned))
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    doc = np.searchsorted(starts, valid, side="right") - 1
    keys = (codes[valid].astype(np.int64) << _SHIFT) | codes[valid + 1]
    pairs, counts = np.unique((doc.astype(np.int64) << 42) | keys, return_counts=True)
    return pairs >> 42, pairs & _KEY_MASK, counts


# --- rows ------------------------------------------------------------------------------------

_FIELDS = (
    "id", "updated_at", "status", "node_id", "township_id", "village_id", "unit_id", "done",
    "title", "original_text",
)  # fmt: skip


def _rows(qs: QuerySet[Case]) -> QuerySet[Case]:
    """A finished matter's date: closed, else answered, else resolved (that order is also
    the order in which they happen, so the first one set is the latest)."""
    return qs.annotate(
        done=Coalesce("closed_at", "answered_at", "resolved_at", F("updated_at"))
    ).values_list(*_FIELDS)


def candidate_q(cutoff: dt.datetime) -> Q:
    """Open matters, and finished ones whose last step was after `cutoff`."""
    return Q(status__in=OPEN_STATUSES) | Q(status__in=DONE_STATUSES) & (
        Q(closed_at__gte=cutoff) | Q(answered_at__gte=cutoff) | Q(resolved_at__gte=cutoff)
    )


def _done_ts(status: str, done: dt.datetime | None) -> float | None:
    """+inf for an open matter, the finishing time for a finished one, None otherwise."""
    if status in _OPEN:
        return math.inf
    if status in _DONE and done is not None:
        return done.timestamp()
    return None


@dataclass
class _Meta:
    """Per-document columns, aligned with the postings' document numbers."""

    case_id: np.ndarray  # int64
    node_id: np.ndarray  # int64, 0 = none
    township_id: np.ndarray
    village_id: np.ndarray
    unit_id: np.ndarray
    done_ts: np.ndarray  # float64, +inf = open
    version: np.ndarray  # float64, updated_at

    @classmethod
    def from_rows(cls, rows: Sequence[tuple]) -> _Meta:
        def ints(i: int) -> np.ndarray:
            return np.fromiter((r[i] or 0 for r in rows), np.int64, len(rows))

        return cls(
            case_id=ints(0),
            node_id=ints(3),
            township_id=ints(4),
            village_id=ints(5),
            unit_id=ints(6),
            done_ts=np.fromiter(
                (_done_ts(r[2], r[7]) or -math.inf for r in rows), np.float64, len(rows)
            ),
            version=np.fromiter((r[1].timestamp() for r in rows), np.float64, len(rows)),
        )

    def take(self, rows: np.ndarray) -> _Meta:
        return _Meta(**{name: getattr(self, name)[rows] for name in self.__dataclass_fields__})

    @classmethod
    def concat(cls, parts: Iterable[_Meta]) -> _Meta:
        parts = list(parts)
        return cls(
            **{
                name: np.concatenate([getattr(p, name) for p in parts])
                for name in cls.__dataclass_fields__
            }
        )


@dataclass
class Query:
    cols: np.ndarray  # int64 term columns
    weights: np.ndarray  # float32, the query vector's entries (L2-normalised over all terms)


# Ranking. A matter's score combines its text cosine s with place and household signals b
# as 1 − (1 − s)(1 − b): it stays in [0, 1], never falls below the text score, and the same
# well in the same village outranks an equally worded matter elsewhere, while a
# near-identical text from another village still ranks high on its own.
MIN_TEXT = 0.15  # below this cosine the texts share little more than common words
# In the same village a lower bar suffices: the place corroborates the words ("那口水井…
# 水泵坏了" from the next group is the same well as "一组的水井抽水泵坏了").
MIN_TEXT_SAME_VILLAGE = 0.08
SAME_HOUSEHOLD = 0.5  # shown even with little text in common
SAME_VILLAGE = 0.25
SAME_TOWNSHIP = 0.1


@dataclass(frozen=True)
class SearchRequest:
    cutoff: float  # finished matters count only if finished after this (epoch seconds)
    scope: tuple[str, int] | None  # (_Meta column, value) the user's scope; None = county
    township_id: int = 0  # the new matter's place, for the place boost
    village_id: int = 0
    exclude: int = 0
    household_cases: frozenset[int] = frozenset()
    k: int = 20
    # Also propose the best unscoped matters (the database decides): a department sees
    # matters it held before, which the index cannot tell from the current unit.
    wide: bool = False


@dataclass(frozen=True)
class Hit:
    case_id: int
    score: float
    text_score: float
    same_household: bool
    same_village: bool


def rank(
    scores: np.ndarray,
    meta: _Meta,
    alive: np.ndarray,
    request: SearchRequest,
    household_rows: Sequence[int | None] = (),
) -> list[Hit]:
    n = len(scores)
    usable = alive & (meta.done_ts >= request.cutoff)
    if request.exclude:
        usable &= meta.case_id != request.exclude
    household = np.zeros(n, bool)
    household[[r for r in household_rows if r is not None]] = True
    same_village = (
        meta.village_id == request.village_id if request.village_id else np.zeros(n, bool)
    )
    same_township = (
        meta.township_id == request.township_id if request.township_id else np.zeros(n, bool)
    )
    place = np.where(same_village, SAME_VILLAGE, np.where(same_township, SAME_TOWNSHIP, 0.0))
    boost = 1 - (1 - place) * (1 - np.where(household, SAME_HOUSEHOLD, 0.0))
    final = 1 - (1 - scores) * (1 - boost)
    eligible = usable & (
        (scores >= MIN_TEXT) | household | (same_village & (scores >= MIN_TEXT_SAME_VILLAGE))
    )
    scoped = eligible
    if request.scope is not None:
        column, value = request.scope
        scoped = eligible & (getattr(meta, column) == value)
    picked = _top(final, np.flatnonzero(scoped), request.k)
    if request.wide and request.scope is not None:
        more = _top(final, np.flatnonzero(eligible & ~scoped), request.k)
        picked = np.concatenate([picked, more])
    picked = picked[np.argsort(-final[picked], kind="stable")]
    return [
        Hit(
            case_id=int(meta.case_id[i]),
            score=float(min(final[i], 1.0)),
            text_score=float(scores[i]),
            same_household=bool(household[i]),
            same_village=bool(same_village[i]),
        )
        for i in picked
    ]


def _top(values: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    if len(rows) > k:
        rows = rows[np.argpartition(-values[rows], k)[:k]]
    return rows


class CountyIndex:
    """Postings and columns of one county's candidates, plus the refresh bookkeeping."""

    def __init__(self, county_id: int, recent_days: int) -> None:
        self.county_id = county_id
        self.recent_days = recent_days
        self.lock = threading.Lock()
        self.built_at = 0.0
        self.build_seconds = 0.0
        self.high_water: dt.datetime | None = None
        self.refreshes = 0
        self.swept_at = time.monotonic()
        # Versions of rows refreshed lately, candidates or not (a merged matter is not in
        # the index, but must not be fetched again on every sweep).
        self.seen: dict[int, float] = {}
        # Vocabulary: sorted base keys and their IDF; keys first seen later get columns after.
        self.vocab = np.zeros(0, np.int64)
        self.idf = np.zeros(0, np.float32)
        self.extra: dict[int, int] = {}
        self.n_docs = 0
        # Base segment (immutable once built, except its `alive` flags).
        self.base = sp.csr_matrix((0, 0), dtype=np.float32)
        self.base_meta = _Meta.from_rows([])
        self.base_alive = np.zeros(0, bool)
        # Delta segment: case id → (columns, weights, row) — rebuilt into a matrix on change.
        self.delta_docs: dict[int, tuple[np.ndarray, np.ndarray, tuple]] = {}
        self.delta_rows: dict[int, int] = {}
        self.delta = sp.csr_matrix((0, 0), dtype=np.float32)
        self.delta_meta = _Meta.from_rows([])
        self.meta = self.base_meta
        self.alive = self.base_alive

    # --- building ---

    def build(self) -> CountyIndex:
        started = time.perf_counter()
        now = timezone.now()
        cutoff = now - dt.timedelta(days=self.recent_days)
        qs = Case.objects.filter(county_id=self.county_id).filter(candidate_q(cutoff))
        rows = list(_rows(qs).order_by("id"))
        self._build_base(rows)
        del rows
        _release_memory()
        self.high_water = now  # rows committed while we read are re-read by the refresh
        self.built_at = time.time()
        self.build_seconds = time.perf_counter() - started
        return self

    def _build_base(self, rows: Sequence[tuple]) -> None:
        n = len(rows)
        doc, keys, counts = _doc_grams([case_text(r[8], r[9]) for r in rows])
        vocab, cols = np.unique(keys, return_inverse=True)
        df = np.bincount(cols, minlength=len(vocab))
        self.n_docs = n
        self.idf = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
        self.vocab = vocab
        self.extra = {}
        weights = (1 + np.log(counts)).astype(np.float32) * self.idf[cols]
        norms = np.sqrt(np.bincount(doc, weights=weights.astype(np.float64) ** 2, minlength=n))
        weights /= np.maximum(norms[doc], 1e-9).astype(np.float32)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(doc, minlength=n))])
        docs_terms = sp.csr_matrix(
            (weights, cols.astype(np.int32), indptr), shape=(n, len(vocab)), dtype=np.float32
        )
        self.base = _transpose(docs_terms)
        self.base_meta = _Meta.from_rows(rows)
        self.base_alive = np.ones(n, bool)
        self.delta_docs = {}
        self._rebuild_delta()

    @property
    def max_idf(self) -> float:
        return float(math.log(1 + self.n_docs) + 1)

    # --- vectors ---

    def _cols(self, keys: np.ndarray, grow: bool) -> np.ndarray:
        """Columns of bigram keys; -1 for unknown ones unless `grow` gives them one."""
        if len(self.vocab):
            pos = np.searchsorted(self.vocab, keys)
            found = self.vocab[np.minimum(pos, len(self.vocab) - 1)] == keys
            cols = np.where(found, pos, -1)
        else:
            found = np.zeros(len(keys), bool)
            cols = np.full(len(keys), -1, np.int64)
        for i in np.flatnonzero(~found):
            key = int(keys[i])
            col = self.extra.get(key)
            if col is None and grow:
                col = self.extra[key] = len(self.vocab) + len(self.extra)
            cols[i] = -1 if col is None else col
        return cols

    def _idf_of(self, cols: np.ndarray) -> np.ndarray:
        known = (cols >= 0) & (cols < len(self.idf))
        out = np.full(len(cols), self.max_idf, np.float32)
        out[known] = self.idf[cols[known]]
        return out

    def _vector(self, counts: Counter[int], grow: bool) -> tuple[np.ndarray, np.ndarray]:
        if not counts:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        keys = np.fromiter(counts.keys(), np.int64, len(counts))
        tf = np.fromiter(counts.values(), np.float32, len(counts))
        cols = self._cols(keys, grow)
        weights = (1 + np.log(tf)) * self._idf_of(cols)
        weights /= max(float(np.sqrt((weights.astype(np.float64) ** 2).sum())), 1e-9)
        return cols, weights.astype(np.float32)

    def query(self, text: str) -> Query:
        cols, weights = self._vector(gram_counts(text), grow=False)
        known = cols >= 0  # unknown bigrams still count in the norm above, as they should
        cols, weights = cols[known], weights[known]
        if len(cols) > MAX_QUERY_GRAMS:
            keep = np.argsort(-weights, kind="stable")[:MAX_QUERY_GRAMS]
            cols, weights = cols[keep], weights[keep]
        return Query(cols, weights)

    def idf_of_gram(self, gram: str) -> float:
        if len(gram) != 2:
            return self.max_idf
        key = (ord(gram[0]) << _SHIFT) | ord(gram[1])
        return float(self._idf_of(self._cols(np.array([key], np.int64), grow=False))[0])

    # --- scoring ---

    def scores(self, query: Query) -> np.ndarray:
        """Cosine of the query with every document (base, then delta)."""
        out = []
        for matrix in (self.base, self.delta):
            n = matrix.shape[1]
            sel = query.cols < matrix.shape[0]
            if not sel.any() or n == 0:
                out.append(np.zeros(n, np.float32))
                continue
            sub = matrix[query.cols[sel]]
            out.append(np.asarray(sub.T @ query.weights[sel], dtype=np.float32).ravel())
        return np.concatenate(out)

    def row_of(self, case_id: int) -> int | None:
        """The live document number of a case (base rows first, then the delta)."""
        if case_id in self.delta_rows:
            return len(self.base_alive) + self.delta_rows[case_id]
        row = self._base_row(case_id)
        return row if row is not None and self.base_alive[row] else None

    def search(self, text: str, request: SearchRequest) -> list[Hit]:
        with self.lock:
            query = self.query(text)
            scores = self.scores(query)
            household_rows = [self.row_of(c) for c in request.household_cases]
            return rank(scores, self.meta, self.alive, request, household_rows)

    # --- refreshing ---

    def refresh(self, *, sweep: bool | None = None) -> int:
        """Apply the county's rows written since the high-water mark; every SWEEP_SECONDS
        (or when `sweep`) also look SKEW back for rows that committed late. Returns the
        number of rows whose state in the index changed."""
        assert self.high_water is not None
        # No ordering: the default one (-created_at) would steer the planner off the
        # updated_at index.
        qs = Case.objects.filter(county_id=self.county_id).order_by()
        rows = list(_rows(qs.filter(updated_at__gte=self.high_water)))
        if sweep or (sweep is None and time.monotonic() - self.swept_at > SWEEP_SECONDS):
            # Only (id, updated_at) for the window; full rows just for what we have not seen.
            since = self.high_water - SKEW
            window = qs.filter(updated_at__gte=since, updated_at__lt=self.high_water)
            late = [
                pk
                for pk, updated in window.values_list("id", "updated_at")
                if not self._seen(pk, updated.timestamp())
            ]
            if late:
                rows += list(_rows(qs.filter(pk__in=late[:5000])))
            cut = since.timestamp()
            self.seen = {pk: ts for pk, ts in self.seen.items() if ts >= cut}
            self.swept_at = time.monotonic()
        self.refreshes += 1
        cutoff = (timezone.now() - dt.timedelta(days=self.recent_days)).timestamp()
        changed = 0
        for row in rows:
            self.high_water = max(self.high_water, row[1])
            if self._seen(row[0], row[1].timestamp()):
                continue
            self.seen[row[0]] = row[1].timestamp()
            if self._apply(row, cutoff):
                changed += 1
        if changed:
            if len(self.delta_docs) > FOLD_AT:
                self._fold()
            else:
                self._rebuild_delta()
        return changed

    def _seen(self, case_id: int, version: float) -> bool:
        return self.seen.get(case_id) == version or self._version_of(case_id) == version

    def _version_of(self, case_id: int) -> float | None:
        if case_id in self.delta_docs:
            return float(self.delta_docs[case_id][2][1].timestamp())
        row = self._base_row(case_id)
        if row is None or not self.base_alive[row]:
            return None
        return float(self.base_meta.version[row])

    def _base_row(self, case_id: int) -> int | None:
        ids = self.base_meta.case_id
        pos = int(np.searchsorted(ids, case_id))
        return pos if pos < len(ids) and ids[pos] == case_id else None

    def _apply(self, row: tuple, cutoff: float) -> bool:
        case_id = row[0]
        base_row = self._base_row(case_id)
        was_alive = base_row is not None and bool(self.base_alive[base_row])
        if was_alive:
            self.base_alive[base_row] = False
        done = _done_ts(row[2], row[7])
        if done is None or done < cutoff:
            return self.delta_docs.pop(case_id, None) is not None or was_alive
        cols, weights = self._vector(gram_counts(case_text(row[8], row[9])), grow=True)
        self.delta_docs[case_id] = (cols.astype(np.int32), weights, row)
        return True

    def _rebuild_delta(self) -> None:
        docs = list(self.delta_docs.values())
        n_terms = len(self.vocab) + len(self.extra)
        indptr = np.concatenate([[0], np.cumsum([len(d[0]) for d in docs])]).astype(np.int64)
        cols = np.concatenate([d[0] for d in docs]) if docs else np.zeros(0, np.int32)
        data = np.concatenate([d[1] for d in docs]) if docs else np.zeros(0, np.float32)
        docs_terms = sp.csr_matrix((data, cols, indptr), shape=(len(docs), n_terms))
        docs_terms.sort_indices()
        self.delta = _transpose(docs_terms)
        self.delta_meta = _Meta.from_rows([d[2] for d in docs])
        self.delta_rows = {case_id: i for i, case_id in enumerate(self.delta_docs)}
        self.meta = _Meta.concat([self.base_meta, self.delta_meta])
        self.alive = np.concatenate([self.base_alive, np.ones(len(docs), bool)])

    def _fold(self) -> None:
        """Move the delta into the base: keep live base rows, append the delta, re-sort by
        case id. The IDF stays as built; new terms keep their columns."""
        n_terms = len(self.vocab) + len(self.extra)
        keep = np.flatnonzero(self.base_alive)
        base_docs = _transpose(self.base)[keep]
        base_docs.resize((len(keep), n_terms))
        self._rebuild_delta()
        delta_docs = _transpose(self.delta)
        delta_docs.resize((delta_docs.shape[0], n_terms))
        stacked = sp.vstack([base_docs, delta_docs], format="csr")
        meta = _Meta.concat([self.base_meta.take(keep), self.delta_meta])
        order = np.argsort(meta.case_id, kind="stable")
        self.base = _transpose(stacked[order])
        self.base_meta = meta.take(order)
        self.base_alive = np.ones(len(order), bool)
        # Terms first seen in the delta keep their columns: `vocab` holds the base keys and
        # `extra` the columns after them, in the base matrix now as in the delta before.
        self.delta_docs = {}
        self._rebuild_delta()

    # --- numbers for the bench ---

    def memory_bytes(self) -> int:
        total = 0
        for matrix in (self.base, self.delta):
            total += matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes
        for meta in (self.base_meta, self.delta_meta, self.meta):
            total += sum(getattr(meta, k).nbytes for k in _Meta.__dataclass_fields__)
        return total + self.vocab.nbytes + self.idf.nbytes + self.base_alive.nbytes

    def __len__(self) -> int:
        return int(self.alive.sum())

    def contains(self, case_id: int) -> bool:
        return self._version_of(case_id) is not None


def _release_memory() -> None:
    """Hand the build's temporary memory (≈ 250 MB at 100,000 matters) back to the system:
    glibc keeps freed small blocks in its arenas otherwise, and a worker's RSS would stay
    at its peak. Elsewhere (musl, macOS) this is a no-op."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):
        pass


def _transpose(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """CSR a × b → CSR b × a without densifying (CSC of the one is CSR of the other)."""
    csc = matrix.tocsc()
    return sp.csr_matrix((csc.data, csc.indices, csc.indptr), shape=matrix.shape[::-1])


# --- the per-process registry -----------------------------------------------------------------

_indexes: dict[int, CountyIndex] = {}
_building: set[int] = set()
_registry_lock = threading.Lock()


def reset() -> None:
    """Forget every index (tests; a worker after a database restore)."""
    with _registry_lock:
        _indexes.clear()
        _building.clear()


def _count_candidates(county_id: int, recent_days: int) -> int:
    cutoff = timezone.now() - dt.timedelta(days=recent_days)
    return Case.objects.filter(county_id=county_id).filter(candidate_q(cutoff)).count()


def index_for(county_id: int, recent_days: int) -> CountyIndex | None:
    """The county's fresh index, or None while a large county builds in the background."""
    index = _indexes.get(county_id)
    if index is not None and index.recent_days < recent_days:
        index = None  # the window grew: older finished matters are not in this index
    if index is None:
        with _registry_lock:
            if county_id in _building:
                return None
            if _count_candidates(county_id, recent_days) > SYNC_BUILD_LIMIT:
                _start_build(county_id, recent_days)
                return None
            index = _indexes[county_id] = CountyIndex(county_id, recent_days).build()
    index.recent_days = recent_days
    with index.lock:
        index.refresh()
    if time.time() - index.built_at > REBUILD_AFTER:
        with _registry_lock:
            if county_id not in _building:
                _start_build(county_id, recent_days)  # keep serving this one meanwhile
    return index


def _start_build(county_id: int, recent_days: int) -> None:
    _building.add(county_id)
    thread = threading.Thread(
        target=_build_in_thread, args=(county_id, recent_days), daemon=True, name="similar-index"
    )
    thread.start()


def _build_in_thread(county_id: int, recent_days: int) -> None:
    try:
        close_old_connections()
        index = CountyIndex(county_id, recent_days).build()
        with _registry_lock:
            _indexes[county_id] = index
        log.info(
            "similar-matter index for county %s: %d matters in %.1f s",
            county_id, index.n_docs, index.build_seconds,
        )  # fmt: skip
    except Exception:  # a failed build leaves the fallback in place; the next lookup retries
        log.exception("similar-matter index build failed for county %s", county_id)
    finally:
        with _registry_lock:
            _building.discard(county_id)
        connection.close()


def warm() -> list[CountyIndex]:
    """Build every county's index now (call at worker start, before the first request)."""
    from minqing.org.models import Level, Node

    built = []
    for county_id, days in Node.objects.filter(level=Level.COUNTY).values_list(
        "id", "insight_rules__similar_recent_days"
    ):
        index = CountyIndex(county_id, days or 90).build()
        with _registry_lock:
            _indexes[county_id] = index
        built.append(index)
    return built
