"""Keyword trends (关键词趋势): the words residents' matters mention most in a place and
period, how that changed against the previous period, and the monthly trend of the top
words — for the analysis meeting (民情分析会) and the quarterly report.

A keyword's count is the number of matters whose summary or text mentions it (a matter that
says "路灯" five times counts once); words are read from the summary and the first
DETAIL_CHARS characters of the text, as for hot spots. Matters belong to the month they
were reported in (local time), whatever became of them since, merged ones included: ten
households reporting the same well are ten mentions of it.

Segmenting is the cost (jieba reads a few hundred thousand characters a second: a
county-year of 20,000 real hotline messages takes 10–20 s), so it is done once per matter
and kept:

- the words of each matter, in one bundle per county and month, valid while the matter's
  `updated_at` is unchanged (a new or edited matter is segmented alone, not its month);
- each place's counts per month, under a key that carries a fingerprint of that month's
  matters there (how many, their latest `updated_at`, the sum of their ids) and of the
  county's custom words, so an unchanged month costs one aggregate query for all months.

Both live in the "keywords" cache when the deployment configures one, otherwise in files
under MINQING_VAR_DIR (see `_store`). The county's stop words are applied when counts are
read, so editing them takes effect at once without recounting. `warm_keyword_counts`
counts a county's last 13 months ahead of time (for a nightly task), so that no page has to.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.filebased import FileBasedCache
from django.db.models import Case as DbCase
from django.db.models import Count, IntegerField, Max, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.cases.models import Case
from minqing.org.models import Level, Node
from minqing.textanalysis.models import InsightRules
from minqing.textanalysis.rules import insight_rules_for
from minqing.textanalysis.segment import Segmenter, segmenter_from

MONTH, QUARTER = "month", "quarter"
# Bump when segmentation changes (segment.STOP_WORDS, filters): cached counts go stale.
TOKENIZER_VERSION = 1
CACHE_SECONDS = 30 * 24 * 3600
# Words are read from a matter's summary and the start of its text, like the hot spots: the
# topic is there, the rest is narrative (and segmenting it would double the cost).
DETAIL_CHARS = 240
TOP_CHOICES = (5, 10, 20, 30)
SPAN_CHOICES = (6, 12)
RISING_SHOWN = 5


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, 1)


@dataclass(frozen=True)
class Period:
    """A calendar month or quarter."""

    kind: str  # MONTH | QUARTER
    start: dt.date  # its first day

    @classmethod
    def of(cls, kind: str, day: dt.date) -> Period:
        if kind == QUARTER:
            return cls(QUARTER, dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1))
        return cls(MONTH, day.replace(day=1))

    @classmethod
    def parse(cls, value: str, today: dt.date) -> Period:
        """ "2025-03" (a month), "2025-Q1" (a quarter), "month"/"quarter" (the current one);
        anything else, or a future period, is the current month."""
        value = (value or "").strip().upper()
        if value in (MONTH.upper(), QUARTER.upper()):
            return cls.of(value.lower(), today)
        try:
            year_text, _sep, rest = value.partition("-")
            year = int(year_text)
            if rest.startswith("Q"):
                quarter = int(rest[1:])
                if not 1 <= quarter <= 4:
                    raise ValueError(value)
                period = cls(QUARTER, dt.date(year, quarter * 3 - 2, 1))
            else:
                period = cls(MONTH, dt.date(year, int(rest), 1))
        except ValueError:
            return cls.of(MONTH, today)
        if period.start > today or year < 2000:
            return cls.of(period.kind, today)
        return period

    @property
    def length(self) -> int:
        return 3 if self.kind == QUARTER else 1

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        return _add_months(self.start, self.length)

    @property
    def months(self) -> list[dt.date]:
        return [_add_months(self.start, i) for i in range(self.length)]

    @property
    def value(self) -> str:
        if self.kind == QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        if self.kind == QUARTER:
            return _("%(year)d年第%(q)d季度") % {
                "year": self.start.year,
                "q": (self.start.month - 1) // 3 + 1,
            }
        return _("%(year)d年%(month)d月") % {"year": self.start.year, "month": self.start.month}

    def previous(self) -> Period:
        return Period(self.kind, _add_months(self.start, -self.length))

    def recent(self, n: int) -> list[Period]:
        """This period and the n-1 before it, newest first."""
        out, period = [], self
        for _i in range(n):
            out.append(period)
            period = period.previous()
        return out


@dataclass(frozen=True)
class KeywordRow:
    rank: int
    word: str
    count: int  # matters of the period mentioning the word
    previous: int  # … of the previous period
    share: float  # percent of the period's matters
    series: tuple[int, ...]  # per month of the trend

    @property
    def delta(self) -> int:
        return self.count - self.previous

    @property
    def change(self) -> str:
        if self.previous == 0:
            return "new"
        return "up" if self.delta > 0 else "down" if self.delta < 0 else "same"

    @property
    def change_label(self) -> str:
        return {
            "new": _("新出现"),
            "up": _("上升"),
            "down": _("下降"),
            "same": _("持平"),
        }[self.change]


@dataclass
class KeywordTrends:
    scope: Node
    period: Period
    matters: int  # in the period
    previous_matters: int
    rows: list[KeywordRow]
    rising: list[KeywordRow]  # largest increases outside the top rows
    months: list[dt.date]  # of the trend, oldest first
    month_matters: list[int]
    segmented_months: int = 0  # months counted afresh (not from the cache) for this answer
    segmented_matters: int = 0

    def chart(self) -> dict[str, object]:
        """What static/js/keyword-chart.js draws."""
        return {
            "months": [f"{m:%Y-%m}" for m in self.months],
            "matters": self.month_matters,
            "series": [{"name": r.word, "data": list(r.series)} for r in self.rows],
            "labels": {"matters": _("事项总数")},
        }

    def table_rows(self) -> Iterable[list[object]]:
        """The export's rows: the ranking with the monthly trend of each word."""
        for r in self.rows:
            yield [
                self.scope.name, self.period.label, r.rank, r.word, r.count, r.previous,
                r.delta, r.change_label, round(r.share, 1), *r.series,
            ]  # fmt: skip

    def table_header(self) -> list[str]:
        return [
            _("范围"), _("期间"), _("排名"), _("关键词"), _("本期事项数"), _("上期事项数"),
            _("增减"), _("变化"), _("占本期事项(%)"), *(f"{m:%Y-%m}" for m in self.months),
        ]  # fmt: skip


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _fingerprints(cases: QuerySet[Case], months: Sequence[dt.date]) -> dict[dt.date, tuple]:
    """(count, latest update, id sum) of the matters of each month, in one grouped scan. The
    month is a CASE over the month boundaries (native comparisons): a date function per
    row would run in Python on SQLite."""
    wanted = set(months)
    months = [_add_months(months[0], i) for i in range(_month_span(months[0], months[-1]))]
    bounds = [_aware(_add_months(m, 1)) for m in months]
    bucket = DbCase(
        *(When(reported_at__lt=bound, then=Value(i)) for i, bound in enumerate(bounds)),
        output_field=IntegerField(),
    )
    rows = (
        cases.filter(reported_at__gte=_aware(months[0]), reported_at__lt=bounds[-1])
        .annotate(bucket=bucket)
        .order_by()
        .values("bucket")
        .annotate(n=Count("id"), last=Max("updated_at"), ids=Sum("id"))
    )
    found = {months[r["bucket"]]: (r["n"], r["last"], r["ids"] or 0) for r in rows}
    return {m: fp for m, fp in found.items() if m in wanted}


