"""The shape of the demo: the scales, and each county's tree of townships, villages and groups.

Codes follow the national statistical convention (GB/T 2260 + 统计用区划代码): within a
county, 街道 are numbered 001-099, 镇 101-199, 乡 201-299; within a township, 社区
(居委会) are 001-199 and 村 201-399. Groups extend their village's code by 3 digits.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from minqing.demo import names
from minqing.org.models import Level


@dataclass(frozen=True)
class Scale:
    name: str
    counties: int
    households_per_county: int
    # Township kinds of the first county, in code order; later counties draw their own mix.
    first_county_townships: tuple[str, ...]
    villages_per_township: Mapping[str, tuple[int, int]]
    groups_per_village: tuple[int, int]


_COUNTY_TOWNSHIPS = ("街道", "街道", "镇", "镇", "镇", "镇", "乡", "乡")
_COUNTY_VILLAGES = {"街道": (8, 12), "镇": (12, 18), "乡": (8, 13)}
SCALES: dict[str, Scale] = {
    "small": Scale("small", 1, 600, ("街道", "镇"), {"街道": (3, 3), "镇": (3, 3)}, (4, 6)),
    "county": Scale("county", 1, 30_000, _COUNTY_TOWNSHIPS, _COUNTY_VILLAGES, (4, 12)),
    "province": Scale("province", 60, 35_000, _COUNTY_TOWNSHIPS, _COUNTY_VILLAGES, (4, 12)),
}

FIRST_COUNTY_NAME = "清溪县"
# Fictional prefectures 5227-5230 of a Guizhou-style province; county serials 40-54 are not
# used by any real county there, so the demo never collides with a real division code.
_COUNTIES_PER_PREFECTURE = 15
_AREA_CODES = ("0854", "0855", "0856", "0857")
# Each county owns 40 four-digit mobile "HLR" blocks (digits 4-7 of a mobile number are
# allocated by city in reality), which makes phone numbers unique across the whole province.
PHONE_BLOCKS_PER_COUNTY = 40


def county_code(index: int) -> str:
    prefecture, serial = divmod(index, _COUNTIES_PER_PREFECTURE)
    return f"52{27 + prefecture:02d}{40 + serial:02d}000000"


FIRST_COUNTY_CODE = county_code(0)
ALL_DEMO_COUNTY_CODES: tuple[str, ...] = tuple(
    county_code(i) for i in range(max(s.counties for s in SCALES.values()))
)


def county_names(seed: int, count: int) -> list[str]:
    """清溪县 first, then distinct two-character names drawn once for the whole province."""
    pool = [
        f"{a}{b}县"
        for a in names.COUNTY_FIRST
        for b in names.COUNTY_SECOND
        if a != b and f"{a}{b}县" != FIRST_COUNTY_NAME
    ]
    random.Random(f"{seed}:counties").shuffle(pool)
    return [FIRST_COUNTY_NAME, *pool[: count - 1]]


class PkAllocator:
    """Hands out primary keys so rows can reference each other before they are inserted."""

    def __init__(self, start: Mapping[str, int]) -> None:
        self.next: dict[str, int] = dict(start)

    def take(self, key: str) -> int:
        value = self.next[key]
        self.next[key] = value + 1
        return value


@dataclass(eq=False)
class NodePlan:
    pk: int
    level: str
    code: str
    name: str
    kind: str  # 县, 街道/镇/乡, 社区/村, 组/网格: drives names, posts and addresses
    parent: NodePlan | None
    children: list[NodePlan] = field(default_factory=list)
    households: int = 0
    population: int = 0
    surnames: tuple[str, ...] = ()  # a village's one or two big clans
    address: str = ""

    @property
    def full_name(self) -> str:
        """清溪县石桥镇柳塘村三组: the way addresses and the accounts table name a place."""
        return (self.parent.full_name if self.parent else "") + self.name

    def walk(self) -> list[NodePlan]:
        nodes = [self]
        for child in self.children:
            nodes.extend(child.walk())
        return nodes


@dataclass(eq=False)
class CountyPlan:
    index: int
    root: NodePlan
    area_code: str
    phone_block_base: int

    @property
    def townships(self) -> list[NodePlan]:
        return self.root.children

    @property
    def groups(self) -> list[NodePlan]:
        return [g for t in self.townships for v in t.children for g in v.children]


def plan_county(
    rng: random.Random, index: int, name: str, scale: Scale, pks: PkAllocator
) -> CountyPlan:
    code = county_code(index)
    root = NodePlan(pks.take("node"), Level.COUNTY, code, name, "县", None)
    kinds = scale.first_county_townships if index == 0 else _township_mix(rng)
    places = [a + b for a in names.PLACE_FIRST for b in names.PLACE_SECOND if a != b]
    rng.shuffle(places)
    subdistricts = rng.sample(names.SUBDISTRICT_NAMES, kinds.count("街道"))
    communities = list(names.COMMUNITY_NAMES)
    rng.shuffle(communities)
    serials = {"街道": 0, "镇": 100, "乡": 200}
    for kind in kinds:
        serials[kind] += 1
        base = subdistricts.pop() if kind == "街道" else places.pop()
        township = NodePlan(
            pks.take("node"),
            Level.TOWNSHIP,
            f"{code[:6]}{serials[kind]:03d}000",
            base + kind,
            kind,
            root,
        )
        root.children.append(township)
        _plan_villages(rng, township, base, scale, places, communities, pks)
    _allocate_households(rng, root, scale.households_per_county)
    phone_base = 3000 + index * PHONE_BLOCKS_PER_COUNTY
    area_code = _AREA_CODES[(index // _COUNTIES_PER_PREFECTURE) % len(_AREA_CODES)]
    return CountyPlan(index, root, area_code, phone_base)


def _township_mix(rng: random.Random) -> tuple[str, ...]:
    return ("街道",) * rng.randint(1, 3) + ("镇",) * rng.randint(3, 6) + ("乡",) * rng.randint(1, 4)


def _plan_villages(
    rng: random.Random,
    township: NodePlan,
    town_base: str,
    scale: Scale,
    places: list[str],
    communities: list[str],
    pks: PkAllocator,
) -> None:
    low, high = scale.villages_per_township.get(township.kind, (8, 12))
    count = rng.randint(low, high)
    if township.kind == "街道":  # mostly urban communities, a few suburban villages
        n_communities = max(1, round(count * rng.uniform(0.6, 0.85)))
    elif township.kind == "镇":  # the town seat has a community or two
        n_communities = min(count - 1, rng.randint(1, 2))
    else:
        n_communities = rng.choice((0, 0, 1))
    for i in range(count):
        if i < n_communities:
            # A town's first community carries the town's own name (石桥镇 → 石桥社区).
            own_name = i == 0 and township.kind != "街道"
            base = town_base if own_name else (communities or places).pop()
            kind, serial = "社区", i + 1
        else:
            base, kind, serial = places.pop(), "村", 201 + i - n_communities
        village = NodePlan(
            pks.take("node"),
            Level.VILLAGE,
            f"{township.code[:9]}{serial:03d}",
            base + kind,
            kind,
            township,
            surnames=tuple(rng.choices(names.SURNAMES, cum_weights=names.SURNAME_CUM_WEIGHTS, k=2)),
        )
        township.children.append(village)
        for g in range(1, rng.randint(*scale.groups_per_village) + 1):
            label = f"{names.cn_number(g)}组" if kind == "村" else f"第{names.cn_number(g)}网格"
            village.children.append(
                NodePlan(
                    pks.take("node"),
                    Level.GROUP,
                    f"{village.code}{g:03d}",
                    label,
                    "组" if kind == "村" else "网格",
                    village,
                )
            )


def _allocate_households(rng: random.Random, root: NodePlan, target: int) -> None:
    """Spread exactly `target` households over the groups, urban grids being bigger."""
    weights: list[tuple[NodePlan, float]] = []
    for township in root.children:
        for village in township.children:
            size = rng.uniform(0.6, 1.5) * (2.0 if village.kind == "社区" else 1.0)
            weights.extend((g, size * rng.uniform(0.7, 1.3)) for g in village.children)
    total = sum(w for _, w in weights)
    shares = [(g, target * w / total) for g, w in weights]
    for group, share in shares:
        group.households = max(1, int(share))
    # Largest remainders take the households the rounding left over, so the sum is exact.
    leftover = target - sum(g.households for g, _ in shares)
    by_remainder = sorted(shares, key=lambda gs: gs[1] - int(gs[1]), reverse=True)
    for group, _ in by_remainder[: max(0, leftover)]:
        group.households += 1
