"""Demo cases: a county's case loop already in motion, so `make run` shows work queues,
timelines, overdue matters and a supervisor's tracked list — all made through the real
services (registration numbers, timeline, audit, notifications), not raw rows."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from minqing.cases.models import Channel, Nature, Urgency
from minqing.cases.services import case_register, case_transition, deadlines_scan
from minqing.households.models import Household
from minqing.org.models import Level, Node, Unit, UnitKind, User
from minqing.org.scoping import under

MATTERS = [
    ("{place}村口路灯坏了一个多月，晚上老人出门看不清路。", Nature.HELP),
    ("{place}通组公路有一段塌方，下雨天车辆过不去，希望尽快修复。", Nature.HELP),
    ("{place}自来水这几天发黄，有异味，担心影响饮水安全。", Nature.COMPLAINT),
    ("家里老人瘫痪在床，想咨询低保和残疾人补贴怎么申请。", Nature.CONSULT),
    ("和邻居因为宅基地边界吵了好几次，请村里帮忙调解。", Nature.HELP),
    ("{place}垃圾收集点好几天没人清运，气味很大。", Nature.COMPLAINT),
    ("孩子今年上小学，户口在外地，想问入学需要哪些材料。", Nature.CONSULT),
    ("新农合报销比例看不懂，去年住院的费用还没报下来。", Nature.CONSULT),
    ("{place}有人在河道边新盖了房子，怀疑是违章建筑。", Nature.REPORT),
    ("建议在{place}小广场增加几盏灯和健身器材。", Nature.SUGGESTION),
    ("危房改造补助申请交上去两个月了，不知道进展。", Nature.HELP),
    ("{place}灌溉渠堵了，下游的田灌不上水。", Nature.HELP),
    ("网格员小陈每次都上门帮忙，特别感谢！", Nature.PRAISE),
]
NAMES = "王秀英 李建国 张桂兰 刘德明 陈志强 杨玉珍 黄海涛 赵春梅 吴国平 周丽华".split()
CHANNELS = [Channel.HOTLINE, Channel.HOME_VISIT, Channel.WALK_IN, Channel.TALK_DAY,
            Channel.CONTACT_HOUSEHOLD, Channel.MESSAGE]  # fmt: skip
# How far along the loop each demo case goes (in order of the steps below).
STAGES = [0] * 3 + [1] * 4 + [2] * 3 + [3] * 4 + [4] * 2 + [5] * 4 + [6] * 5 + [7] * 5


def load_demo_cases(*, county: Node, rng: random.Random, count: int = 60) -> int:
    """Register `count` matters in the county's first townships and move each along."""
    now = timezone.now()
    stations = {
        u.node_id: u
        for u in Unit.objects.filter(under(county, "node__path"), kind=UnitKind.STATION)
    }
    cadres = {}
    for user in User.objects.filter(unit__in=stations.values(), is_active=True).order_by("pk"):
        cadres.setdefault(user.unit_id, user)
    staffed = [node_id for node_id, unit in stations.items() if unit.pk in cadres]
    groups = list(
        Node.objects.filter(level=Level.GROUP, parent_id__in=staffed)
        .select_related("parent__parent")
        .order_by("code")[:200]
    )
    made = 0
    for index in range(count if groups else 0):
        group = rng.choice(groups)
        station = stations[group.parent_id]
        cadre = cadres[station.pk]
        text, nature = rng.choice(MATTERS)
        household = Household.objects.filter(group=group).order_by("?").first()
        # Some matters came in weeks ago, so the deadline scan finds them overdue.
        reported = now - dt.timedelta(days=rng.choice([0, 1, 2, 3, 5, 9, 12, 20, 35]))
        case, created = case_register(
            actor=None,
            node=group,
            channel=rng.choice(CHANNELS),
            nature=nature,
            urgency=rng.choice([Urgency.NORMAL] * 6 + [Urgency.IMPORTANT] * 3 + [Urgency.URGENT]),
            original_text=text.format(place=f"{group.parent.name}{group.name}"),
            reporter_name=household.head_name if household else rng.choice(NAMES),
            reporter_phone=household.phone if household else "",
            households=[household] if household else [],
            reported_at=reported,
            idempotency_key=f"demo-{county.code}-{index}",
        )
        if created:  # a re-run finds its cases by key and leaves them where they are
            _advance(case, STAGES[index % len(STAGES)], station, cadre, rng)
        made += 1
    deadlines_scan(now=now)
    return made


def _advance(case: object, stage: int, station: Unit, cadre: User, rng: random.Random) -> None:
    steps = [
        ("assign", {"unit": station, "note": "请村(社区)核实处理"}),
        ("accept", {}),
        ("start", {}),
        ("first_contact", {"note": "已电话联系反映人，约定上门查看"}),
        ("resolve", {"answer": "已协调有关单位处理完毕，现场核实问题已解决。"}),
        ("answer", {"answer_method": rng.choice(["phone", "visit", "sms"])}),
        ("rate", {"rating": rng.choice(["satisfied"] * 5 + ["basically"] * 2)}),
    ]  # fmt: skip
    for action, extra in steps[:stage]:
        case = case_transition(case=case, action=action, actor=cadre, **extra)  # type: ignore[arg-type]