def _month_span(first: dt.date, last: dt.date) -> int:
    """How many months from `first` to `last`, both included."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _store() -> BaseCache:
    """Where counts and segmented words are kept: the "keywords" cache if the deployment
    configures one, otherwise files under MINQING_VAR_DIR — shared by the web workers and
    the task worker and kept across restarts, which a per-process memory cache is not."""
    global _file_store
    if "keywords" in settings.CACHES:
        return caches["keywords"]
    if _file_store is None:
        _file_store = FileBasedCache(
            str(Path(settings.VAR_DIR) / "cache" / "keywords"),
            {"TIMEOUT": CACHE_SECONDS, "OPTIONS": {"MAX_ENTRIES": 50_000}},
        )
    return _file_store


_file_store: BaseCache | None = None


def _text(title: str, description: str) -> str:
    # The title is usually the start of the text; reading it twice would only cost time.
    head = description[:DETAIL_CHARS]
    return head if description.startswith(title) else f"{title}\n{head}"


def _segment_month(
    *,
    cases: QuerySet[Case],
    county_id: int,
    words_sig: str,
    month: dt.date,
    rows: list[tuple[int, float]],
    segmenter: Segmenter,
    store: BaseCache,
) -> tuple[Counter[str], int]:
    """Keyword counts of the given matters (id, updated_at stamp) of one month, from the
    county-month bundle of segmented matters; matters new or changed since are segmented
    now and the bundle saved again. Returns the counts and how many were segmented."""
    key = f"minqing:kwb:{TOKENIZER_VERSION}:{county_id}:{words_sig}:{month:%Y%m}"
    bundle: dict[int, tuple[float, tuple[str, ...]]] = store.get(key) or {}
    stale = [cid for cid, stamp in rows if bundle.get(cid, (None,))[0] != stamp]
    stamps = dict(rows)
    for chunk in range(0, len(stale), 900):
        ids = stale[chunk : chunk + 900]
        found = cases.filter(pk__in=ids).values_list("pk", "title", "description", "reporter_name")
        for cid, title, description, reporter in found:
            words = set(segmenter.tokens(_text(title, description)))
            # The reporter's own name is no topic (and no business of a keyword list).
            words.discard(reporter)
            # Interned, so a pickled bundle stores each word once.
            bundle[cid] = (stamps[cid], tuple(sorted(sys.intern(w) for w in words)))
    if stale:
        store.set(key, bundle, CACHE_SECONDS)
    counter: Counter[str] = Counter()
    for cid, _stamp in rows:
        counter.update(bundle[cid][1])
    return counter, len(stale)


def month_counts(
    *,
    cases: QuerySet[Case],
    scope: Node,
    months: Sequence[dt.date],
    rules: InsightRules | None = None,
) -> tuple[dict[dt.date, Counter[str]], dict[dt.date, int], int, int]:
    """Per month: keyword → matters mentioning it, and the number of matters. Also how many
    months had to be counted again and how many matters segmented. `cases` are the scope's
    matters; the scope's county must own them all."""
    months = sorted(set(months))
    rules = rules or insight_rules_for(scope)
    words_sig = hashlib.sha256("\n".join(sorted(rules.custom_word_list())).encode())
    sig = words_sig.hexdigest()[:12]
    store = _store()
    fingerprints = _fingerprints(cases, months)
    keys = {m: _counts_key(scope, sig, m, fp) for m, fp in fingerprints.items()}
    cached = store.get_many(list(keys.values())) if keys else {}
    counts: dict[dt.date, Counter[str]] = {}
    missing = []
    for month in months:
        key = keys.get(month)
        if key is None:
            counts[month] = Counter()
        elif key in cached:
            counts[month] = cached[key]
        else:
            missing.append(month)
    segmented = 0
    if missing:
        segmenter = segmenter_from(rules, county_stop_words=False)
        county_id = rules.county_id
        by_month: dict[dt.date, list[tuple[int, float]]] = {m: [] for m in missing}
        rows = cases.filter(
            reported_at__gte=_aware(missing[0]),
            reported_at__lt=_aware(_add_months(missing[-1], 1)),
        ).values_list("pk", "updated_at", "reported_at")
        for cid, updated, reported in rows.iterator(chunk_size=5000):
            month = _month_of(reported)
            if month in by_month:
                by_month[month].append((cid, updated.timestamp()))
        fresh = {}
        for month in missing:
            counts[month], n = _segment_month(
                cases=cases, county_id=county_id, words_sig=sig, month=month,
                rows=by_month[month], segmenter=segmenter, store=store,
            )  # fmt: skip
            segmented += n
            fresh[keys[month]] = counts[month]
        store.set_many(fresh, CACHE_SECONDS)
    totals = {m: fingerprints[m][0] if m in fingerprints else 0 for m in months}
    return counts, totals, len(missing), segmented


