"""Urgency and 十必报 detection from the county's word list (the learned model is separate).

Each county keeps its own list of words and phrases (`UrgencyTerm`, edited in the admin);
a county with none saved uses `DEFAULT_URGENCY_TERMS`, and `urgency_terms_ensure_default`
(services) copies the defaults into the county's list so it can edit them. A phrase found
in a matter's text flags it with the phrase's urgency, 十必报 type and reason; flags of one
type merge, the most urgent first.

How false alarms are kept down (each choice is what a short word would get wrong):

- Phrases are specific rather than short: "集体上访", not "集体" ("村集体经济发展" is
  not unrest); "煤气泄漏"/"煤气中毒", not "煤气" ("煤气费涨价"); "山体滑坡", not "滑坡"
  ("经济滑坡"); "人员聚集"/"村民聚集", not "聚集" ("儿童聚集玩耍"); "闹矛盾", not "矛盾";
  "私自加盖", not "加盖" ("加盖公章"); "房屋倾斜", not "倾斜" ("政策向山区倾斜"). "新盖"
  is not a default: "新盖的房子漏水" is about a leaking roof, not an illegal building.
- `MASKS` are longer phrases that contain a term but mean something else ("防溺水" holds
  "溺水", "加盖公章" holds "加盖", "集体经济" would hold a county's own "集体"). The text
  is scanned once, longest phrase first at each position, so a mask consumes its span and
  the shorter term inside it is never seen. A longer term works the same way: "动手术" is
  a serious illness, so it is never read as the fight "动手" (nor is "移动手机").
- A negation right before the phrase cancels it ("没有打架", "未发现裂缝"), but not one
  further away ("没发现墙体裂缝" still flags: better one false alarm than a missed hazard).

Detection runs on every keystroke of the intake form: the phrases of a county are compiled
into one regular expression (a character trie, so each position of the text costs one
dictionary-like branch) and cached per county; saving or deleting a term drops the cache in
this process at once, and other worker processes notice within RECHECK_SECONDS through a
cheap check of the county's rows.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from minqing.cases.models import MustReport, Urgency
from minqing.org.models import Level, Node
from minqing.textanalysis.models import UrgencyTerm
from minqing.textanalysis.rules import county_of

SOURCE_WORDS = "词表"  # shown next to a flag: it came from the word list, not the model
RECHECK_SECONDS = 10.0

_RANK = {Urgency.URGENT: 2, Urgency.IMPORTANT: 1, Urgency.NORMAL: 0}


@dataclass(frozen=True)
class DefaultTerm:
    phrase: str
    urgency: str
    must_report: str
    reason: str


# Reasons are county data (stored with each term and edited in the admin), like the default
# category names, so they are plain Chinese strings rather than translations.
_SAFETY = "涉及安全隐患，须立即处置并上报"
_SAFETY_CHECK = "存在安全隐患，须尽快核查并上报"
_UNREST = "涉及不稳定因素，须立即稳控并上报"
_UNREST_WATCH = "涉及不稳定因素，须及时化解并上报"
_ILL = "涉及重病住院，须及时走访慰问并上报"
_ILL_CRITICAL = "病情危重，须立即协调救治并上报"
_DISPUTE = "涉及邻里纠纷，须及时调解并上报"
_FIGHT = "纠纷已有肢体冲突，须立即到场调处并上报"
_BUILDING = "涉及新增违章建筑，须及时制止并上报"
_DIRT = "涉及环境脏乱差，须及时整治并上报"
_PREGNANT = "新增怀孕妇女，须及时登记并上报"
_MOVE = "涉及人口迁入迁出，须及时登记并上报"
_CHANGE = "联系户生产生活发生重大变化，须及时走访并上报"
_DISASTER = "因灾或意外致生活发生重大变化，须立即救助并上报"

_U, _I = Urgency.URGENT.value, Urgency.IMPORTANT.value


def _terms(must_report: str, urgency: str, reason: str, phrases: str) -> list[DefaultTerm]:
    # str() of a choice is its stored value ("safety_hazard"), not the enum member.
    return [DefaultTerm(p, str(urgency), str(must_report), reason) for p in phrases.split()]


DEFAULT_URGENCY_TERMS: tuple[DefaultTerm, ...] = tuple(
    _terms(MustReport.SAFETY_HAZARD, _U, _SAFETY,
           "塌方 坍塌 垮塌 危房 漏电 触电 电线裸露 私拉电线 火灾 起火 着火 失火 爆炸 "
           "燃气泄漏 煤气泄漏 煤气中毒 煤气味 一氧化碳中毒 溺水 落水 山体滑坡 泥石流 "
           "险情 决堤 管涌 安全隐患 井盖缺失 井盖丢失 被困")
    + _terms(MustReport.SAFETY_HAZARD, _I, _SAFETY_CHECK,
             "裂缝 危房改造 电线老化 房屋倾斜 墙体倾斜 电杆倾斜 电线杆倾斜")
    + _terms(MustReport.INSTABILITY, _U, _UNREST,
             "集体上访 越级上访 进京上访 集体访 群体性 聚众 人员聚集 村民聚集 群众聚集 "
             "聚集闹事 围堵 扬言 讨薪 拉横幅 挂横幅 闹事 静坐 自杀 轻生 跳楼 跳河 同归于尽")
    + _terms(MustReport.INSTABILITY, _I, _UNREST_WATCH, "上访 拖欠工资 欠薪 讨要工资 缠访")
    + _terms(MustReport.ILLNESS, _I, _ILL,
             "重病 病重 大病 重症 住院 癌症 癌 尿毒症 白血病 肿瘤 瘫痪 脑梗 中风 透析 "
             "做手术 动手术")
    + _terms(MustReport.ILLNESS, _U, _ILL_CRITICAL, "病危 病情危重 抢救")
    + _terms(MustReport.NEIGHBOUR_DISPUTE, _I, _DISPUTE,
             "纠纷 吵架 争吵 争执 口角 闹矛盾 骂街 对骂")
    + _terms(MustReport.NEIGHBOUR_DISPUTE, _U, _FIGHT, "打架 动手 斗殴 殴打 打伤 持刀")
    + _terms(MustReport.ILLEGAL_BUILDING, _I, _BUILDING,
             "违建 违章建筑 违章搭建 违法建设 违法建筑 乱搭乱建 私搭乱建 乱搭建 私自搭建 "
             "私自加盖 违规加盖 抢建 未批先建 违规建房 违法占地 占用耕地建房")
    + _terms(MustReport.ENVIRONMENT, _I, _DIRT,
             "脏乱差 垃圾成堆 垃圾堆积 垃圾乱倒 乱倒垃圾 乱扔垃圾 污水横流 污水直排 "
             "臭气熏天 恶臭 黑臭 偷排 露天焚烧")
    + _terms(MustReport.PREGNANCY, _I, _PREGNANT, "怀孕 孕妇 有身孕 怀上")
    + _terms(MustReport.MIGRATION, _I, _MOVE,
             "迁入 迁出 户口迁移 迁户口 落户 外出务工返乡 务工返乡 返乡 外来人口 新搬来")
    + _terms(MustReport.LIFE_CHANGE, _I, _CHANGE,
             "失业 下岗 去世 病故 死亡 丧偶 离婚 无人照料 生活困难 失去劳动能力 返贫 致贫")
    + _terms(MustReport.LIFE_CHANGE, _U, _DISASTER, "房屋倒塌 因灾 受灾 车祸 意外身亡 断粮")
)  # fmt: skip

# Longer phrases holding a term (or a short word a county may add) in another sense.
MASKS: frozenset[str] = frozenset(
    """
    集体经济 集体土地 集体资产 集体收入 集体所有 集体林地 集体组织 集体企业 集体活动
    动手能力 移动手机 自动手 防溺水 防火墙 企业落户 项目落户 招商落户 塌方式 危险情
    交通瘫痪 系统瘫痪 网络瘫痪 全面瘫痪
    加盖公章 加盖印章 癌症筛查 两癌筛查 两癌 宫颈癌筛查 防癌 死亡率 落水管
    """.split()
)
# A negation immediately before a phrase cancels it: "没有打架", "未发现裂缝"; words in
# between ("没发现墙体裂缝") do not.
NEGATIONS: tuple[str, ...] = (
    "没有发现", "未发现", "没发现", "未见", "没有", "并未", "从未", "未曾", "不曾", "不再",
    "不", "没", "未", "无",
)  # fmt: skip
_NEGATION_REACH = max(len(n) for n in NEGATIONS)


@dataclass(frozen=True)
class UrgencyFlag:
    urgency: str  # an Urgency value
    must_report: str  # a MustReport value, or "" for urgency alone
    reason: str
    phrases: list[str] = field(default_factory=list)  # the words found, for highlighting
    source: str = SOURCE_WORDS

    @property
    def must_report_label(self) -> str:
        return str(MustReport(self.must_report).label) if self.must_report else ""

    @property
    def urgency_label(self) -> str:
        return str(Urgency(self.urgency).label)


@dataclass(frozen=True)
class _Term:
    urgency: str
    must_report: str
    reason: str


@dataclass
class _Compiled:
    fingerprint: int
    checked_at: float
    pattern: re.Pattern[str] | None
    terms: dict[str, _Term]


def _trie_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for all phrases, as a character trie, longest alternative first."""
    trie: dict[str, dict] = {}
    for phrase in phrases:
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [re.escape(c) + build(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # Greedy `?`: the longer phrase wins at a position, the shorter one is the fallback.
        return f"(?:{body})?" if ends else body

    source = build(trie)
    return re.compile(source) if source else None


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _compile(rows: Sequence[tuple[str, str, str, str]], fingerprint: int) -> _Compiled:
    terms = {
        _normal(phrase).strip(): _Term(urgency, must_report, reason)
        for phrase, urgency, must_report, reason in rows
        if phrase.strip()
    }
    masks = {m for m in MASKS if m not in terms}
    return _Compiled(fingerprint, time.monotonic(), _trie_pattern([*terms, *masks]), terms)


_DEFAULT_ROWS = tuple((t.phrase, t.urgency, t.must_report, t.reason) for t in DEFAULT_URGENCY_TERMS)
_cache: dict[int, _Compiled] = {}
_lock = threading.Lock()


def _county_rows(county: Node) -> list[tuple[str, str, str, str, bool]]:
    return list(
        UrgencyTerm.objects.filter(county=county)
        .order_by("pk")
        .values_list("phrase", "urgency", "must_report", "reason", "active")
    )


def _compiled_for(county: Node) -> _Compiled:
    entry = _cache.get(county.pk)
    now = time.monotonic()
    if entry is not None and now - entry.checked_at < RECHECK_SECONDS:
        return entry
    rows = _county_rows(county)
    fingerprint = hash(tuple(rows))
    if entry is not None and entry.fingerprint == fingerprint:
        entry.checked_at = now
        return entry
    # A county with no saved terms uses the defaults; one that switched all off gets none.
    active = [r[:4] for r in rows if r[4]] if rows else _DEFAULT_ROWS
    compiled = _compile(active, fingerprint)
    with _lock:
        _cache[county.pk] = compiled
    return compiled


def detect_urgency(*, county: Node, text: str) -> list[UrgencyFlag]:
    """Flags for the phrases of the county's word list found in `text`: one per 十必报 type,
    the most urgent first (then the one mentioned first)."""
    if county.level != Level.COUNTY:
        county = county_of(county)
    compiled = _compiled_for(county)
    if compiled.pattern is None or not text:
        return []
    text = _normal(text)
    found: dict[str, tuple[int, int, _Term, list[str]]] = {}  # type → (rank, first, term, phrases)
    for match in compiled.pattern.finditer(text):
        phrase = match.group()
        term = compiled.terms.get(phrase)
        if term is None:  # a mask, or a trie prefix that is no phrase
            continue
        start = match.start()
        if text[max(0, start - _NEGATION_REACH) : start].endswith(NEGATIONS):
            continue
        rank = _RANK.get(term.urgency, 0)
        current = found.get(term.must_report)
        if current is None:
            found[term.must_report] = (rank, start, term, [phrase])
            continue
        best_rank, first, _best, phrases = current
        if phrase not in phrases:
            phrases.append(phrase)
        if rank > best_rank:
            found[term.must_report] = (rank, first, term, phrases)
    ordered = sorted(found.items(), key=lambda kv: (-kv[1][0], kv[1][1]))
    return [
        UrgencyFlag(
            urgency=term.urgency, must_report=must_report, reason=term.reason, phrases=phrases
        )
        for must_report, (_rank, _first, term, phrases) in ordered
    ]


def strongest(flags: Sequence[UrgencyFlag]) -> tuple[str, str]:
    """(urgency, 十必报 type) to prefill the intake form: the highest urgency among the
    flags, and the type of the most urgent flag that has one."""
    if not flags:
        return Urgency.NORMAL.value, ""
    urgency = max((f.urgency for f in flags), key=lambda u: _RANK.get(u, 0))
    ranked = sorted(flags, key=lambda f: -_RANK.get(f.urgency, 0))
    must_report = next((f.must_report for f in ranked if f.must_report), "")
    return urgency, must_report


def forget_county(county_id: int) -> None:
    with _lock:
        _cache.pop(county_id, None)


@receiver(post_save, sender=UrgencyTerm, dispatch_uid="urgency_term_saved")
@receiver(post_delete, sender=UrgencyTerm, dispatch_uid="urgency_term_deleted")
def _term_changed(sender: type, instance: UrgencyTerm, **kwargs: object) -> None:
    forget_county(instance.county_id)
