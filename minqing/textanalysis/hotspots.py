"""Hot spots (热点): matters about one topic, in one place, within one time window — and how
hot each is. Pure Python (no Django): the daily job and `textanalysis hotspots` share it.

1. **Keywords.** jieba words of title + text (`jieba_words`: `classifier.words` without the
   HMM; the county's custom words are added to jieba first), minus the stop list (built-in
   STOP_WORDS + the county's), numbers, Latin codes ("A3区") and one-character words.
   Title words count twice.
2. **Topics.** Each matter keeps its KEYWORDS_PER_MATTER strongest TF-IDF words (sublinear
   tf, smoothed idf over the matters analysed; words seen once cannot link two matters and
   are dropped, and so are words in more than MAX_DF of them once there are MAX_DF_FROM
   matters). Matters whose two strongest words agree form seeds; one agglomerative pass
   over the seeds, biggest first, puts each seed into the most similar topic already open
   (cosine with the topic's centroid ≥ SIMILARITY, among topics sharing a word) or opens a
   new one.
3. **Windows.** Window 0 is the `window_days` days ending on `as_of` (default: the last day
   in the data), window 1 the days before it, and so on. A topic's matters in window k
   are a candidate; its matters in window k + 1 are the "previous window" for growth.
4. **Place.** The candidate is placed at the lowest common ancestor of its matters, read
   top-down (county → township → village; a matter's place is a tuple of keys from the top,
   the fourth being its group if known). At each node: if the topic recurs (≥ RECUR_MIN
   matters) in two or more children, the node is the place and takes the candidate's
   matters there (a well problem in three villages is the township's) — except that a
   place below it with a surge is split off and placed on its own, so a surge in one
   village is not drowned in a topic common across the county. A surge: at least
   CONCENTRATION times the place's expected count (its share of the window's other
   matters there) and unlikely by chance (Poisson tail < SURGE_P / the number of places
   of its level tested).
   Otherwise each child with at least `min_cases` matters is examined the same way,
   matters registered at the node itself form a candidate of their own, and the stray rest
   is dropped. Villages are the lowest place (MAX_DEPTH). Without places (a bare message
   file) the place is (). A placed candidate with at least `min_cases` matters is a hot
   spot.
5. **Heat** of a hot spot with n matters from h households in p places one level below its
   own (groups of a village, villages of a township, …; a matter without a household counts
   as its own household), s supporters (附议) and n_prev matters of the topic in the same
   place in the previous window::

       base   = h + W_REPEAT·(n − h) + W_SPREAD·(p − 1) + W_SUPPORT·log2(1 + s)
       growth = (n − n_prev) / max(n_prev, 1)
       heat   = base · (1 + W_GROWTH · clamp(growth, −1, GROWTH_CAP))

   e.g. 7 matters from 7 households in 4 groups of one village, none in the previous
   window: base = 7 + 0 + 1.5 + 0 = 8.5, growth = 7 → capped at 2, heat = 8.5 · 2 = 17.
   The same 7 matters after 7 in the previous window: growth 0, heat 8.5. The smallest
   hot spot (3 new matters, 3 households, 2 groups) has heat (3 + 0.5) · 2 = 7: watched,
   below the default alert threshold of 10. Growth is treated as 0 when the previous
   window starts before the data does (`known_from`).
   The weights are module constants, not county settings: the county tunes the window,
   the minimum size and the alert threshold (InsightRules), which is what it can judge.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field

# Topic clustering.
KEYWORDS_PER_MATTER = 8
SIMILARITY = 0.3  # chosen on the real message file: 0.25 starts to mix topics
CENTROID_TERMS = 24
INDEX_TERMS = 6  # a topic is found through its strongest words only (keeps the pass fast)
MAX_DF = 0.25
MAX_DF_FROM = 200
DETAIL_CHARS = 240  # the topic is in the title and the first lines; the rest is narrative
# Place.
RECUR_MIN = 2
CONCENTRATION = 2.0  # a surge holds at least twice its place's share …
SURGE_P = 0.05  # … and is that unlikely by chance (Poisson tail)
MAX_DEPTH = 3  # (county, township, village)
# Heat.
W_REPEAT = 0.5  # a household writing again counts half
W_SPREAD = 0.5  # each further place
W_SUPPORT = 1.0  # per doubling of supporters
W_GROWTH = 0.5
GROWTH_CAP = 2.0
# Label: the third keyword joins the label when it weighs at least this share of the first.
LABEL_THIRD = 0.4
N_KEYWORDS = 8

STOP_WORDS = frozenset(
    """
    一个 一些 一直 一下 一样 一起 一定 一次 一旦 一般 万一 上述 下面 不会 不能 不是 不要 不过 不少
    与其 之前 之后 之间 也是 也有 也不 了解 什么 今年 今天 他们 以上 以下 以及 以后 以前 任何 但是
    何时 作为 你们 使用 依然 便于 保证 倘若 值得 偶尔 先后 全部 其中 其他 其它 再次 出现 分别 则是
    到底 前往 前面 十分 即使 却是 原因 去年 只是 只有 只能 可是 可以 可能 各位 各种 同时 同样 否则
    告知 周边 咨询 因为 因此 在于 多次 多年 大家 如下 如今 如何 如果 始终 实际 实在 对于 尊敬 尽快
    已经 并且 并未 应该 开始 当时 当地 得到 总是 您好 感谢 我们 我家 或是 或者 所以 所有 所在 所谓
    按照 据说 接到 提出 搞得 无法 是不是 是否 显示 有关 有些 本人 本来 来说 根本 正在 每天 每次 比如
    没有 然后 然而 特别 现在 现已 现象 目前 直接 相关 相应 看到 真的 知道 确实 离开 立即 经常 结果
    而且 而是 自己 至今 虽然 许多 请问 谢谢 负责 还是 还有 这个 这么 这些 这里 这样 这种 进行 造成
    那个 那么 那些 里面 问题 非常 领导 麻烦 导致 希望 要求 请求 恳请 反映 投诉 举报 建议 情况 处理
    解决 政府 部门 有关部门 相关部门 工作 人员 工作人员 群众 居民 村民 市民 老百姓 百姓 我们 大家
    严重 影响 存在 需要 能否 能够 为何 为什么 怎么 怎么办 多久 何时 已于 及时 尽早 早日 迟迟 一直
    回复 答复 落实 关注 重视 帮助 帮忙 协调 核实 调查 检查 查处 整改 规定 政策 办理 申请 情况下
    上午 下午 晚上 中午 早上 凌晨 时候 时间 日期 每年 每月 今日 昨天 明天 最近 近期 近日 前天 后来
    本村 村里 村委 村委会 社区 小组 一组 二组 三组 四组 五组 六组 七组 八组 九组 十组 组里 家里 家中
    地方 附近 周围 旁边 路口 门口 东西 事情 事项 方面 方式 办法 全村 全组 老人 孩子 家庭
    不敢 不了 不到 不够 不上 不好 不行 没人 没人管 人管 好多 很多 很大 很久 太多 太大 有点 一点
    几个 几天 几年 半个 星期 多月 多天 多年 两年 十几天 好几天 一个多月 个多月 好长时间 长时间
    看看 一下 派人 关心 盼望 麻烦 感觉 觉得 认为 表示 出来 起来 下来 过来 回来 上去 进去 那里
    有人 别人 人家 大家伙 有时 有时候 越来越 一点点 好像 可能是
    """.split()
)

_CODE = re.compile(r"[A-Za-z0-9０-９.．%％]+")
_ORDINAL = re.compile(r"^[第一二三四五六七八九十百零两\d]+[组号楼栋层户个次年月日天号期条件元]?$")


@dataclass(frozen=True)
class Record:
    """One matter. `place` is a tuple of node keys from the top (county, township, village,
    group), as long as known; `household` "" means the matter is its own household."""

    id: Hashable
    day: dt.date
    title: str
    text: str = ""
    place: tuple[str, ...] = ()
    household: str = ""
    support: int = 0


@dataclass
class HotCluster:
    topic: str
    keywords: list[str]
    place: tuple[str, ...]
    window_start: dt.date
    window_end: dt.date
    members: list[Hashable]
    count: int
    households: int
    places: int
    previous_count: int
    growth: float
    support: int
    heat: float
    parts: dict[str, float]  # the terms of the heat formula, for the breakdown on the page
    series: list[tuple[dt.date, int]]  # daily counts over the previous window + this one
    previous_known: bool = True
    signature: str = ""
    topic_id: int = -1  # which topic of this run (the same topic in other windows/places)

    @property
    def level(self) -> int:
        """How deep the place is: 0 none, 1 county, 2 township, 3 village."""
        return len(self.place)


# ---------------------------------------------------------------------------- keywords


def keyword_tokens(
    text: str, tokenize: Callable[[str], list[str]], stop: frozenset[str] | set[str]
) -> list[str]:
    out = []
    for w in tokenize(text):
        w = w.strip()
        if len(w) < 2 or w in stop or _CODE.search(w) or _ORDINAL.match(w):
            continue
        out.append(w)
    return out


_PUNCT = re.compile(r"[\W_]+")


def jieba_words(text: str) -> list[str]:
    """`classifier.words` without jieba's HMM guesser: for topics, the HMM's invented words
    ("水有", "村烧") make poor labels and no better clusters, and it costs half the time.
    Unknown words fall apart into single characters, which the filter drops; a county's
    place names and local terms stay whole through its custom words."""
    from minqing.textanalysis.classifier import words

    words("")  # initialises jieba once, quietly
    import jieba

    return [w for w in jieba.lcut(text, HMM=False) if w.strip() and not _PUNCT.fullmatch(w)]


def _default_tokenizer() -> Callable[[str], list[str]]:
    return jieba_words


_PLACE_SUFFIX = re.compile(r"(街道办事处|街道|社区|居委会|村委会|村民小组|村|镇|乡|网格|小组|组)$")


def place_stripper(names: Iterable[str]) -> Callable[[str], str] | None:
    """A function that blanks the county's place names (and their short forms, "春晖社区" →
    "春晖") out of a text: otherwise every matter of a village would share its name as a
    "topic" word. None when there are no names."""
    found: set[str] = set()
    for name in names:
        name = name.strip()
        if len(name) >= 2:
            found.add(name)
            short = _PLACE_SUFFIX.sub("", name)
            if len(short) >= 2:
                found.add(short)
    if not found:
        return None
    pattern = re.compile("|".join(re.escape(n) for n in sorted(found, key=len, reverse=True)))
    return lambda text: pattern.sub(" ", text)


def load_custom_words(custom_words: Iterable[str]) -> None:
    """Teach jieba the county's own words (place names, local terms) so they stay whole."""
    custom = [w.strip() for w in custom_words if w.strip()]
    if not custom:
        return
    from minqing.textanalysis.classifier import words

    words("")  # initialises jieba once
    import jieba

    for w in custom:
        jieba.add_word(w, freq=None)