def _month_of(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date().replace(day=1)


def _counts_key(scope: Node, words: str, month: dt.date, fingerprint: tuple) -> str:
    n, last, ids = fingerprint
    stamp = f"{last.timestamp():.6f}" if last else "-"
    return f"minqing:kw:{TOKENIZER_VERSION}:{scope.pk}:{words}:{month:%Y%m}:{n}:{stamp}:{ids}"


def keyword_trends(
    *, cases: QuerySet[Case], scope: Node, period: Period, top: int = 10, span: int = 12
) -> KeywordTrends:
    """The top `top` keywords of the period in the scope, against the previous period, with
    their monthly counts over the `span` months ending with the period."""
    last_month = period.months[-1]
    trend = [_add_months(last_month, -i) for i in range(span - 1, -1, -1)]
    previous = period.previous()
    needed = set(trend) | set(period.months) | set(previous.months)
    rules = insight_rules_for(scope)
    counts, totals, segmented_months, segmented = month_counts(
        cases=cases, scope=scope, months=sorted(needed), rules=rules
    )
    stop = set(rules.stop_word_list())

    def total(months: Iterable[dt.date]) -> Counter[str]:
        out: Counter[str] = Counter()
        for m in months:
            out.update(counts[m])
        return out

    now, before = total(period.months), total(previous.months)
    for word in stop:
        now.pop(word, None)
    matters = sum(totals[m] for m in period.months)
    previous_matters = sum(totals[m] for m in previous.months)
    ranked = sorted(now.items(), key=lambda kv: (-kv[1], kv[0]))

    def row(rank: int, word: str, count: int) -> KeywordRow:
        return KeywordRow(
            rank=rank,
            word=word,
            count=count,
            previous=before.get(word, 0),
            share=100.0 * count / matters if matters else 0.0,
            series=tuple(counts[m].get(word, 0) for m in trend),
        )

    rows = [row(i + 1, w, n) for i, (w, n) in enumerate(ranked[:top])]
    shown = {r.word for r in rows}
    # 苗头: words that grew most since the previous period, even if not (yet) at the top.
    growing = sorted(
        (
            (n - before.get(w, 0), n, w)
            for w, n in ranked[top:]
            if n >= 2 and n > before.get(w, 0) and w not in shown
        ),
        key=lambda t: (-t[0], -t[1], t[2]),
    )
    rank_of = {w: i + 1 for i, (w, _n) in enumerate(ranked)}
    rising = [row(rank_of[w], w, n) for _d, n, w in growing[:RISING_SHOWN]]
    return KeywordTrends(
        scope=scope,
        period=period,
        matters=matters,
        previous_matters=previous_matters,
        rows=rows,
        rising=rising,
        months=trend,
        month_matters=[totals[m] for m in trend],
        segmented_months=segmented_months,
        segmented_matters=segmented,
    )


def warm_keyword_counts(*, county: Node, months: int = 13, today: dt.date | None = None) -> int:
    """Count the county's last `months` months for the county and for each township ahead
    of time (a nightly task), so that no page waits for segmenting. Returns how many
    matters had to be segmented."""
    last = (today or timezone.localdate()).replace(day=1)
    span = [_add_months(last, -i) for i in range(months - 1, -1, -1)]
    rules = insight_rules_for(county)
    segmented = month_counts(
        cases=Case.objects.filter(county=county), scope=county, months=span, rules=rules
    )[3]
    for township in Node.objects.filter(parent=county, level=Level.TOWNSHIP):
        segmented += month_counts(
            cases=Case.objects.filter(township=township), scope=township, months=span, rules=rules
        )[3]
    return segmented
