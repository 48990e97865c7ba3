"""The demo county's fieldwork in motion, in its first township: eight weeks of sentiment
diaries (some reviewed, some cadres behind this week), this month's home visits and
residence days, upcoming public visit plans, this month's talk days with sorted register
items, and the deputy's receptions — so quotas, gaps and the public board have something
to show. Plain rows, not the services: the demo's bulk-load audit record covers them.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from minqing.fieldwork.models import (
    DiaryCategory,
    DiaryEntry,
    Reception,
    TalkDay,
    TalkItem,
    TalkLevel,
    TalkPace,
    Visit,
    VisitForm,
    VisitPlan,
)
from minqing.households.models import Household
from minqing.org.models import Level, Node, User
from minqing.org.roles import Role
from minqing.org.scoping import under

DIARY = [
    (
        DiaryCategory.HOT_ISSUES,
        "饮水管道老化",
        "群众反映{place}自来水管道老化，夏季用水高峰时经常停水。",
    ),
    (
        DiaryCategory.DISPUTES,
        "邻里宅基地纠纷",
        "{place}两户因宅基地边界发生争执，情绪较大，需要及时调解。",
    ),
    (
        DiaryCategory.ECONOMY,
        "柑橘销路问题",
        "{place}今年柑橘丰收但收购价低，种植户希望联系电商渠道。",
    ),
    (
        DiaryCategory.APPEARANCE,
        "垃圾清运不及时",
        "{place}垃圾收集点清运不及时，气味较大，群众意见多。",
    ),
    (
        DiaryCategory.CIVILITY,
        "留守老人文化活动少",
        "{place}留守老人多，希望增加文化活动和健康讲座。",
    ),
    (DiaryCategory.DEMOCRACY, "村务公开栏更新慢", "群众反映{place}村务公开栏内容更新不及时。"),
]
TALK = ["希望村里修一下通组路上的坑洼", "申请低保需要准备哪些材料", "水渠堵了下游田灌不上水",
        "建议在广场安装路灯", "邻居家狗经常咬人，请村里协调"]  # fmt: skip


def load_demo_fieldwork(*, county: Node, rng: random.Random) -> dict[str, int]:
    township = Node.objects.filter(level=Level.TOWNSHIP, parent=county).order_by("code").first()
    if township is None:
        return {}
    today = timezone.localdate()
    villages = list(Node.objects.filter(parent=township, level=Level.VILLAGE).order_by("code"))
    cadres = list(
        User.objects.filter(
            under(township, "node__path"),
            role__in=[Role.TOWNSHIP_STAFF, Role.TOWNSHIP_LEADER, Role.VILLAGE_CADRE],
        ).select_related("node")
    )
    leader = next((u for u in cadres if u.role == Role.TOWNSHIP_LEADER), None)
    homes = {
        v.pk: list(
            Household.objects.filter(group__parent=v).order_by("pk").values_list("pk", flat=True)
        )
        for v in villages
    }
    # Every liaison keeps a diary too (seed 000), so they count in "who is behind".
    liaisons = list(
        User.objects.filter(under(township, "node__path"), role=Role.LIAISON).select_related(
            "node__parent"
        )
    )
    counts = {"diary": _diaries(cadres + liaisons, villages, leader, today, rng)}
    counts["visit"] = _visits(cadres, villages, homes, today, rng)
    counts["visit_plan"] = _plans(cadres, villages, today, rng)
    counts["talk_item"] = _talk(villages, cadres, today, rng)
    counts["reception"] = _receptions(township, today, rng)
    return counts


def _village_of(user: User, villages: list[Node], rng: random.Random) -> Node:
    if user.node is not None and user.node.level == Level.VILLAGE:
        return user.node
    if user.node is not None and user.node.level == Level.GROUP:
        return user.node.parent
    return user.linked_village or rng.choice(villages)


def _diaries(cadres, villages, leader, today, rng) -> int:  # type: ignore[no-untyped-def]
    made = 0
    for user in cadres:
        for week in range(8):
            # Most cadres keep one a week; some miss this week, so "who is behind" has names.
            if week == 0 and rng.random() < 0.35:
                continue
            for _n in range(rng.choice([1, 1, 1, 2])):
                village = _village_of(user, villages, rng)
                category, title, text = rng.choice(DIARY)
                day = today - dt.timedelta(days=week * 7 + rng.randint(0, min(6, today.weekday())))
                reviewed = week > 1 and leader is not None and rng.random() < 0.6
                # A liaison writes about their own group: the entry must be in their scope.
                node = user.node if user.role == Role.LIAISON else village
                DiaryEntry.objects.create(
                    author=user, node=node, date=day, place=village.name,
                    category=category, title=title, narrative=text.format(place=village.name),
                    analysis="设施年久失修，管护责任不明确。",
                    measures="报村两委研究，需要时报镇里协调。",
                    reviewed_by=leader if reviewed else None,
                    reviewed_at=timezone.now() if reviewed else None,
                    review_comment="情况清楚，请跟踪落实并记录结果。" if reviewed else "",
                )  # fmt: skip
                made += 1
    return made


def _visits(cadres, villages, homes, today, rng) -> int:  # type: ignore[no-untyped-def]
    made = 0
    first = today.replace(day=1)
    for user in cadres:
        village = _village_of(user, villages, rng)
        pool = homes.get(village.pk, [])
        for _n in range(rng.randint(1, 4) if pool else 0):
            visit = Visit.objects.create(
                visitor=user, node=village, form=rng.choice(list(VisitForm.values)),
                date=first + dt.timedelta(days=rng.randint(0, max(today.day - 1, 0))),
                facts=True, feelings=rng.random() < 0.7, difficulties=rng.random() < 0.5,
                heard="反映家门口排水沟堵塞，下雨积水。", promised="一周内联系村里清理。",
                residence_day=user.role != Role.VILLAGE_CADRE and rng.random() < 0.4,
            )  # fmt: skip
            visit.households.set(rng.sample(pool, k=min(len(pool), rng.randint(1, 3))))
            made += 1
    return made


def _plans(cadres, villages, today, rng) -> int:  # type: ignore[no-untyped-def]
    officials = [u for u in cadres if u.role in (Role.TOWNSHIP_LEADER, Role.TOWNSHIP_STAFF)]
    made = 0
    for user in officials[:4]:
        village = rng.choice(villages)
        start = timezone.make_aware(
            dt.datetime.combine(today + dt.timedelta(days=rng.randint(1, 14)), dt.time(9, 30))
        )
        VisitPlan.objects.create(
            visitor=user, node=village, form=VisitForm.FIXED, starts_at=start,
            place=f"{village.name}党群服务中心", duty=f"{user.post}，接待群众来访",
            created_by=user,
        )  # fmt: skip
        made += 1
    return made


def _talk(villages, cadres, today, rng) -> int:  # type: ignore[no-untyped-def]
    made = 0
    first = today.replace(day=1)
    wednesdays = [first + dt.timedelta(days=d) for d in range(31)
                  if (first + dt.timedelta(days=d)).month == first.month
                  and (first + dt.timedelta(days=d)).weekday() == 2]  # fmt: skip
    for village in villages[:3]:
        on_duty = [u for u in cadres if u.node_id == village.pk]
        for day in wednesdays:
            talk_day = TalkDay.objects.create(node=village, date=day)
            talk_day.on_duty.set(on_duty[:2])
            if day > today:
                continue
            for text in rng.sample(TALK, k=2):
                TalkItem.objects.create(
                    talk_day=talk_day, text=text, speaker="村民",
                    pace=rng.choice(list(TalkPace.values)),
                    level=rng.choice(list(TalkLevel.values)),
                    responsible=on_duty[0] if on_duty else None, promise="两周内答复",
                )  # fmt: skip
                made += 1
    return made


def _receptions(township: Node, today: dt.date, rng: random.Random) -> int:
    deputies = User.objects.filter(role=Role.DEPUTY, node=township)
    made = 0
    for deputy in deputies:
        for n in range(rng.randint(1, 2)):
            Reception.objects.create(
                deputy=deputy, node=township, date=today.replace(day=1) + dt.timedelta(days=n * 7),
                collective=n == 0, visitors=rng.randint(3, 12),
                record="群众集中反映农村客运班次少、出行不便，建议增开班次。",
            )  # fmt: skip
            made += 1
    return made
