"""Keyword trends and urgency word list speed (issue 7 §3 and §6).

Keyword trends: a county-year of matters (BENCH_KEYWORD_CASES, default 20,000, spread over
the 12 months before this one in 2 townships × 5 villages of a county of its own) — the
county page's figures with nothing cached (cold), again (warm), after one new matter (one
month recounted), and a township after the county was counted. Texts are the real 12345
messages when ../shared/data is there (cycled), generated ones otherwise.

Urgency: `detect_urgency` on a 500-character text with the default list, as the intake form
calls it on every keystroke.

Standalone: `python -m bench.keyword_trends_bench` (a scratch SQLite database, or the
PostgreSQL named by BENCH_DATABASE_URL).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import statistics
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "messages_unlabeled.csv"
N_CASES = int(os.environ.get("BENCH_KEYWORD_CASES", "20000"))
COUNTY_CODE = "339901000000"

PLACES = ["村口", "二组", "学校门口", "集镇", "水库边", "老街", "村委会旁", "桥头"]
TOPICS = [
    "路灯不亮", "自来水停水", "道路破损坑洼", "垃圾清运不及时", "河道污染发臭",
    "低保申请没有回音", "土地承包纠纷", "宅基地审批", "医保报销比例", "养老金发放",
    "危房改造补助", "电压不稳经常停电", "手机信号差", "农田灌溉水渠堵塞", "公交班次太少",
    "小学校车安全", "养猪场臭味扰民", "拖欠工资", "违章搭建占道", "噪音扰民",
]  # fmt: skip
FILLER = ["希望有关部门尽快处理", "已经反映过多次", "影响群众生活", "请领导重视", "谢谢"]


def _texts(n: int) -> list[tuple[str, str]]:
    if DATA.exists():
        with DATA.open(encoding="utf-8") as f:
            rows = [(r["title"], r["detail"]) for r in csv.DictReader(f)]
        return [rows[i % len(rows)] for i in range(n)]
    rng = random.Random(7)
    out = []
    for _i in range(n):
        topics = rng.sample(TOPICS, 2)
        place = rng.choice(PLACES)
        title = f"{place}{topics[0]}"
        detail = f"{place}{topics[0]}，{topics[1]}，{'，'.join(rng.sample(FILLER, 3))}。" * 2
        out.append((title, detail))
    return out


def _months_back(today: dt.date, n: int) -> list[dt.date]:
    first = today.replace(day=1)
    out = []
    for back in range(n, 0, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        out.append(dt.date(year, month + 1, 1))
    return out


def _load(n: int):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from minqing.cases.models import Case
    from minqing.org.models import Level, Node
    from minqing.org.services import node_create

    Case.objects.filter(county__code=COUNTY_CODE).delete()
    Node.objects.filter(code__startswith=COUNTY_CODE[:6]).order_by("-path").delete()
    county = node_create(
        actor=None, level=Level.COUNTY, code=COUNTY_CODE, name="基准县", parent=None
    )
    villages = []
    for t in range(2):
        township = node_create(
            actor=None, level=Level.TOWNSHIP, code=f"339901{101 + t:03d}000",
            name=f"基准镇{t + 1}", parent=county,
        )  # fmt: skip
        for v in range(5):
            villages.append(
                node_create(
                    actor=None,
                    level=Level.VILLAGE,
                    code=f"339901{101 + t:03d}{201 + v:03d}",
                    name=f"基准村{t + 1}-{v + 1}",
                    parent=township,
                )
            )
    months = _months_back(timezone.localdate(), 12)
    rng = random.Random(11)
    cases = []
    for i, (title, detail) in enumerate(_texts(n)):
        village = villages[i % len(villages)]
        month = months[i % 12]
        reported = timezone.make_aware(
            dt.datetime.combine(month, dt.time(9)) + dt.timedelta(days=rng.randrange(27))
        )
        cases.append(
            Case(
                number=f"KW{i:010d}",
                county=county,
                node=village,
                township=village.parent,
                village=village,
                channel="hotline",
                nature="help",
                reported_at=reported,
                original_text=f"{title}。{detail}",
                title=title[:120],
                description=detail,
                deadline=reported + dt.timedelta(days=7),
            )
        )
    Case.objects.bulk_create(cases, batch_size=2000)
    return county, villages, months


def _timed(fn) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def run() -> list[dict[str, object]]:
    from django.utils import timezone

    from minqing.cases.models import Case
    from minqing.cases.services import case_register
    from minqing.textanalysis.keywords import (
        Period,
        _store,
        _text,
        keyword_trends,
        warm_keyword_counts,
    )
    from minqing.textanalysis.urgency import detect_urgency

    county, villages, months = _load(N_CASES)
    period = Period("month", months[-1])
    cases = Case.objects.filter(county=county)

    def county_page():  # type: ignore[no-untyped-def]
        return keyword_trends(cases=cases, scope=county, period=period, top=10, span=12)

    _store().clear()
    cold_s, cold = _timed(county_page)
    warm = statistics.median(_timed(county_page)[0] for _i in range(5))
    case_register(
        actor=None, node=villages[0], channel="hotline", nature="help",
        original_text="村口路灯不亮，晚上出行不便。", reporter_name="基准",
        reported_at=timezone.make_aware(dt.datetime.combine(months[-1], dt.time(15))),
    )  # fmt: skip
    one_s, one = _timed(county_page)
    township = villages[0].parent
    township_s, township_trends = _timed(
        lambda: keyword_trends(
            cases=cases.filter(township=township), scope=township, period=period, span=12
        )
    )
    chars = sum(len(_text(t, d)) for t, d in _texts(N_CASES))  # what is segmented
    _store().clear()
    warm_up_s, _n = _timed(lambda: warm_keyword_counts(county=county))

    text = ("东风村一组村民反映，村口的石桥年久失修，桥面有多处破损，雨天路滑，老人孩子通行不便，"
            "希望镇里安排资金维修。另外，村里的垃圾收集点清运不及时。") * 8  # fmt: skip
    text = text[:490] + "墙体开裂，邻居吵架。"
    detect_urgency(county=county, text=text)
    samples = []
    for _i in range(500):
        start = time.perf_counter()
        detect_urgency(county=county, text=text)
        samples.append(1000 * (time.perf_counter() - start))
    samples.sort()
    Case.objects.filter(county=county).delete()
    source = "real 12345 messages" if DATA.exists() else "generated messages"
    return [
        {"name": f"keywords: county-year of {N_CASES:,} matters, nothing cached (s)",
         "median": cold_s, "unit": "s",
         "checks": {"texts": source, "chars_segmented": chars, "segmented_matters": cold.segmented_matters,  # type: ignore[attr-defined]
                    "months": cold.segmented_months}},  # type: ignore[attr-defined]
        {"name": "keywords: same page, counts cached (ms)", "median": 1000 * warm, "unit": "ms"},
        {"name": "keywords: nightly warm-up, county + townships, 13 months (s)",
         "median": warm_up_s, "unit": "s"},
        {"name": "keywords: after one new matter (ms)", "median": 1000 * one_s, "unit": "ms",
         "checks": {"segmented_matters": one.segmented_matters}},  # type: ignore[attr-defined]
        {"name": "keywords: a township after the county (ms)", "median": 1000 * township_s,
         "unit": "ms", "checks": {"segmented_matters": township_trends.segmented_matters}},  # type: ignore[attr-defined]
        {"name": "urgency: detect_urgency on 500 characters (default list)",
         "p50_ms": statistics.median(samples), "p95_ms": samples[int(0.95 * len(samples)) - 1]},
    ]  # fmt: skip


if __name__ == "__main__":
    import json

    from bench.run import _setup_django  # the same scratch database as `make bench`

    _setup_django()
    for row in run():
        print(json.dumps(row, ensure_ascii=False, default=str))
