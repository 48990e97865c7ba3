"""Reads for the liaison network: who holds which contact households, and coverage.

Every figure is an aggregate query over a subtree (`path` prefix), so a county page costs
the same handful of queries as a village page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from minqing.households.contacts import CONTACT_ROLES, SENIOR_RANKS, Quota, quota_for
from minqing.households.models import (
    ContactAssignment,
    ContactCard,
    ContactRules,
    Household,
    Liaison,
    TagKind,
)
from minqing.org.models import PATH_WIDTH, Level, Node, User
from minqing.org.roles import Role
from minqing.org.scoping import under

HARDSHIP = "hardship"


def _active_contact() -> Exists:
    return Exists(ContactAssignment.objects.filter(household=OuterRef("pk"), ended_at=None))


def _hardship() -> Exists:
    return Exists(
        Household.tags.through.objects.filter(household=OuterRef("pk"), tag__code=HARDSHIP)
    )


def _issued_card() -> Exists:
    return Exists(
        ContactCard.objects.filter(
            household=OuterRef("pk"), voided_at=None, issued_at__isnull=False
        )
    )


@dataclass
class Coverage:
    households: int = 0
    covered: int = 0
    hardship: int = 0
    hardship_covered: int = 0
    cards_issued: int = 0
    groups: int = 0
    groups_with_liaison: int = 0

    @staticmethod
    def pct(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def covered_pct(self) -> float | None:
        return self.pct(self.covered, self.households)

    @property
    def hardship_pct(self) -> float | None:
        return self.pct(self.hardship_covered, self.hardship)

    @property
    def card_pct(self) -> float | None:
        return self.pct(self.cards_issued, self.households)

    @property
    def groups_without_liaison(self) -> int:
        return self.groups - self.groups_with_liaison

    def add(self, other: Coverage) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class VillageRow:
    village: Node
    coverage: Coverage = field(default_factory=Coverage)


def coverage_by_village(path: str) -> dict[int, Coverage]:
    """Coverage per village id for every household and group under `path`."""
    per_village: dict[int, Coverage] = {}
    households = (
        Household.objects.filter(under(path, "group__path"))
        .values("group__parent_id")
        .annotate(
            households=Count("id"),
            covered=Count("id", filter=Q(_active_contact())),
            hardship=Count("id", filter=Q(_hardship())),
            hardship_covered=Count("id", filter=Q(_hardship()) & Q(_active_contact())),
            cards_issued=Count("id", filter=Q(_issued_card())),
        )
    )
    for row in households:
        village_id = row.pop("group__parent_id")
        per_village[village_id] = Coverage(**row)
    groups = (
        Node.objects.filter(under(path), level=Level.GROUP)
        .values("parent_id")
        .annotate(
            groups=Count("id"),
            with_liaison=Count(
                "id",
                filter=Q(Exists(Liaison.objects.filter(group=OuterRef("pk"), ended_on=None))),
            ),
        )
    )
    for row in groups:
        coverage = per_village.setdefault(row["parent_id"], Coverage())
        coverage.groups, coverage.groups_with_liaison = row["groups"], row["with_liaison"]
    return per_village


def network_overview(scope_path: str) -> list[tuple[Node, list[VillageRow], Coverage]]:
    """Villages in scope grouped by township, each with its coverage and a subtotal."""
    village_path = scope_path[:12] if len(scope_path) > 12 else scope_path
    villages = (
        Node.objects.filter(under(village_path), level=Level.VILLAGE)
        .select_related("parent")
        .order_by("code")
    )
    figures = coverage_by_village(scope_path)
    townships: dict[int, tuple[Node, list[VillageRow], Coverage]] = {}
    for village in villages:
        _township, rows, total = townships.setdefault(
            village.parent_id, (village.parent, [], Coverage())
        )
        row = VillageRow(village, figures.get(village.pk, Coverage()))
        rows.append(row)
        total.add(row.coverage)
    return list(townships.values())


@dataclass
class CadreProgress:
    cadre: User
    quota: Quota
    held: int
    here: list[ContactAssignment]

    @property
    def status(self) -> str:
        return self.quota.status(self.held)

    @property
    def missing(self) -> int:
        return max(self.quota.target - self.held, 0)


def village_assignments(village: Node) -> QuerySet[ContactAssignment]:
    return (
        ContactAssignment.objects.active()
        .filter(under(village, "household__group__path"))
        .select_related("household__group", "cadre")
        .order_by("household__code")
    )


def contact_cadres(village: Node) -> tuple[list[User], list[User]]:
    """(cadres linked to the village or holding contact households in it, other cadres who
    could take some: the village's own 两委 and its township's cadres).

    Seed 001 gives quotas to township cadres and department leaders in their linked
    village; village cadres count here only once they hold contact households themselves.
    """
    assigned_here = ContactAssignment.objects.active().filter(
        under(village, "household__group__path")
    )
    base = User.objects.filter(is_active=True, role__in=CONTACT_ROLES).select_related(
        "node", "linked_village"
    )
    linked = list(
        base.filter(
            Q(linked_village=village) | Q(pk__in=assigned_here.values("cadre_id"))
        ).order_by("role", "name")
    )
    others = list(
        base.filter(
            Q(node=village)
            | Q(node=village.parent_id, role__in=[Role.TOWNSHIP_LEADER, Role.TOWNSHIP_STAFF])
            # County-department leadership members (科级 and above) take at least 2.
            | Q(
                role=Role.DEPT_HANDLER,
                rank__in=SENIOR_RANKS,
                node__path=village.path[: PATH_WIDTH[Level.COUNTY]],
            )
        )
        .exclude(pk__in=[u.pk for u in linked])
        .order_by("-role", "name")
    )
    return linked, others


def cadre_progress(village: Node, rules: ContactRules) -> list[CadreProgress]:
    linked, _others = contact_cadres(village)
    held = Counter(
        ContactAssignment.objects.active()
        .filter(cadre__in=linked)
        .values_list("cadre_id", flat=True)
    )
    here: dict[int, list[ContactAssignment]] = {}
    for assignment in village_assignments(village):
        here.setdefault(assignment.cadre_id, []).append(assignment)
    return [
        CadreProgress(
            cadre, quota_for(cadre, rules, village), held[cadre.pk], here.get(cadre.pk, [])
        )
        for cadre in linked
    ]


def candidates(village: Node, *, search: str = "", limit: int = 60) -> list[Household]:
    """Households the village proposes: the four target groups and contact-household types
    first (hardship households first of all), none that already have a cadre. A search
    term widens the list to any household of the village."""
    qs = Household.objects.filter(under(village, "group__path")).exclude(_active_contact())
    if search:
        qs = qs.filter(Q(head_name__contains=search) | Q(code=search) | Q(address__contains=search))
    else:
        qs = qs.filter(tags__kind__in=[TagKind.TARGET_GROUP, TagKind.CONTACT_TYPE]).distinct()
    qs = qs.annotate(is_hardship=_hardship()).order_by("-is_hardship", "code")
    return list(qs.select_related("group").prefetch_related("tags")[:limit])


def uncovered_hardship(village: Node, limit: int = 50) -> list[Household]:
    return list(
        Household.objects.filter(under(village, "group__path"))
        .filter(_hardship())
        .exclude(_active_contact())
        .select_related("group")
        .order_by("code")[:limit]
    )
