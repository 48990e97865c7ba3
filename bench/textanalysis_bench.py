"""Category suggester speed (issue 7): ms per message on 2,000 generated messages (train on
1,000, predict 1,000 in one batch, then one at a time as the case form would), and — only
when the county's real dev file is present — 5-fold macro-F1 and ms per message on it."""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path

from minqing.textanalysis.classifier import TextClassifier
from minqing.textanalysis.datasets import Message, read_messages, read_taxonomy
from minqing.textanalysis.evaluation import crossval

DATA = Path("/work/shared/data")
TOPICS = {
    "城乡建设": ["路灯", "物业", "电梯", "拆迁", "安置房", "违章搭建", "自来水", "小区"],
    "交通运输": ["公交", "出租车", "红绿灯", "班车", "驾校", "公路", "网约车", "停车"],
    "教育文体": ["学校", "老师", "补课", "幼儿园", "学生", "图书馆", "体育馆", "学区"],
    "卫生计生": ["医院", "医生", "挂号", "医保", "卫生室", "药价", "急救", "体检"],
    "环境保护": ["噪音", "污水", "垃圾", "油烟", "排污", "粉尘", "河道", "焚烧"],
}
FILLER = ["希望", "尽快", "处理", "问题", "反映", "很久", "没人管", "请", "领导", "附近", "居民"]


def synthetic(n: int, seed: int) -> list[Message]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        label = rng.choice(list(TOPICS))
        words = rng.sample(TOPICS[label], 3) + rng.sample(FILLER, 4)
        rng.shuffle(words)
        out.append(Message(f"{words[0]}{words[1]}的问题", "，".join(words) + "。", label, str(i)))
    return out


def run() -> list[dict[str, object]]:
    messages = synthetic(2000, seed=7)
    model = TextClassifier().fit(messages[:1000])
    test = messages[1000:]
    start = time.perf_counter()
    model.predict_labels([m.title for m in test], [m.detail for m in test])
    batch_ms = 1000 * (time.perf_counter() - start) / len(test)
    single = []
    for m in test[:200]:
        start = time.perf_counter()
        model.predict(m.title, m.detail)
        single.append(1000 * (time.perf_counter() - start))
    single.sort()
    rows: list[dict[str, object]] = [
        {"name": "textanalysis: classify generated messages, batch of 1,000 (ms/message)",
         "median": batch_ms, "unit": "ms"},
        {"name": "textanalysis: top-3 + cues for one message (200 generated)",
         "p50_ms": statistics.median(single), "p95_ms": single[int(0.95 * len(single)) - 1]},
    ]  # fmt: skip
    dev = DATA / "messages_labeled_dev.csv"
    if dev.exists():
        tax = DATA / "taxonomy_12345_3level.csv"
        result = crossval(read_messages(dev), read_taxonomy(tax) if tax.exists() else [], 5)
        rows.append({"name": "textanalysis: 5-fold CV on the real dev file (macro-F1)",
                     "median": result["macro_f1"], "unit": "macro-F1",
                     "checks": {"folds": [round(f, 4) for f in result["fold_macro_f1"]],
                                "ms_per_case": round(result["ms_per_case"], 3)}})  # fmt: skip
    return rows
