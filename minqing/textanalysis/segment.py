"""Chinese word segmentation for keyword trends and hot spots: jieba with the county's own
words kept whole and the words that carry no topic left out.

A county lists place names and local terms ("东风水库", "三改一拆") in its 民情分析设置
(`InsightRules.custom_words`); they are added to jieba once per word per process, so
"东风水库" stays one keyword instead of "东风" + "水库". jieba has one dictionary per
process, shared with the category classifier: a county's words are therefore known to
every caller in the process once any county's page has loaded them (adding a second
jieba dictionary would cost about 66 MB per worker).

What is left out (`STOP_WORDS` plus the county's `stop_words`): function words, pronouns,
the phrases every complaint carries ("希望", "反映", "问题", "有关部门", "尽快处理"),
single characters, numbers and counted amounts ("三个月", "2号"), and anything with Latin
letters or digits — in real hotline data these are anonymised placeholders ("A市", "XX小区").

Segmentation runs without jieba's HMM: about a quarter faster, and the HMM's guesses at
unknown words are mostly fragments that would only add noise to a keyword list.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from minqing.org.models import Level, Node
from minqing.textanalysis.models import InsightRules
from minqing.textanalysis.rules import county_of, insight_rules_for

# Built-in stop words. Changing this list changes cached keyword counts: bump
# keywords.TOKENIZER_VERSION with it.
STOP_WORDS: frozenset[str] = frozenset(
    """
    的 了 在 是 我 你 他 她 它 我们 你们 他们 她们 咱们 大家 自己 本人 人家 别人
    这 那 这个 那个 这些 那些 这里 那里 这边 那边 这样 那样 这么 那么 这种 那种 这次 那次
    一个 一些 一下 一直 一定 一起 一点 一般 一样 一次 一天 一年 一家 一户 一位
    有 没有 没 不 也 都 还 又 就 才 再 更 很 太 最 非常 十分 特别 比较 已经 曾经 正在 将 会
    能 能够 可以 可能 应该 应当 需要 必须 要 想 让 使 把 被 给 对 向 从 到 为 为了 因为 所以
    但是 但 而且 并且 或者 还是 如果 虽然 然后 而 及 与 和 跟 同 等 等等 之 其 其他 其它
    什么 怎么 怎么办 为什么 如何 哪里 多少 几 谁 吗 呢 吧 啊 呀 哦 嘛 么 着 过 得 地 之后 以后
    以前 之前 目前 现在 当时 今天 昨天 明天 今年 去年 每天 每年 时候 时间 期间 至今 一年多
    希望 请求 恳请 请 麻烦 谢谢 感谢 您好 你好 领导 政府 部门 有关 相关 有关部门 相关部门
    问题 反映 情况 事情 事项 处理 解决 尽快 及时 落实 关注 重视 帮助 帮忙 协调 答复 回复
    村里 村民 群众 老百姓 百姓 居民 市民 本村 我村 该村 全村 家里 家中 我家 他家 其家
    表示 认为 发现 觉得 知道 看到 听说 提出 要求 存在 出现 造成 导致 影响 进行 没人 无人 管
    没人管 无人管 不管 担心 严重 经常 总是 好几 一些 多次 长期 长时间 始终 仍然 依然
    是否 能否 可否 不能 不会 不要 不是 没有人 一下子 还有 而且 以及 关于 对于 根据 按照
    县里 镇里 乡里 上级 当地 附近 周边 所在 位于 来电 来信 来访 市民来电 网友 咨询
    """.split()
)
# Anonymised codes and numbers: "A市", "XX小区", "3号", Latin words.
_LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9]")
# Counted amounts spelled in Chinese: "三个月", "两户", "第二次", "十几年".
_NUMBER = re.compile(
    r"^[第]?[零〇一二三四五六七八九十百千万亿两几多半每整]+[个只次年月日号天户人元块岁层栋间件条名位米辆家周遍盏根棵处座口台张期批斤亩吨里分秒点趟回顿]*$"
)
_PUNCT = re.compile(r"[\W_]+")

_lock = threading.Lock()
_jieba: object | None = None
_added: set[str] = set()


def _tokenizer() -> object:
    global _jieba
    if _jieba is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)  # its start-up chatter is not ours to print
        jieba.initialize()
        _jieba = jieba
    return _jieba


def _add_words(words: list[str]) -> None:
    new = [w for w in words if w not in _added]
    if not new:
        return
    jieba = _tokenizer()
    with _lock:
        for word in new:
            if word not in _added:
                jieba.add_word(word)  # type: ignore[attr-defined]
                _added.add(word)


def county_words(county: Node) -> list[str]:
    """The county's custom words, loaded into jieba (once per word per process)."""
    words = [unicodedata.normalize("NFKC", w) for w in insight_rules_for(county).custom_word_list()]
    _add_words(words)
    return words


def is_keyword(word: str, stop: frozenset[str] = STOP_WORDS) -> bool:
    """Would this segment count as a keyword (before a county's own stop words)?"""
    return (
        len(word) >= 2
        and word not in stop
        and not _LATIN_OR_DIGIT.search(word)
        and not _PUNCT.fullmatch(word)
        and not _NUMBER.match(word)
    )


@dataclass(frozen=True)
class Segmenter:
    """Segmentation for one county: its custom words loaded, its stop words dropped."""

    custom: tuple[str, ...] = ()
    stop: frozenset[str] = frozenset()

    def tokens(self, text: str) -> list[str]:
        jieba = _tokenizer()
        text = unicodedata.normalize("NFKC", text)  # full-width letters and digits → ASCII
        return [
            w
            for w in jieba.lcut(text, HMM=False)  # type: ignore[attr-defined]
            if is_keyword(w) and w not in self.stop
        ]


# Segmenters per county, rebuilt when the county saves its settings (in this process at
# once, in other worker processes within RECHECK_SECONDS).
RECHECK_SECONDS = 30.0
_segmenters: dict[int, tuple[float, Segmenter]] = {}


def segmenter_for(county: Node | None) -> Segmenter:
    if county is None:
        return Segmenter()
    if county.level != Level.COUNTY:
        county = county_of(county)
    entry = _segmenters.get(county.pk)
    now = time.monotonic()
    if entry is not None and now - entry[0] < RECHECK_SECONDS:
        return entry[1]
    segmenter = segmenter_from(insight_rules_for(county))
    _segmenters[county.pk] = (now, segmenter)
    return segmenter


def segmenter_from(rules: InsightRules, *, county_stop_words: bool = True) -> Segmenter:
    """A segmenter for these settings, their custom words loaded into jieba. Without
    `county_stop_words` only the built-in list applies (keyword counts that are cached
    leave the county's own stop words to the moment they are read)."""
    custom = tuple(unicodedata.normalize("NFKC", w) for w in rules.custom_word_list())
    _add_words(list(custom))
    stop = frozenset(rules.stop_word_list()) if county_stop_words else frozenset()
    return Segmenter(custom=custom, stop=stop)


def tokens(text: str, *, county: Node | None = None) -> list[str]:
    """The keywords of a text in order (repeats kept): jieba segments with the county's
    custom words kept whole, stop words, single characters, numbers and placeholders out."""
    return segmenter_for(county).tokens(text)


@receiver(post_save, sender=InsightRules, dispatch_uid="segment_rules_saved")
@receiver(post_delete, sender=InsightRules, dispatch_uid="segment_rules_deleted")
def _forget_county(sender: type, instance: InsightRules, **kwargs: object) -> None:
    _segmenters.pop(instance.county_id, None)