def _term_counts(
    records: Sequence[Record], tokenize: Callable[[str], list[str]], stop: frozenset[str]
) -> list[Counter[str]]:
    cache: dict[tuple[str, str], Counter[str]] = {}
    out = []
    for r in records:
        key = (r.title, r.text[:DETAIL_CHARS])
        counts = cache.get(key)
        if counts is None:
            counts = Counter(keyword_tokens(r.title, tokenize, stop))
            for w in list(counts):
                counts[w] *= 2  # title words count twice
            counts.update(keyword_tokens(r.text[:DETAIL_CHARS], tokenize, stop))
            cache[key] = counts
        out.append(counts)
    return out


def _vectors(term_counts: Sequence[Counter[str]]) -> list[dict[str, float]]:
    n = len(term_counts)
    df: Counter[str] = Counter()
    for counts in term_counts:
        df.update(counts.keys())
    too_common = MAX_DF * n if n >= MAX_DF_FROM else n + 1
    idf = {w: math.log((1 + n) / (1 + d)) + 1 for w, d in df.items() if 2 <= d <= too_common}
    cache: dict[int, dict[str, float]] = {}
    vectors = []
    for counts in term_counts:
        known = cache.get(id(counts))
        if known is None:
            weights = {w: (1 + math.log(c)) * idf[w] for w, c in counts.items() if w in idf}
            top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:KEYWORDS_PER_MATTER]
            norm = math.sqrt(sum(v * v for _, v in top)) or 1.0
            known = {w: v / norm for w, v in top}
            cache[id(counts)] = known
        vectors.append(known)
    return vectors


