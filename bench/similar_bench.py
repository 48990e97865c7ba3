"""Similar-matter lookup (issue 7 §4): median latency of `similar_matters` with 100,000 open
matters in one county, for a county-level and a township-level user, typed as a clerk types
(growing prefixes of a sentence) and for a whole case page; plus the index's build time and
memory, and a freshness check (a case registered after the build is found by the next
lookup, a merged one is gone).

Runs after the demo county is loaded (bench/run.py). The matters are bulk-created rows with
varied Chinese texts (templates × places × objects × details), spread over the first
county's groups, statuses all open, dates over the last 60 days.
"""

from __future__ import annotations

import os
import random
import statistics
import time

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

TOTAL = int(os.environ.get("BENCH_SIMILAR_CASES", "100000"))
REPEATS = int(os.environ.get("BENCH_SIMILAR_REPEATS", "5"))
UPDATED_INDEX = "cases_updated_idx"

OBJECTS = {
    "水": ["水井", "自来水管", "蓄水池", "水塔", "饮水管道", "抽水泵"],
    "路": ["通组公路", "村道", "桥梁", "涵洞", "机耕路", "进村路口"],
    "电": ["路灯", "变压器", "电线杆", "电表箱", "广播线"],
    "环境": ["垃圾收集点", "化粪池", "排水沟", "河道", "公厕", "养猪场"],
    "农业": ["灌溉渠", "水库堤坝", "大棚", "果园", "鱼塘", "晒谷场"],
    "民生": ["低保", "医保报销", "残疾人补贴", "养老金", "危房改造补助", "临时救助"],
    "建房": ["宅基地", "违章建筑", "围墙", "猪圈", "新房地基"],
}
PROBLEMS = {
    "水": ["干了", "没水", "水发黄有异味", "漏水严重", "冬天冻裂了", "水压太低"],
    "路": ["塌方", "坑洼不平", "被大车压坏", "积水严重", "裂缝越来越大", "没有护栏"],
    "电": ["坏了", "不亮", "倾斜快倒了", "经常跳闸", "电线裸露"],
    "环境": ["好几天没人清运", "堵塞发臭", "污水横流", "气味很大", "蚊蝇很多"],
    "农业": ["堵了", "渗水", "被冲垮", "缺水", "没人管护"],
    "民生": ["申请没有回音", "一直没有到账", "材料交了两个月", "不知道怎么办理", "被取消了"],
    "建房": ["边界有争议", "占了公共通道", "挡住了排水", "审批一直没下来", "影响邻居采光"],
}
TEMPLATES = [
    "{place}的{obj}{problem}，{detail}，希望尽快处理。",
    "反映{place}{obj}{problem}的问题，{detail}。",
    "{place}村民反映：{obj}{problem}，{detail}，请村里帮忙协调。",
    "我家在{place}，{obj}{problem}已经{days}天了，{detail}。",
    "{detail}，{place}那边的{obj}{problem}，没人管。",
    "咨询一下{obj}的事：{place}{obj}{problem}，{detail}，该找哪个部门？",
    "{place}{obj}{problem}，多次反映没有解决，{detail}。",
    "建议对{place}的{obj}进行检修，现在{problem}，{detail}。",
]
DETAILS = [
    "老人小孩出行很不方便", "全组二十多户受影响", "下雨天更严重", "担心出安全事故",
    "影响正常生产生活", "已经找过村干部", "晚上看不清路", "庄稼都快旱死了",
    "家里老人身体不好", "邻居之间为此吵过架", "孩子上学要绕远路", "去年也出现过同样问题",
]  # fmt: skip
TYPED = [
    "东风村水井干了，全组吃水困难，希望尽快打新井",
    "村口路灯坏了一个多月晚上出门看不清路",
    "通组公路塌方下雨天车辆过不去",
    "低保申请材料交了两个月一直没有回音",
    "垃圾收集点好几天没人清运气味很大",
]


