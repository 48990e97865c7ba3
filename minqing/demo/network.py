"""The demo county's liaison network: zones, Party members, household tags, each group's
leader, members, linked Party member and liaison, contact households held by township
cadres, and contact cards mostly handed out — so `make run` shows coverage, shortfalls,
the network map and an issuance rate below target, all with deliberate gaps to work on.

Bulk inserts, not the services: tens of thousands of rows in a few seconds. The demo's
own bulk-load audit record covers them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import islice

from django.utils import timezone

from minqing.households.cards import TOKEN_ALPHABET, TOKEN_LENGTH
from minqing.households.contacts import quota_for
from minqing.households.models import (
    ContactAssignment,
    ContactCard,
    ContactRules,
    GroupPost,
    GroupPostKind,
    Household,
    Liaison,
    LiaisonBackground,
    Resident,
    Tag,
)
from minqing.org.models import Level, Node, User
from minqing.org.roles import Role
from minqing.org.scoping import under

ZONES = ("东片区", "西片区", "中片区")
# Share of households carrying each tag: the four target groups and contact types.
TAG_SHARES = {"hardship": 0.06, "special": 0.02, "relocated": 0.01, "migrant": 0.03,
              "old_party_member": 0.02, "retired_cadre": 0.005, "self_employed": 0.03,
              "tech_demo": 0.005, "petitioner": 0.004}  # fmt: skip
PROFILES = [
    ("户主患慢性病，常年服药，医疗支出大。", "务农，种植水稻约三亩，年收入较低。"),
    ("家中老人瘫痪在床，需要专人照护。", "子女在外务工，每月寄回部分生活费。"),
    ("房屋老旧，雨季漏水，已申请危房改造。", "打零工为主，收入不稳定。"),
    ("子女在读大学，学费负担重。", "养殖生猪十余头，受行情影响较大。"),
]
PARTY_SHARE = 0.07
LIAISON_GAP = 0.03  # groups left without a liaison, for the coverage warnings
BACKGROUNDS = [LiaisonBackground.OLD_PARTY_MEMBER, LiaisonBackground.RETIRED_CADRE,
               LiaisonBackground.VETERAN, LiaisonBackground.GROUP_LEADER]  # fmt: skip


def _chunks[T](items: Iterable[T], size: int = 900) -> Iterable[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def load_demo_network(*, county: Node, rng: random.Random, hotline: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    ContactRules.objects.update_or_create(county=county, defaults={"hotline": hotline})
    villages = list(Node.objects.filter(under(county), level=Level.VILLAGE))
    for members in _by(villages, "parent_id").values():
        for index, village in enumerate(sorted(members, key=lambda v: v.code)):
            village.zone = ZONES[index * len(ZONES) // len(members)]
    Node.objects.bulk_update(villages, ["zone"], batch_size=900)

    households = list(
        Household.objects.filter(under(county, "group__path"))
        .order_by("pk")
        .values_list("pk", "group_id")
    )
    counts["tagged"] = _tag_households(county, [pk for pk, _g in households], rng)
    residents = list(
        Resident.objects.filter(under(county, "household__group__path"))
        .order_by("pk")
        .values_list("pk", "household__group_id", "name", "phone", "birth_date")
    )
    adults = [r for r in residents if r[4] and r[4] < dt.date(2008, 1, 1)]
    party = set(pk for pk, *_rest in adults if rng.random() < PARTY_SHARE)
    for chunk in _chunks(sorted(party)):
        Resident.objects.filter(pk__in=chunk).update(is_party_member=True)
    counts["party_member"] = len(party)

    by_group = _by(adults, 1)
    admin = User.objects.filter(role=Role.COUNTY_ADMIN, node=county).order_by("pk").first()
    counts |= _posts_and_liaisons(county, by_group, party, admin, rng)
    counts["contact"] = _contacts(county, admin, rng)
    counts["card"] = _cards([pk for pk, _g in households], admin, rng)
    return counts


def _by[T](rows: Sequence[T], key: str | int) -> dict[object, list[T]]:
    grouped: dict[object, list[T]] = defaultdict(list)
    for row in rows:
        grouped[row[key] if isinstance(key, int) else getattr(row, key)].append(row)  # type: ignore[index]
    return grouped


def _tag_households(county: Node, household_ids: list[int], rng: random.Random) -> int:
    tags = {t.code: t for t in Tag.objects.filter(county=county)}
    through = Household.tags.through
    rows = [
        through(household_id=pk, tag_id=tags[code].pk)
        for pk in household_ids
        for code, share in TAG_SHARES.items()
        if code in tags and rng.random() < share
    ]
    through.objects.bulk_create(rows, batch_size=2000)
    # The 四知四清 profile of hardship households, so their 民情档案 is not blank.
    hardship = [r.household_id for r in rows if r.tag_id == tags["hardship"].pk]
    for index, chunk in enumerate(_chunks(hardship, 300)):
        hardship_text, economy = PROFILES[index % len(PROFILES)]
        Household.objects.filter(pk__in=chunk).update(hardship=hardship_text, economy=economy)
    return len(rows)


def _posts_and_liaisons(
    county: Node,
    by_group: dict[object, list[tuple]],
    party: set[int],
    admin: User | None,
    rng: random.Random,
) -> dict[str, int]:
    groups = Node.objects.filter(under(county), level=Level.GROUP).select_related("parent")
    posts: list[GroupPost] = []
    liaisons: list[Liaison] = []
    sequence: dict[int, int] = defaultdict(int)
    appointed = dt.date(2026, 3, 1)
    for group in groups.order_by("code"):
        people = by_group.get(group.pk, [])
        if len(people) < 3:
            continue
        leader, member, liaison = rng.sample(people, 3)
        members = [p for p in people if p[0] in party] or [member]
        linked = rng.choice(members)
        for kind, person in ((GroupPostKind.LEADER, leader), (GroupPostKind.MEMBER, member),
                             (GroupPostKind.PARTY_LINK, linked)):  # fmt: skip
            posts.append(GroupPost(group=group, kind=kind, name=person[2], phone=person[3],
                                   resident_id=person[0]))  # fmt: skip
        if admin is None or rng.random() < LIAISON_GAP:
            continue
        sequence[group.parent_id] += 1
        liaisons.append(
            Liaison(
                group=group, name=liaison[2], phone=liaison[3] or "13800000000",
                background=rng.choice(BACKGROUNDS), resident_id=liaison[0],
                letter_number=f"民联聘〔2026〕{group.parent.code}-{sequence[group.parent_id]:03d}号",
                appointed_on=appointed, term_until=dt.date(2028, 2, 29), appointed_by=admin,
                duties="收集本小组群众意见建议，及时报告；宣传政策；协助调处矛盾纠纷。",
            )
        )  # fmt: skip
    GroupPost.objects.bulk_create(posts, batch_size=2000)
    Liaison.objects.bulk_create(liaisons, batch_size=2000)
    return {"group_post": len(posts), "liaison": len(liaisons)}


def _contacts(county: Node, admin: User | None, rng: random.Random) -> int:
    """Each township cadre links one village and holds most of its quota, tagged first."""
    if admin is None:
        return 0
    rules = ContactRules.objects.get(county=county)
    villages = _by(list(Node.objects.filter(under(county), level=Level.VILLAGE)), "parent_id")
    cadres = User.objects.filter(
        under(county, "node__path"), role__in=[Role.TOWNSHIP_LEADER, Role.TOWNSHIP_STAFF]
    ).order_by("pk")
    homes: dict[object, list[int]] = defaultdict(list)
    for pk, village_id in Household.objects.filter(under(county, "group__path")).values_list(
        "pk", "group__parent_id"
    ):
        homes[village_id].append(pk)
    tagged = set(
        Household.tags.through.objects.filter(under(county, "household__group__path")).values_list(
            "household_id", flat=True
        )
    )
    taken: set[int] = set()
    rows: list[ContactAssignment] = []
    linked: list[User] = []
    for index, cadre in enumerate(cadres):
        options = villages.get(cadre.node_id, [])
        if not options:
            continue
        village = options[index % len(options)]
        cadre.linked_village = village
        linked.append(cadre)
        quota = quota_for(cadre, rules, village).target
        # Some cadres are still short, so the shortfall warnings have something to show.
        wanted = quota if rng.random() < 0.7 else rng.randint(quota // 3, quota - 1)
        pool = [pk for pk in homes.get(village.pk, []) if pk not in taken]
        chosen = sorted(pool, key=lambda pk: (pk not in tagged, pk))[:wanted]
        taken.update(chosen)
        rows += [
            ContactAssignment(cadre=cadre, household_id=pk, assigned_by=admin) for pk in chosen
        ]
    User.objects.bulk_update(linked, ["linked_village"], batch_size=900)
    ContactAssignment.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _cards(household_ids: list[int], admin: User | None, rng: random.Random) -> int:
    """A card for every household; most handed out, a tenth still waiting."""
    now = timezone.now()
    tokens: set[str] = set()
    cards = []
    for pk in household_ids:
        token = "".join(rng.choices(TOKEN_ALPHABET, k=TOKEN_LENGTH))
        while token in tokens:
            token = "".join(rng.choices(TOKEN_ALPHABET, k=TOKEN_LENGTH))
        tokens.add(token)
        issued = admin is not None and rng.random() < 0.9
        cards.append(
            ContactCard(
                household_id=pk, token=token, printed_at=now,
                issued_at=now - dt.timedelta(days=rng.randint(1, 200)) if issued else None,
                issued_by=admin if issued else None, received_by="户主" if issued else "",
            )
        )  # fmt: skip
    ContactCard.objects.bulk_create(cards, batch_size=2000)
    return len(cards)