# ------------------------------------------------------------------------------ topics


@dataclass
class _Topic:
    centroid: dict[str, float] = field(default_factory=dict)
    norm: float = 0.0
    members: list[int] = field(default_factory=list)
    indexed: tuple[str, ...] = ()

    def add(self, vector: dict[str, float], weight: int) -> None:
        c = self.centroid
        for w, v in vector.items():
            c[w] = c.get(w, 0.0) + v * weight
        if len(c) > 2 * CENTROID_TERMS:
            keep = sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:CENTROID_TERMS]
            self.centroid = c = dict(keep)
        self.norm = math.sqrt(sum(v * v for v in c.values())) or 1.0

    def strongest(self, k: int) -> tuple[str, ...]:
        return tuple(
            w for w, _ in sorted(self.centroid.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
        )


def cluster_topics(
    vectors: Sequence[dict[str, float]], similarity: float = SIMILARITY
) -> list[list[int]]:
    """Indices of the matters of each topic (matters without keywords join none)."""
    seeds: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, v in enumerate(vectors):
        if v:
            seeds[tuple(sorted(list(v)[:2]))].append(i)
    seed_vectors: list[tuple[list[int], dict[str, float]]] = []
    for members in seeds.values():
        summed: dict[str, float] = defaultdict(float)
        for i in members:
            for w, x in vectors[i].items():
                summed[w] += x
        norm = math.sqrt(sum(x * x for x in summed.values())) or 1.0
        seed_vectors.append((members, {w: x / norm for w, x in summed.items()}))
    # Biggest seeds first, so a common topic forms before its stragglers arrive; ties by
    # the first member keep the result independent of dict order.
    seed_vectors.sort(key=lambda s: (-len(s[0]), s[0][0]))
    topics: list[_Topic] = []
    index: dict[str, set[int]] = defaultdict(set)
    for members, vector in seed_vectors:
        best, best_score = -1, similarity
        candidates: set[int] = set()
        for w in vector:
            candidates |= index.get(w, set())
        for t in candidates:
            topic = topics[t]
            c = topic.centroid
            score = sum(x * c.get(w, 0.0) for w, x in vector.items()) / topic.norm
            if score >= best_score and (score > best_score or best < 0 or t < best):
                best, best_score = t, score
        if best < 0:
            topics.append(_Topic())
            best = len(topics) - 1
        topic = topics[best]
        topic.members.extend(members)
        topic.add(vector, len(members))
        strongest = topic.strongest(INDEX_TERMS)
        if strongest != topic.indexed:
            for w in topic.indexed:
                index[w].discard(best)
            for w in strongest:
                index[w].add(best)
            topic.indexed = strongest
    return [sorted(t.members) for t in topics]


# ------------------------------------------------------------------------------- place


def _split_by_place(
    members: list[int],
    records: Sequence[Record],
    prefix: tuple[str, ...],
    min_cases: int,
    load: Counter[tuple[str, ...]],
) -> list[tuple[tuple[str, ...], list[int]]]:
    """Place the matters of one topic in one window (module docstring, step 4)."""
    depth = len(prefix)
    if depth >= MAX_DEPTH:
        return [(prefix, members)] if len(members) >= min_cases else []
    children: dict[str | None, list[int]] = defaultdict(list)
    for i in members:
        place = records[i].place
        children[place[depth] if len(place) > depth else None].append(i)
    direct = children.pop(None, [])
    if not children:
        return [(prefix, direct)] if len(direct) >= min_cases else []
    recurring = [c for c, ms in children.items() if len(ms) >= RECUR_MIN]
    if len(recurring) >= 2:
        picked = _outstanding(members, records, prefix, min_cases, load)
        if not picked:
            return [(prefix, members)] if len(members) >= min_cases else []
        taken = {i for _, ms in picked for i in ms}
        out = [s for p, ms in picked for s in _split_by_place(ms, records, p, min_cases, load)]
        rest = [i for i in members if i not in taken]
        return out + _split_by_place(rest, records, prefix, min_cases, load)
    out: list[tuple[tuple[str, ...], list[int]]] = []
    for child in sorted(children, key=str):
        ms = children[child]
        if len(ms) >= min_cases:
            out.extend(_split_by_place(ms, records, (*prefix, child), min_cases, load))
    if len(direct) >= min_cases:
        out.append((prefix, direct))
    return out


def _outstanding(
    members: list[int],
    records: Sequence[Record],
    prefix: tuple[str, ...],
    min_cases: int,
    load: Counter[tuple[str, ...]],
) -> list[tuple[tuple[str, ...], list[int]]]:
    """Places below `prefix` with a surge of the topic (module docstring, step 4).

    A place's expected count is the candidate's size times the place's share of the
    window's *other* matters under `prefix` (add-one smoothed over the places of its level,
    so a village with no other matters is not infinitely concentrated). A surge has at
    least `min_cases` matters, at least CONCENTRATION times the expected count, and a
    Poisson tail probability below SURGE_P divided by the number of places of its level
    under `prefix`. Shallowest first; none inside another."""
    depth = len(prefix)
    below: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i in members:
        place = records[i].place
        for d in range(depth + 1, min(len(place), MAX_DEPTH) + 1):
            below[place[:d]].append(i)
    other_total = load.get(prefix, 0) - len(members)
    places_at = Counter(len(p) for p in load if len(p) > depth and p[:depth] == prefix)
    picked: list[tuple[tuple[str, ...], list[int]]] = []
    for p in sorted(below, key=lambda p: (len(p), p)):
        ms = below[p]
        if len(ms) < min_cases or any(p[: len(q)] == q for q, _ in picked):
            continue
        other = load.get(p, 0) - len(ms)
        share = (other + 1) / (other_total + max(places_at[len(p)], 1))
        expected = len(members) * share
        # Many places are tested at once: the chance level is shared among them (Bonferroni).
        alpha = SURGE_P / max(places_at[len(p)], 1)
        if len(ms) >= CONCENTRATION * expected and poisson_sf(len(ms), expected) < alpha:
            picked.append((p, ms))
    return picked


def poisson_sf(n: int, lam: float) -> float:
    """P(X ≥ n) for X ~ Poisson(lam)."""
    if n <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    log_lam = math.log(lam)
    below = sum(math.exp(-lam + k * log_lam - math.lgamma(k + 1)) for k in range(n))
    return max(0.0, 1.0 - below)


# -------------------------------------------------------------------------------- heat


@dataclass(frozen=True)
class Heat:
    base: float
    growth: float
    heat: float
    parts: dict[str, float]


def heat_of(
    *, count: int, households: int, places: int, support: int, previous: int | None
) -> Heat:
    """The documented formula (module docstring); `previous` None = unknown (growth 0)."""
    parts = {
        "households": float(households),
        "repeat": W_REPEAT * (count - households),
        "spread": W_SPREAD * max(places - 1, 0),
        "support": W_SUPPORT * math.log2(1 + max(support, 0)),
    }
    base = sum(parts.values())
    growth = 0.0 if previous is None else (count - previous) / max(previous, 1)
    factor = 1 + W_GROWTH * min(max(growth, -1.0), GROWTH_CAP)
    parts["growth_factor"] = factor
    return Heat(base=base, growth=growth, heat=round(base * factor, 2), parts=parts)


# ----------------------------------------------------------------------------- the run


def _label(weights: Counter[str]) -> tuple[str, list[str]]:
    ranked = [w for w, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))]
    if not ranked:
        return "", []
    label = ranked[:2]
    if len(ranked) > 2 and weights[ranked[2]] >= LABEL_THIRD * weights[ranked[0]]:
        label.append(ranked[2])
    return " / ".join(label), ranked[:N_KEYWORDS]


