"""Reads of the tree for dashboards and the tree browser, always through the user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Substr

from minqing.org.models import PATH_WIDTH, Level, Node, Unit, User
from minqing.org.population import HOUSEHOLDS, RESIDENTS, counted
from minqing.org.roles import Cap, has_cap
from minqing.org.scoping import under, within


@dataclass(frozen=True)
class ScopeCounts:
    townships: int
    villages: int
    groups: int
    households: int | None  # None: the role does not see residents
    residents: int | None
    staff: int
    units: int


def scope_counts(user: User) -> ScopeCounts:
    nodes = Node.objects.for_user(user).aggregate(
        townships=Count("id", filter=Q(level=Level.TOWNSHIP)),
        villages=Count("id", filter=Q(level=Level.VILLAGE)),
        groups=Count("id", filter=Q(level=Level.GROUP)),
    )
    sees_residents = has_cap(user, Cap.VIEW_RESIDENTS)
    households, residents = counted(HOUSEHOLDS).rows, counted(RESIDENTS).rows
    return ScopeCounts(
        townships=nodes["townships"],
        villages=nodes["villages"],
        groups=nodes["groups"],
        households=households.for_user(user).count() if sees_residents else None,
        residents=residents.for_user(user).count() if sees_residents else None,
        staff=User.objects.for_user(user).filter(is_active=True).count(),
        units=Unit.objects.for_user(user).count(),
    )


@dataclass(frozen=True)
class ChildRow:
    node: Node
    groups: int
    households: int | None
    residents: int | None
    staff: int


def _counts_by_child(queryset: Any, path_field: str, width: int) -> dict[str, int]:
    """One GROUP BY over the child-sized prefix of the path, instead of a query per child."""
    rows = (
        queryset.annotate(child_path=Substr(path_field, 1, width))
        .values("child_path")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["child_path"]: row["n"] for row in rows}


def _people_by_child(name: str, user: User, node: Node, width: int) -> dict[str, int]:
    """Households or residents (org.population) under each child of `node`, in scope."""
    rows = counted(name)
    return _counts_by_child(
        rows.rows.for_user(user).filter(under(node, rows.path_field)),
        rows.path_field,
        width,
    )


def children_with_counts(user: User, node: Node) -> list[ChildRow]:
    """Children of `node` in the user's scope, each with its subtree's counts (4 queries)."""
    children = list(Node.objects.for_user(user).filter(parent=node).order_by("code"))
    if not children:
        return []
    width = PATH_WIDTH[children[0].level]
    groups = _counts_by_child(
        Node.objects.for_user(user).filter(under(node), level=Level.GROUP), "path", width
    )
    sees_residents = has_cap(user, Cap.VIEW_RESIDENTS)
    households: dict[str, int] = {}
    residents: dict[str, int] = {}
    if sees_residents:
        households = _people_by_child(HOUSEHOLDS, user, node, width)
        residents = _people_by_child(RESIDENTS, user, node, width)
    staff = _counts_by_child(
        User.objects.for_user(user).filter(under(node, "node__path"), is_active=True),
        "node__path",
        width,
    )
    return [
        ChildRow(
            node=child,
            groups=groups.get(child.path, 1 if child.level == Level.GROUP else 0),
            households=households.get(child.path, 0) if sees_residents else None,
            residents=residents.get(child.path, 0) if sees_residents else None,
            staff=staff.get(child.path, 0),
        )
        for child in children
    ]


def breadcrumb(user: User, node: Node) -> list[tuple[Node, bool]]:
    """Ancestors and the node itself, each flagged whether the user may open it."""
    chain = [*node.ancestors(), node]
    scope = user.node.path if user.node else None
    return [(n, scope is not None and within(n, scope)) for n in chain]
