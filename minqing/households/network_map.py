"""The liaison network map of one township (seed 000 item 3, 一张联络服务网络图).

township → zones (片区) → villages → groups, and per group: its leader, members, linked Party
members (联户党员), active liaisons, and the counts of households, hardship households and
Party members. Read through the user's scope, with a fixed number of queries whatever the
township's size: one per level and one aggregate per count, never one per group.

Who sees which township: users whose scope contains it see all of it; users inside it (a
village cadre, a group's liaison) may open their own township's map but see only the
villages and groups in their scope, and the map says so (`partial`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils.translation import gettext as _

from minqing.households.models import (
    GroupPost,
    GroupPostKind,
    Household,
    Liaison,
    LiaisonBackground,
    Resident,
)
from minqing.households.privacy import network_phone_for
from minqing.org.models import PATH_WIDTH, Level, Node
from minqing.org.scoping import get_in_scope_or_404, under, user_scope_path, within

HARDSHIP_TAG = "hardship"


@dataclass(frozen=True)
class Person:
    name: str
    phone: str = ""
    note: str = ""  # a post's duties or a liaison's background

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "phone": self.phone, "note": self.note}


@dataclass(frozen=True)
class Counts:
    households: int = 0
    hardship: int = 0
    party_members: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.households + other.households,
            self.hardship + other.hardship,
            self.party_members + other.party_members,
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "households": self.households,
            "hardship": self.hardship,
            "party_members": self.party_members,
        }


@dataclass
class GroupEntry:
    node: Node
    counts: Counts = field(default_factory=Counts)
    leaders: list[Person] = field(default_factory=list)
    members: list[Person] = field(default_factory=list)
    party_links: list[Person] = field(default_factory=list)
    liaisons: list[Person] = field(default_factory=list)

    @property
    def people_columns(self) -> list[list[Person]]:
        """Leaders, members, linked Party members, liaisons: the map's columns, in order."""
        return [self.leaders, self.members, self.party_links, self.liaisons]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "group",
            "code": self.node.code,
            "name": self.node.name,
            **self.counts.as_dict(),
            "leaders": [p.as_dict() for p in self.leaders],
            "members": [p.as_dict() for p in self.members],
            "party_links": [p.as_dict() for p in self.party_links],
            "liaisons": [p.as_dict() for p in self.liaisons],
        }


@dataclass
class VillageEntry:
    node: Node
    zone: str
    groups: list[GroupEntry] = field(default_factory=list)
    # The whole village is in the user's scope (so its own network pages open for them).
    whole: bool = True

    @property
    def counts(self) -> Counts:
        return sum((g.counts for g in self.groups), Counts())

    @property
    def liaison_count(self) -> int:
        return sum(len(g.liaisons) for g in self.groups)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "village",
            "code": self.node.code,
            "name": self.node.name,
            "zone": self.zone,
            "group_count": len(self.groups),
            "liaison_count": self.liaison_count,
            **self.counts.as_dict(),
            "groups": [g.as_dict() for g in self.groups],
        }


@dataclass
class ZoneEntry:
    name: str
    villages: list[VillageEntry] = field(default_factory=list)

    @property
    def counts(self) -> Counts:
        return sum((v.counts for v in self.villages), Counts())

    @property
    def group_count(self) -> int:
        return sum(len(v.groups) for v in self.villages)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "zone",
            "name": self.name,
            "village_count": len(self.villages),
            "group_count": self.group_count,
            "liaison_count": sum(v.liaison_count for v in self.villages),
            **self.counts.as_dict(),
            "villages": [v.as_dict() for v in self.villages],
        }


@dataclass
class NetworkMap:
    township: Node
    zones: list[ZoneEntry]
    # True when the user sees only part of the township (their own village or group).
    partial: bool

    @property
    def villages(self) -> list[VillageEntry]:
        return [v for z in self.zones for v in z.villages]

    @property
    def counts(self) -> Counts:
        return sum((z.counts for z in self.zones), Counts())

    @property
    def group_count(self) -> int:
        return sum(z.group_count for z in self.zones)

    @property
    def liaison_count(self) -> int:
        return sum(v.liaison_count for v in self.villages)

    @property
    def title(self) -> str:
        return _("%(township)s民情民意联络服务网络图") % {"township": self.township.name}

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "township",
            "code": self.township.code,
            "name": self.township.name,
            "title": self.title,
            "partial": self.partial,
            "village_count": len(self.villages),
            "group_count": self.group_count,
            "liaison_count": self.liaison_count,
            **self.counts.as_dict(),
            "zones": [z.as_dict() for z in self.zones],
        }