def signature(place: Sequence[str], keywords: Sequence[str]) -> str:
    """A stable name for a topic in a place (its strongest three words, in any order)."""
    text = "/".join(place) + "|" + "/".join(sorted(keywords[:3]))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def find_hotspots(
    records: Sequence[Record],
    *,
    window_days: int = 14,
    min_cases: int = 3,
    as_of: dt.date | None = None,
    windows: int = 1,
    known_from: dt.date | None = None,
    stop_words: Iterable[str] = (),
    custom_words: Iterable[str] = (),
    tokenize: Callable[[str], list[str]] | None = None,
    similarity: float = SIMILARITY,
) -> list[HotCluster]:
    """Hot spots of the `windows` windows ending on `as_of`, hottest first.

    Records older than the previous window of the oldest window asked for are ignored."""
    if not records or window_days < 1:
        return []
    as_of = as_of or max(r.day for r in records)
    span_start = as_of - dt.timedelta(days=window_days * (windows + 1) - 1)
    records = [r for r in records if span_start <= r.day <= as_of]
    if not records:
        return []
    custom = [w for w in custom_words if w.strip()]
    load_custom_words(custom)
    stop = STOP_WORDS | {w.strip() for w in stop_words if w.strip()}
    vectors = _vectors(_term_counts(records, tokenize or _default_tokenizer(), frozenset(stop)))
    out: list[HotCluster] = []

    def window_of(day: dt.date) -> int:
        return (as_of - day).days // window_days

    # How many matters (of any topic) each place had in each window: the baseline against
    # which a place's share of one topic is judged.
    loads: dict[int, Counter[tuple[str, ...]]] = defaultdict(Counter)
    for r in records:
        load = loads[window_of(r.day)]
        for d in range(min(len(r.place), MAX_DEPTH) + 1):
            load[r.place[:d]] += 1
    for topic_id, members in enumerate(cluster_topics(vectors, similarity)):
        by_window: dict[int, list[int]] = defaultdict(list)
        for i in members:
            by_window[window_of(records[i].day)].append(i)
        for k in range(windows):
            current = by_window.get(k, [])
            if len(current) < min_cases:
                continue
            end = as_of - dt.timedelta(days=k * window_days)
            start = end - dt.timedelta(days=window_days - 1)
            prev_start = start - dt.timedelta(days=window_days)
            known = known_from is None or known_from <= prev_start
            before = by_window.get(k + 1, [])
            for place, spot in _split_by_place(current, records, (), min_cases, loads[k]):
                prev = [i for i in before if records[i].place[: len(place)] == place]
                cluster = _cluster(
                    records, vectors, spot, prev, place, start, end, window_days, known
                )
                cluster.topic_id = topic_id
                out.append(cluster)
    out.sort(key=lambda c: (-c.heat, -c.count, c.window_end, c.topic))
    return out


