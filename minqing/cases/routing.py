"""Which unit sits where: the station of a village, the center of a township, the county
office above them — the ladder a matter climbs when it is escalated (上报)."""

from __future__ import annotations

from minqing.org.models import PATH_WIDTH, Level, Node, Unit, UnitKind


def _unit_at(path: str, kind: str) -> Unit | None:
    return (
        Unit.objects.filter(node__path=path, kind=kind, receives_cases=True).order_by("id").first()
    )


def station_for(node: Node) -> Unit | None:
    if len(node.path) < PATH_WIDTH[Level.VILLAGE]:
        return None
    return _unit_at(node.path[: PATH_WIDTH[Level.VILLAGE]], UnitKind.STATION)


def center_for(node: Node) -> Unit | None:
    if len(node.path) < PATH_WIDTH[Level.TOWNSHIP]:
        return None
    return _unit_at(node.path[: PATH_WIDTH[Level.TOWNSHIP]], UnitKind.CENTER)


def county_office_for(node: Node) -> Unit | None:
    return _unit_at(node.path[: PATH_WIDTH[Level.COUNTY]], UnitKind.OFFICE)


def unit_above(current: Unit | None, node: Node) -> Unit | None:
    """The next level up from whoever holds the matter now.

    A station (or nobody, for a matter registered at a village) goes to the township's
    center; a center or a department goes to the county office.
    """
    if current is None or current.kind == UnitKind.STATION:
        return center_for(node) or county_office_for(node)
    if current.kind in (UnitKind.CENTER, UnitKind.DEPARTMENT):
        return county_office_for(node)
    return None  # the county office is the top of a county deployment
