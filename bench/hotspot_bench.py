"""Hot-spot job time (issue 7 §9): 100,000 generated matters over 90 days across the demo
county's villages — the pure algorithm on in-memory records (all 45-day windows of the 90
days, so every matter is clustered), and the full daily job on database rows of a bench
county of the same shape (window widened to 45 days so its two windows cover all of them).

Texts are generated from ~30 everyday topics, each with several phrasings, places, times
and requests, so the words vary the way residents' do; a few village and township
surges are planted on top, and the checks say whether they were found.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from dataclasses import replace

from minqing.textanalysis.hotspots import Record, find_hotspots, place_stripper

N = int(os.environ.get("BENCH_HOTSPOT_MATTERS", "100000"))
DAYS = 90

TOPICS: list[tuple[str, list[str]]] = [
    (
        "路灯",
        [
            "{p}路灯坏了{t}，晚上出门看不清路",
            "{p}好几盏路灯不亮，{t}没人修",
            "{p}的路灯一到晚上就闪，{t}了",
        ],
    ),
    (
        "道路",
        [
            "{p}通组公路有一段塌方，{t}车过不去",
            "{p}水泥路坑坑洼洼，{t}没修",
            "{p}道路破损严重，下雨积水{t}",
        ],
    ),
    (
        "自来水",
        [
            "{p}自来水发黄有异味，{t}了",
            "{p}自来水水压太小，{t}楼上接不到水",
            "{p}停水{t}，也没通知",
        ],
    ),
    (
        "水井",
        ["{p}的水井干了，{t}吃水困难", "{p}水井水质变浑，{t}不敢饮用", "{p}饮水井的抽水泵坏了{t}"],
    ),
    ("垃圾", ["{p}垃圾收集点{t}没人清运", "{p}垃圾桶满了{t}，气味很大", "{p}有人乱倒建筑垃圾{t}"]),
    (
        "低保",
        [
            "想咨询低保怎么申请，家里{t}没有收入",
            "低保申请交上去{t}，没有消息",
            "家里老人的低保{t}停发了",
        ],
    ),
    (
        "医保",
        ["新农合报销{t}还没报下来", "医保缴费在手机上交不了，{t}了", "住院费用医保报销比例看不懂"],
    ),
    (
        "宅基地",
        [
            "和邻居因为宅基地边界吵了{t}，请帮忙调解",
            "宅基地审批{t}没有结果",
            "邻居建房占了我家宅基地{t}",
        ],
    ),
    (
        "灌溉",
        ["{p}灌溉渠堵了，{t}田里灌不上水", "{p}山塘漏水，{t}灌溉不够", "{p}抽水灌溉的电费太贵"],
    ),
    (
        "危房",
        [
            "危房改造补助申请{t}不知道进展",
            "家里房子漏雨{t}，想申请危房改造",
            "{p}有一栋危房{t}没人管",
        ],
    ),
    (
        "入学",
        [
            "孩子今年上小学，户口在外地，想问入学材料",
            "{p}小学校车{t}停了，孩子上学远",
            "幼儿园收费太高，{t}了",
        ],
    ),
    (
        "养殖",
        ["{p}养猪场臭味很大，{t}了", "{p}养鸡场粪水直排河沟{t}", "{p}养殖场苍蝇多，{t}影响生活"],
    ),
    ("噪音", ["{p}工地夜里施工噪音大，{t}", "{p}广场舞音响太吵，{t}了", "{p}加工厂机器噪音{t}"]),
    (
        "违建",
        ["{p}有人在河道边新盖了房子，{t}", "{p}有人占用耕地建房{t}", "{p}违章搭建的棚子{t}没拆"],
    ),
    ("停车", ["{p}车辆乱停乱放，{t}堵路", "{p}停车位不够，{t}", "{p}货车占道停车{t}"]),
    ("信号", ["{p}手机信号差，{t}打不了电话", "{p}宽带{t}断网", "{p}电视没有信号{t}"]),
    ("用电", ["{p}经常停电，{t}了", "{p}电压不稳，家电烧坏{t}", "{p}电线老化，{t}有安全隐患"]),
    ("工资", ["在{p}工地干活，工资{t}没发", "包工头拖欠工资{t}", "{p}企业欠薪{t}"]),
    ("补贴", ["耕地地力补贴{t}没到账", "养老金{t}没有发放", "残疾人补贴怎么申请"]),
    ("物业", ["{p}物业不管事，{t}", "{p}物业费乱收，{t}", "{p}电梯坏了{t}物业不修"]),
    ("河道", ["{p}河道里漂满垃圾，{t}", "{p}河沟发臭{t}", "{p}河堤垮了一段{t}"]),
    ("公交", ["{p}班车{t}停运了", "{p}客车班次太少，{t}", "{p}没有公交站，{t}"]),
    ("就医", ["{p}卫生室{t}没有医生", "{p}看病太远，{t}", "{p}卫生室药品不全{t}"]),
    ("健身", ["建议在{p}小广场增加健身器材", "{p}篮球场{t}坏了", "{p}健身器材损坏{t}"]),
    ("狗", ["{p}流浪狗多，{t}咬人", "{p}有人养狗不拴，{t}", "{p}狗叫扰民{t}"]),
    ("烧秸秆", ["{p}有人焚烧秸秆，{t}烟很大", "{p}烧垃圾{t}，呛人", "{p}烧荒{t}有火灾隐患"]),
    ("土地流转", ["{p}土地流转租金{t}没给", "{p}土地流转合同有问题{t}", "{p}承包地被占{t}"]),
    ("征地", ["{p}征地补偿款{t}没发", "{p}征地补偿标准太低", "{p}拆迁安置房{t}没交"]),
    ("教育", ["{p}学校食堂饭菜差，{t}", "孩子在学校被欺负，{t}", "{p}学校补课收费{t}"]),
    (
        "表扬",
        ["网格员{t}上门帮忙，特别感谢", "村干部帮忙解决了难题，感谢", "{p}干部办事认真，表扬"],
    ),
]
TIMES = [
    "一个多月",
    "好几天",
    "半个月",
    "三个月",
    "一个星期",
    "很久",
    "两年多",
    "十几天",
    "几个月",
    "好长时间",
]
ASKS = [
    "希望尽快处理。",
    "请帮忙协调。",
    "请村里派人看看。",
    "盼早日解决。",
    "",
    "麻烦领导关心一下。",
]
SURGE = (
    "水井",
    [
        "{p}老水井的水变浑浊，{t}全组饮水困难",
        "{p}水井的水有异味，{t}不敢饮用",
        "{p}饮水井抽水泵坏了，{t}吃水难",
    ],
)


def _villages() -> list[tuple[str, str, str, list[str]]]:
    """(township path, village path, village name, group paths) of the demo county, or a
    made-up county of the same size when the demo is not loaded."""
    try:
        from minqing.demo.plan import FIRST_COUNTY_CODE
        from minqing.org.models import Level, Node

        county = Node.objects.filter(code=FIRST_COUNTY_CODE).first()
        if county is not None:
            groups: dict[int, list[str]] = {}
            for parent_id, path in Node.objects.filter(
                level=Level.GROUP, path__startswith=county.path
            ).values_list("parent_id", "path"):
                groups.setdefault(parent_id, []).append(path)
            return [
                (v.path[:9], v.path, v.name, groups.get(v.pk, [v.path]))
                for v in Node.objects.filter(level=Level.VILLAGE, path__startswith=county.path)
            ]
    except Exception:  # noqa: S110 — no Django set up: the made-up county below
        pass
    return [
        (f"999999{t:03d}", f"999999{t:03d}{v:03d}", f"第{t}乡{v}村",
         [f"999999{t:03d}{v:03d}{g:03d}" for g in range(1, 8)])
        for t in range(1, 9) for v in range(1, 13)
    ]  # fmt: skip


def generate(n: int = N, seed: int = 11) -> list[Record]:
    rng = random.Random(seed)
    villages = _villages()
    today = dt.date.today()
    # Some topics are commoner than others, as in a real county's books.
    weights = [rng.uniform(0.3, 3.0) for _ in TOPICS]
    surges = rng.sample(villages, 5)
    out: list[Record] = []
    for i in range(n):
        if i % 400 == 0:
            # A planted surge: ~50 households of one village about its well in the last 10 days
            # (about three times what a village sends on any one topic in 45 days here).
            township, village, name, groups = surges[(i // 200) % len(surges)]
            topic = SURGE
            day = today - dt.timedelta(days=rng.randrange(10))
        else:
            township, village, name, groups = rng.choice(villages)
            topic = rng.choices(TOPICS, weights)[0]
            day = today - dt.timedelta(days=rng.randrange(DAYS))
        group = rng.choice(groups)
        text = rng.choice(topic[1]).format(p=rng.choice([name, "我们组", "村里", ""]),
                                           t=rng.choice(TIMES)) + "，" + rng.choice(ASKS)  # fmt: skip
        out.append(Record(
            id=i, day=day, title=text[:20], text=text,
            place=(township[:6], township, village, group),
            household=f"{group}-{rng.randrange(60)}",
        ))  # fmt: skip
    return out


def run_pure(records: list[Record]) -> tuple[float, list[object]]:
    """What the job does after reading the rows: blank the place names, cluster, score."""
    start = time.perf_counter()
    strip = place_stripper(name for _t, _v, name, _g in _villages())
    if strip is not None:
        records = [replace(r, title=strip(r.title), text=strip(r.text)) for r in records]
    clusters = find_hotspots(records, window_days=45, min_cases=3, windows=1)
    return time.perf_counter() - start, clusters


BENCH_COUNTY = "529990"  # a county code no demo county uses


def bench_county_with_cases(records: list[Record]) -> object:
    """A county shaped like the records' places (codes re-prefixed), holding one matter per
    record (ORM bulk inserts; reused when already loaded)."""
    from django.db import transaction
    from django.utils import timezone

    from minqing.cases.models import Case
    from minqing.org.models import Level, Node

    county = Node.objects.filter(code=f"{BENCH_COUNTY}000000").first()
    if county is not None and Case.objects.filter(county=county).count() >= len(records):
        return county
    tz = timezone.get_current_timezone()
    names = _names()
    with transaction.atomic():
        if county is None:
            county = Node(level=Level.COUNTY, code=f"{BENCH_COUNTY}000000", name="基准县")
            county.save()
        nodes = {county.path: county}
        for level, width in ((Level.TOWNSHIP, 9), (Level.VILLAGE, 12), (Level.GROUP, 15)):
            paths = sorted({BENCH_COUNTY + r.place[-1][6:width] for r in records} - set(nodes))
            new = [
                Node(level=level, code=p.ljust(12, "0") if width < 15 else p, path=p,
                     name=names.get(p[6:], p[6:]), parent=nodes[p[: {9: 6, 12: 9, 15: 12}[width]]])
                for p in paths
            ]  # fmt: skip
            Node.objects.bulk_create(new, batch_size=2000)
            nodes.update({n.path: n for n in Node.objects.filter(path__in=paths, level=level)})
        Case.objects.filter(county=county).delete()
        batch = []
        for i, r in enumerate(records):
            group = BENCH_COUNTY + r.place[-1][6:]
            at = dt.datetime.combine(r.day, dt.time(9 + i % 9, i % 60), tzinfo=tz)
            batch.append(Case(
                number=f"H{i:09d}", county=county, node=nodes[group],
                township=nodes[group[:9]], village=nodes[group[:12]], channel="hotline",
                reporter_name=r.household, reported_at=at, original_text=r.text,
                title=r.title, description=r.text, deadline=at + dt.timedelta(days=7),
                nature="help", status="registered",
            ))  # fmt: skip
            if len(batch) == 5000:
                Case.objects.bulk_create(batch)
                batch = []
        Case.objects.bulk_create(batch)
    return county


def _names() -> dict[str, str]:
    """Township and village names of the demo county by their code below the county."""
    try:
        from minqing.demo.plan import FIRST_COUNTY_CODE
        from minqing.org.models import Node

        prefix = FIRST_COUNTY_CODE[:6]
        return {
            path[6:]: name
            for path, name in Node.objects.filter(path__startswith=prefix).values_list(
                "path", "name"
            )
        }
    except Exception:  # names are decoration only
        return {}


def run_job(records: list[Record]) -> tuple[float, float, dict[str, int]]:
    """The daily job on database rows of the bench county: (load s, job s, its counts)."""
    from minqing.textanalysis.services import hotspots_refresh

    start = time.perf_counter()
    county = bench_county_with_cases(records)
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    result = hotspots_refresh(county=county, today=max(r.day for r in records), window_days=45)
    return loaded, time.perf_counter() - start, result


def run() -> list[dict[str, object]]:
    records = generate()
    seconds, clusters = run_pure(records)
    planted = [c for c in clusters if "水井" in c.keywords[:3] and c.level == 3]
    rows: list[dict[str, object]] = [
        {"name": f"hot spots, pure algorithm, {len(records):,} matters over {DAYS} days",
         "median": seconds, "unit": "s",
         "checks": {"hot_spots": len(clusters),
                    "planted_surge_villages_found": f"{len({c.place for c in planted})} of 5"}},
    ]  # fmt: skip
    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 — raises when Django is not set up
    except Exception:  # no Django: the pure algorithm only
        return rows
    loaded, seconds, result = run_job(records)
    rows.append({"name": f"hot-spot daily job on {result['matters']:,} database matters "
                 f"(bench county, 45-day windows)", "median": seconds, "unit": "s",
                 "checks": {**result, "bulk_load_s": round(loaded, 1)}})  # fmt: skip
    return rows


if __name__ == "__main__":
    recs = generate()
    secs, found = run_pure(recs)
    print(f"{len(recs):,} records: {secs:.1f} s, {len(found)} hot spots")
    for c in found[:15]:
        print(round(c.heat, 1), c.place, c.count, c.previous_count, c.topic)  # type: ignore[attr-defined]