def _cluster(
    records: Sequence[Record],
    vectors: Sequence[dict[str, float]],
    spot: list[int],
    prev: list[int],
    place: tuple[str, ...],
    start: dt.date,
    end: dt.date,
    window_days: int,
    known: bool,
) -> HotCluster:
    weights: Counter[str] = Counter()
    for i in spot:
        weights.update(vectors[i])
    topic, keywords = _label(weights)
    households = {records[i].household or f"\0{records[i].id}" for i in spot}
    depth = len(place)
    below = {records[i].place[depth] if len(records[i].place) > depth else None for i in spot}
    support = sum(records[i].support for i in spot)
    heat = heat_of(
        count=len(spot), households=len(households), places=len(below), support=support,
        previous=len(prev) if known else None,
    )  # fmt: skip
    daily = Counter(records[i].day for i in (*spot, *prev))
    first = start - dt.timedelta(days=window_days)
    series = [
        (first + dt.timedelta(days=d), daily.get(first + dt.timedelta(days=d), 0))
        for d in range(2 * window_days)
    ]
    ordered = sorted(spot, key=lambda i: (records[i].day, str(records[i].id)))
    return HotCluster(
        topic=topic,
        keywords=keywords,
        place=place,
        window_start=start,
        window_end=end,
        members=[records[i].id for i in ordered],
        count=len(spot),
        households=len(households),
        places=len(below),
        previous_count=len(prev),
        growth=round(heat.growth, 4),
        support=support,
        heat=heat.heat,
        parts={k: round(v, 3) for k, v in heat.parts.items()},
        series=series,
        previous_known=known,
        signature=signature(place, keywords),
    )