def township_for(request: HttpRequest, code: str) -> Node:
    """The township whose map the user may open, or 404 (logged when it exists elsewhere).

    Users above or at township level: any township in their scope. Users below it: only the
    township they work in (and they will see only their part of it).
    """
    townships = Node.objects.filter(level=Level.TOWNSHIP)
    path = user_scope_path(request.user)
    if path is not None and len(path) > PATH_WIDTH[Level.TOWNSHIP]:
        townships = townships.filter(path=path[: PATH_WIDTH[Level.TOWNSHIP]])
    else:
        townships = townships.for_user(request.user)
    return get_in_scope_or_404(townships, request, code=code)


def _visible(path_field: str, scope: str) -> Q:
    """Rows whose node is within the scope, or (for villages) contains it."""
    return under(scope, path_field) | Q(
        **{f"{path_field}__in": [scope[:w] for w in PATH_WIDTH.values() if w < len(scope)]}
    )


def build_network_map(user: Any, township: Node) -> NetworkMap:
    """The township's network as the user may see it: 7 queries, whatever its size."""
    scope = user_scope_path(user) or "-"
    villages = list(
        Node.objects.filter(_visible("path", scope), under(township), level=Level.VILLAGE)
        .only("code", "path", "name", "zone", "parent_id", "level")
        .order_by("code")
    )
    groups = list(
        Node.objects.for_user(user)
        .filter(under(township), level=Level.GROUP)
        .only("code", "path", "name", "parent_id", "level")
        .order_by("code")
    )
    in_township = under(township, "group__path")

    households = (
        Household.objects.for_user(user)
        .filter(in_township)
        .values("group_id")
        .annotate(
            n=Count("id", distinct=True),
            hardship=Count("id", filter=Q(tags__code=HARDSHIP_TAG), distinct=True),
        )
        .order_by()
    )
    party = (
        Resident.objects.for_user(user)
        .filter(under(township, "household__group__path"), is_party_member=True)
        .values("household__group_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    party_by_group = {row["household__group_id"]: row["n"] for row in party}
    counts = {
        row["group_id"]: Counts(row["n"], row["hardship"], party_by_group.pop(row["group_id"], 0))
        for row in households
    }
    for group_id, n in party_by_group.items():  # cannot happen, but never drop a number
        counts[group_id] = Counts(0, 0, n)

    entries = {g.pk: GroupEntry(node=g, counts=counts.get(g.pk, Counts())) for g in groups}
    # The network's people are residents too: their numbers in full only for roles that
    # may reveal residents' numbers (the contact card publishes them by the county's choice).
    shown = network_phone_for(user)
    posts = (
        GroupPost.objects.for_user(user)
        .filter(in_township)
        .order_by("group_id", "id")
        .values_list("group_id", "kind", "name", "phone", "duties")
    )
    by_kind = {
        GroupPostKind.LEADER: "leaders",
        GroupPostKind.MEMBER: "members",
        GroupPostKind.PARTY_LINK: "party_links",
    }
    for group_id, kind, name, phone, duties in posts:
        entry = entries.get(group_id)
        if entry is not None and kind in by_kind:
            getattr(entry, by_kind[kind]).append(Person(name, shown(phone), duties))
    liaisons = (
        Liaison.objects.for_user(user)
        .active()
        .filter(in_township)
        .order_by("group_id", "appointed_on", "id")
        .values_list("group_id", "name", "phone", "background")
    )
    backgrounds = dict(LiaisonBackground.choices)
    for group_id, name, phone, background in liaisons:
        if (entry := entries.get(group_id)) is not None:
            entry.liaisons.append(Person(name, shown(phone), str(backgrounds.get(background, ""))))

    by_village: dict[int, list[GroupEntry]] = defaultdict(list)
    for entry in entries.values():
        by_village[entry.node.parent_id].append(entry)  # type: ignore[index]

    unzoned = _("未分片区")
    zones: dict[str, ZoneEntry] = {}
    for village in villages:
        name = village.zone.strip() or unzoned
        zone = zones.setdefault(name, ZoneEntry(name))
        groups_here = by_village.get(village.pk, [])
        whole = within(village, scope)
        zone.villages.append(VillageEntry(village, name, groups_here, whole))
    # Zones in the order of their first village's code; the unzoned villages last.
    ordered = sorted(zones.values(), key=lambda z: (z.name == unzoned, z.villages[0].node.code))
    partial = not within(township, scope)
    return NetworkMap(township=township, zones=ordered, partial=partial)