def _open_statuses() -> list[str]:
    from minqing.cases.workflow import Status

    return [Status.REGISTERED, Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS,
            Status.RETURNED, Status.ESCALATED]  # fmt: skip


def _text(rng: random.Random, place: str) -> str:
    topic = rng.choice(list(OBJECTS))
    return rng.choice(TEMPLATES).format(
        place=place, obj=rng.choice(OBJECTS[topic]), problem=rng.choice(PROBLEMS[topic]),
        detail=rng.choice(DETAILS), days=rng.randrange(2, 60),
    )  # fmt: skip


def ensure_updated_at_index() -> bool:
    """The refresh query filters on cases_case.updated_at; create the index the lead adds
    by migration, in this scratch database, if it is not there yet. True if created."""
    from minqing.cases.models import Case

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Case._meta.db_table)
    if any(c["index"] and c["columns"] == ["updated_at"] for c in constraints.values()):
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX {UPDATED_INDEX} ON cases_case (updated_at)")
    return True


def load_open_matters(total: int, seed: int = 11) -> tuple[int, float]:
    """Bulk-create `total` open matters in the first county (skipped if already there)."""
    from minqing.cases.models import Case, Channel, Nature
    from minqing.org.models import Level, Node, Unit, UnitKind

    county = Node.objects.filter(level=Level.COUNTY).order_by("code").first()
    existing = Case.objects.filter(number__startswith="S").count()
    if existing >= total:
        return county.pk, 0.0
    rng = random.Random(seed)
    groups = list(
        Node.objects.filter(level=Level.GROUP, path__startswith=county.path)
        .select_related("parent__parent")
        .only("id", "name", "parent__id", "parent__name", "parent__parent__id")
    )
    stations = dict(
        Unit.objects.filter(kind=UnitKind.STATION, node__path__startswith=county.path)
        .values_list("node_id", "id")
    )  # fmt: skip
    statuses = _open_statuses()
    now = timezone.now()
    start = time.perf_counter()
    batch: list[Case] = []
    for i in range(existing, total):
        group = rng.choice(groups)
        village = group.parent
        text = _text(rng, rng.choice([f"{village.name}{group.name}", village.name, group.name]))
        created = now - timezone.timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
        status = rng.choice(statuses)
        batch.append(
            Case(
                number=f"S{i:09d}", county_id=county.pk, node_id=group.pk,
                township_id=village.parent_id, village_id=village.pk,
                channel=rng.choice(Channel.values), nature=rng.choice(Nature.values),
                reporter_name="测试", original_text=text, title=text[:60], description=text,
                reported_at=created, deadline=created + timezone.timedelta(days=7),
                status=status, is_live=True,
                unit_id=None if status == "registered" else stations.get(village.pk),
            )
        )  # fmt: skip
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    if batch:
        Case.objects.bulk_create(batch)
    with transaction.atomic():
        # auto_now stamped every row "now"; spread the stamps back to the registration time.
        Case.objects.filter(number__startswith="S").update(
            created_at=F("reported_at"), updated_at=F("reported_at")
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case" if connection.vendor == "postgresql" else "ANALYZE")
    return county.pk, time.perf_counter() - start


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _lookups(user: object, node: object) -> list[float]:
    """Milliseconds per lookup: every sentence typed in steps of 3 characters."""
    from minqing.textanalysis.similarity import similar_matters

    samples = []
    for _ in range(REPEATS):
        for sentence in TYPED:
            for end in range(4, len(sentence) + 1, 3):
                start = time.perf_counter()
                similar_matters(user, text=sentence[:end], node=node)  # type: ignore[arg-type]
                samples.append(1000 * (time.perf_counter() - start))
    return samples


def _row(name: str, samples: list[float], **checks: object) -> dict[str, object]:
    samples = sorted(samples)
    return {
        "name": name,
        "median_ms": statistics.median(samples),
        "p50_ms": statistics.median(samples),
        "p95_ms": samples[max(int(0.95 * len(samples)) - 1, 0)],
        "unit": "ms",
        "checks": {"lookups": len(samples), **checks},
    }


def run() -> list[dict[str, object]]:
    from minqing.cases.models import Case
    from minqing.cases.services import case_register, case_transition
    from minqing.cases.workflow import OPEN_STATUSES, Action
    from minqing.org.models import Level, Node, User
    from minqing.textanalysis import similar_index
    from minqing.textanalysis.similarity import similar_matters, similar_to_case

    created_index = ensure_updated_at_index()
    county_id, load_s = load_open_matters(TOTAL)
    open_count = Case.objects.filter(county_id=county_id, status__in=OPEN_STATUSES).count()
    admin = User.objects.get(username="admin")
    township_user = User.objects.get(username="zhen_ganbu")
    group = (
        Node.objects.filter(level=Level.GROUP, path__startswith=township_user.node.path)
        .order_by("code")
        .first()
    )

    similar_index.reset()
    similar_index._release_memory()  # what loading left behind is not the index's
    rss = _rss_bytes()
    index = similar_index.CountyIndex(county_id, 90).build()
    rss_growth = _rss_bytes() - rss
    with similar_index._registry_lock:
        similar_index._indexes[county_id] = index
    rows: list[dict[str, object]] = [
        {"name": f"similar index build, {index.n_docs:,} candidate matters", "median":
         index.build_seconds, "unit": "s", "checks": {"bulk_load_s": round(load_s, 1),
         "open_in_county": open_count, "updated_at_index_created_here": created_index}},
        {"name": "similar index memory (arrays / process RSS growth)", "median":
         index.memory_bytes() / 2**20, "unit": "MiB",
         "checks": {"rss_growth_mib": round(rss_growth / 2**20, 1)}},
    ]  # fmt: skip
    similar_matters(admin, text="水井干了", node=group)  # first lookup after the build
    county_samples = _lookups(admin, group)
    sample = similar_matters(admin, text=TYPED[0], node=group)
    rows.append(
        _row(f"similar lookup, {open_count // 1000}k open (county scope)", county_samples,
             top=[(m.case.number, round(m.score, 2), m.shared[:3]) for m in sample[:3]])
    )  # fmt: skip
    township_samples = _lookups(township_user, group)
    rows.append(
        _row(f"similar lookup, {open_count // 1000}k open (township scope)", township_samples)
    )
    page_case = Case.objects.filter(node=group, number__startswith="S").first()
    page_samples = []
    for _ in range(REPEATS * 4):
        start = time.perf_counter()
        similar_to_case(admin, page_case)
        page_samples.append(1000 * (time.perf_counter() - start))
    rows.append(_row("similar matters for a case page (county scope)", page_samples))

    # Freshness: registered after the build → found by the next lookup; merged → gone.
    text = f"{group.parent.name}{group.name}新修的蓄水池渗水严重，墙面开裂，担心垮塌伤人。"
    new, _ = case_register(
        actor=None, node=group, channel="hotline", nature="help", original_text=text,
        reporter_name="测试",
    )  # fmt: skip
    start = time.perf_counter()
    after_register = similar_matters(admin, text=text, node=group)
    first_ms = 1000 * (time.perf_counter() - start)
    found = new.pk in {m.case.pk for m in after_register}
    case_transition(case=new, action=Action.MERGE, actor=None, parent=page_case)
    gone = new.pk not in {m.case.pk for m in similar_matters(admin, text=text, node=group)}
    rows.append(
        {"name": "similar lookup right after a registration (refresh included)",
         "median": first_ms, "unit": "ms",
         "checks": {"new_case_found": found, "merged_case_gone": gone,
                    "index_rebuilt": similar_index._indexes[county_id] is not index}}
    )  # fmt: skip
    return rows
