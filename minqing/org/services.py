"""Writes to the tree, units and staff. Each is atomic and leaves an audit record."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from minqing.audit.services import record_change, snapshot
from minqing.org.models import Node, Unit, User
from minqing.org.roles import ROLE_LEVELS, Rank, Role
from minqing.org.scoping import under


@transaction.atomic
def node_create(
    *,
    actor: User | None,
    level: str,
    code: str,
    name: str,
    parent: Node | None,
    population: int = 0,
    household_count: int = 0,
    address: str = "",
) -> Node:
    node = Node(
        level=level,
        code=code,
        name=name,
        parent=parent,
        population=population,
        household_count=household_count,
        address=address,
    )
    node.full_clean()
    node.save()
    record_change(actor=actor, obj=node, before=None)
    return node


@transaction.atomic
def node_update(*, actor: User | None, node: Node, **fields: Any) -> Node:
    allowed = {"name", "population", "household_count", "address"}
    unknown = set(fields) - allowed
    if unknown:
        # Codes and parents define the subtree of every row below; moving them is a
        # re-districting job, not an edit.
        raise ValidationError(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    before = snapshot(node)
    for key, value in fields.items():
        setattr(node, key, value)
    node.full_clean()
    node.save(update_fields=list(fields))
    record_change(actor=actor, obj=node, before=before)
    return node


@transaction.atomic
def unit_create(
    *,
    actor: User | None,
    kind: str,
    name: str,
    node: Node,
    short_name: str = "",
    head: User | None = None,
    phone: str = "",
    address: str = "",
) -> Unit:
    unit = Unit(
        kind=kind,
        name=name,
        node=node,
        short_name=short_name,
        head=head,
        phone=phone,
        address=address,
    )
    unit.full_clean()
    unit.save()
    record_change(actor=actor, obj=unit, before=None)
    return unit


@transaction.atomic
def unit_set_head(*, actor: User | None, unit: Unit, head: User | None) -> Unit:
    before = snapshot(unit)
    unit.head = head
    unit.save(update_fields=["head"])
    record_change(actor=actor, obj=unit, before=before)
    return unit


def validate_placement(*, role: str, node: Node | None, unit: Unit | None) -> None:
    """A role sits at a tree level; a department handler also needs a department."""
    if not role:
        return
    if node is None:
        raise ValidationError({"node": _("请为该干部选择所在辖区。")})
    if node.level not in ROLE_LEVELS[role]:
        raise ValidationError(
            {
                "node": _("角色“%(role)s”应设在%(levels)s层级。")
                % {"role": Role(role).label, "levels": "、".join(ROLE_LEVELS[role])}
            }
        )
    if role == Role.DEPT_HANDLER and (unit is None or unit.kind != "department"):
        raise ValidationError({"unit": _("部门承办人必须属于一个县直部门。")})
    if unit is not None and not node.path.startswith(unit.node.path):
        raise ValidationError({"unit": _("所在单位与所在辖区不一致。")})


@transaction.atomic
def staff_create(
    *,
    actor: User | None,
    username: str,
    name: str,
    role: str,
    node: Node,
    password: str | None = None,
    unit: Unit | None = None,
    rank: str = Rank.GENERAL,
    post: str = "",
    phone: str = "",
) -> User:
    validate_placement(role=role, node=node, unit=unit)
    user = User(
        username=username,
        name=name,
        role=role,
        node=node,
        unit=unit,
        rank=rank,
        post=post,
        phone=phone,
        # Only the county administrator may open Django admin.
        is_staff=role == Role.COUNTY_ADMIN,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    record_change(actor=actor, obj=user, before=None)
    return user


@transaction.atomic
def staff_update(*, actor: User | None, user: User, **fields: Any) -> User:
    allowed = {"name", "role", "rank", "post", "node", "unit", "phone", "is_active", "email"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    before = snapshot(user)
    for key, value in fields.items():
        setattr(user, key, value)
    validate_placement(role=user.role, node=user.node, unit=user.unit)
    user.is_staff = user.role == Role.COUNTY_ADMIN
    user.full_clean()
    user.save(update_fields=[*fields, "is_staff"])
    record_change(actor=actor, obj=user, before=before)
    return user


@transaction.atomic
def node_statistics_refresh(*, actor: User | None, root: Node) -> int:
    """Recount population and households of `root`'s subtree from the household registry.

    Paper ledgers add totals up by hand every month; here the registry is the source and
    the node figures follow it. Returns the number of nodes whose figures changed.
    """
    from django.db.models import Count
    from django.db.models.functions import Substr

    from minqing.audit.models import Action
    from minqing.audit.services import record
    from minqing.org.models import PATH_WIDTH
    from minqing.org.population import HOUSEHOLDS, RESIDENTS, counted

    nodes = list(Node.objects.filter(under(root)))
    households: dict[str, int] = {}
    residents: dict[str, int] = {}
    for width in sorted({PATH_WIDTH[n.level] for n in nodes}):
        for counted_rows, into in (
            (counted(HOUSEHOLDS), households),
            (counted(RESIDENTS), residents),
        ):
            field = counted_rows.path_field
            rows = (
                counted_rows.rows.filter(under(root, field))
                .annotate(prefix=Substr(field, 1, width))
                .values("prefix")
                .annotate(n=Count("id"))
                .order_by()
            )
            into.update({row["prefix"]: row["n"] for row in rows})
    changed = []
    for node in nodes:
        figures = (residents.get(node.path, 0), households.get(node.path, 0))
        if (node.population, node.household_count) != figures:
            node.population, node.household_count = figures
            changed.append(node)
    Node.objects.bulk_update(changed, ["population", "household_count"], batch_size=500)
    record(
        action=Action.UPDATE,
        actor=actor,
        obj=root,
        note=f"按户籍档案重新统计人口和户数：{len(changed)} 个节点有变化",
        changes={"nodes_changed": len(changed)},
    )
    return len(changed)
