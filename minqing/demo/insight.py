"""Demo hot spots: a believable cluster so `make run` shows the 热点 card at once — seven
households of the county's first community report the same old well within ten days — and
a smaller one across two villages of a town (a pig farm's smell and run-off), registered
through `case_register` like any matter, then the daily hot-spot job is run once."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from minqing.cases.models import Case, Channel, Nature, Urgency
from minqing.cases.services import case_register, case_transition
from minqing.households.models import Household
from minqing.org.models import Level, Node
from minqing.org.scoping import under
from minqing.textanalysis.services import hotspots_refresh

# (summary the clerk wrote, the resident's words, nature)
WELL = [
    (
        "老街水井水发浑",
        "老街公用水井这几天水发浑，烧开后有沉淀，家里老人孩子都靠水井吃水，担心出问题。",
        Nature.HELP,
    ),
    (
        "水井水有怪味",
        "水井的水有股怪味，已经好几天不敢直接喝了，希望社区请人检测一下水井水质。",
        Nature.HELP,
    ),
    (
        "水井水浑浊盼改造",
        "我们几户还在用老水井吃水，最近井水浑浊，水质越来越差，能不能想想办法？",
        Nature.SUGGESTION,
    ),
    ("水井旁倒垃圾", "水井旁边有人倒垃圾，下雨后污水流进水井，吃水没有保障。", Nature.COMPLAINT),
    ("水井水位下降", "老水井的水位下降很快，早上去水井打水经常打不上来，饮水困难。", Nature.HELP),
    (
        "喝井水后腹泻疑水井污染",
        "家里小孩喝了井水后拉肚子，怀疑水井被污染了，请尽快检测水质。",
        Nature.HELP,
    ),
    (
        "水井年久失修",
        "水井年久失修，井口没有盖板，水质差，建议社区组织维修水井。",
        Nature.SUGGESTION,
    ),
]
WELL_DAYS = [9, 7, 6, 4, 3, 1, 0]
FARM = [
    ("养猪场臭味大", "村边养猪场臭味很大，夏天门窗都不敢开，影响休息。", Nature.COMPLAINT),
    ("养猪场粪水排沟", "养猪场的粪水直接排到沟里，下游的田都被污染了。", Nature.REPORT),
    ("养猪场臭气苍蝇多", "养猪场臭气熏天，苍蝇特别多，希望环保部门查一查。", Nature.COMPLAINT),
    ("养猪场粪污排河沟", "养猪场粪污没有处理就往河沟里排，气味很大，请管一管。", Nature.REPORT),
    ("养猪场离住户太近", "养猪场离住户太近，臭味和粪水污染越来越严重。", Nature.COMPLAINT),
    ("养猪场污染河沟", "反映养猪场污染问题：粪水排进河沟，臭味很大。", Nature.COMPLAINT),
]
# (village index, days ago): two in the previous window, then two in each village.
FARM_PLAN = [(0, 19), (1, 17), (0, 8), (1, 6), (0, 4), (1, 2)]
CHANNELS = [Channel.HOTLINE, Channel.HOME_VISIT, Channel.WALK_IN, Channel.TALK_DAY,
            Channel.CONTACT_HOUSEHOLD, Channel.MESSAGE]  # fmt: skip


def _households(village: Node, n: int, rng: random.Random) -> list[Household]:
    """n households of the village, from as many different groups as it has."""
    by_group: dict[int, list[Household]] = {}
    for h in Household.objects.filter(group__parent=village).order_by("code")[:400]:
        by_group.setdefault(h.group_id, []).append(h)
    pools = [rng.sample(hs, len(hs)) for hs in by_group.values()]
    out: list[Household] = []
    while len(out) < n and any(pools):
        for pool in pools:
            if pool and len(out) < n:
                out.append(pool.pop())
    return out


def _register(
    *, village: Node, household: Household | None, title: str, text: str, nature: str,
    days_ago: int, key: str, rng: random.Random, now: dt.datetime,
) -> Case | None:  # fmt: skip
    """The new case, or None when the key was registered before."""
    node = household.group if household else village
    case, created = case_register(
        actor=None,
        node=node,
        channel=rng.choice(CHANNELS),
        nature=nature,
        urgency=Urgency.IMPORTANT if "安全" in text or "污染" in text else Urgency.NORMAL,
        original_text=text,
        title=title,
        reporter_name=household.head_name if household else "匿名群众",
        reporter_phone=household.phone if household else "",
        households=[household] if household else [],
        reported_at=now - dt.timedelta(days=days_ago, hours=rng.randrange(1, 9)),
        idempotency_key=key,
    )
    return case if created else None


def load_demo_insight(*, county: Node, rng: random.Random) -> dict[str, int]:
    """Register the two demo clusters (idempotent by key) and compute the hot spots."""
    now = timezone.now()
    villages = list(Node.objects.filter(under(county), level=Level.VILLAGE).order_by("code"))
    if not villages:
        return {"hot_case": 0}
    first = villages[0]  # 玉屏街道 春晖社区 in the default demo
    made = 0
    people: list[Household | None] = list(_households(first, len(WELL) + 1, rng))
    people += [None] * (len(WELL) + 1 - len(people))
    neighbour = people.pop()
    first_case = None
    for i, ((title, text, nature), days, household) in enumerate(
        zip(WELL, WELL_DAYS, people, strict=True)
    ):
        case = _register(
            village=first, household=household, title=title, text=text, nature=nature,
            days_ago=days, key=f"demo-insight-{county.code}-well-{i}", rng=rng, now=now,
        )  # fmt: skip
        made += case is not None
        first_case = first_case or case
    # A neighbour phones about the same well; the clerk merges it into the first (并单):
    # support for that matter, not a second one.
    again = _register(
        village=first, household=neighbour, title="老街水井水发浑", nature=Nature.HELP,
        text="还是老街那口水井，水越来越浑，烧开了也有沉淀。", days_ago=8,
        key=f"demo-insight-{county.code}-well-merged", rng=rng, now=now,
    )  # fmt: skip
    made += again is not None
    if again is not None and first_case is not None:
        case_transition(
            case=again, action="merge", actor=None, parent=first_case,
            note="与老街水井水发浑为同一事项",
        )  # fmt: skip
    # The second cluster: the first town (镇, codes 101–199) with two villages (村, 201+).
    towns = [v for v in villages if v.path[6:9] >= "101" and v.path[9:12] >= "201"]
    pair: list[Node] = []
    for v in towns:
        if not pair or v.parent_id == pair[0].parent_id:
            pair.append(v)
        if len(pair) == 2:
            break
    if len(pair) == 2:
        pools = [_households(v, 3, rng) for v in pair]
        for i, ((title, text, nature), (which, days)) in enumerate(
            zip(FARM, FARM_PLAN, strict=True)
        ):
            pool = pools[which]
            case = _register(
                village=pair[which], household=pool.pop() if pool else None, title=title,
                text=text, nature=nature, days_ago=days,
                key=f"demo-insight-{county.code}-farm-{i}", rng=rng, now=now,
            )  # fmt: skip
            made += case is not None
    result = hotspots_refresh(county=county)
    return {"hot_case": made, "hot_spot": result["clusters"], "hot_alert": result["alerted"]}