# ----------------------------------------------------------------------- message files

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_PLACE_SEP = re.compile(r"\s*[/>›»]\s*")


def parse_day(value: str) -> dt.date | None:
    """ "2019/2/28 11:25:05", "2019-08-01", "2019年8月1日" → the date; anything else None."""
    m = _DATE.search(value or "")
    if m is None:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def read_message_records(path: str) -> tuple[list[Record], int]:
    """A message file with the columns of `messages_unlabeled.csv` (id, time, title, detail,
    against, support); optional `place` ("城关镇/东风村") and `household` columns. Returns
    the records and how many rows were skipped (no usable date, or no text).

    Without a household column, messages with the same title (or, for titles under
    8 characters, the same title and text) count as one household: the same person posting
    again."""
    import csv
    import io

    from minqing.textanalysis.datasets import DatasetError, _read_text

    reader = csv.DictReader(io.StringIO(_read_text(path)))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("time", "title") if c not in header]
    if missing:
        cols = ", ".join(missing)
        raise DatasetError(
            f"{path}：缺少列 {cols}(需要 id,time,title,detail，可选 support,place,household)。"
            f"Missing column(s) {cols}; expected id,time,title,detail[,support,place,household]."
        )
    reader.fieldnames = header
    out: list[Record] = []
    skipped = 0
    for line, raw in enumerate(reader, start=2):
        title = (raw.get("title") or "").strip()
        detail = (raw.get("detail") or "").strip()
        day = parse_day(raw.get("time") or "")
        if day is None or not (title or detail):
            skipped += 1
            continue
        try:
            support = max(int(float(raw.get("support") or 0)), 0)
        except ValueError:
            support = 0
        parts = [p for p in _PLACE_SEP.split((raw.get("place") or "").strip()) if p]
        place = tuple("/".join(parts[: i + 1]) for i in range(len(parts)))
        household = (raw.get("household") or "").strip()
        if not household:
            same = re.sub(r"\s+", "", title)
            same = same if len(same) >= 8 else f"{same}\n{detail}"
            household = "t" + hashlib.sha256(same.encode()).hexdigest()[:16]
        out.append(
            Record(
                id=(raw.get("id") or "").strip() or str(line),
                day=day,
                title=title,
                text=detail,
                place=place,
                household=household,
                support=support,
            )
        )
    if not out:
        raise DatasetError(f"{path}：没有可用的留言(需要时间和标题)。No usable messages.")
    return out, skipped


def file_windows(records: Sequence[Record], window_days: int) -> int:
    """How many windows, back from the last day, cover every record."""
    first = min(r.day for r in records)
    last = max(r.day for r in records)
    return (last - first).days // window_days + 1
