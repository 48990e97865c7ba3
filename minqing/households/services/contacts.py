"""Writes of contact households (民情联系户制度): assignment and release.

Quotas and the county's rules are read in minqing.households.contacts.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.households.contacts import CONTACT_ROLES
from minqing.households.models import ContactAssignment, Household
from minqing.org.models import PATH_WIDTH, Level, Node, User


def _check_cadre(cadre: User, village: Node) -> None:
    if not cadre.is_active or cadre.role not in CONTACT_ROLES:
        raise ValidationError(_("该人员不能登记联系户：只有乡镇(街道)干部、村干部和部门领导可以。"))
    county = village.path[: PATH_WIDTH[Level.COUNTY]]
    cadre_path = cadre.node.path if cadre.node is not None else ""
    if not cadre_path.startswith(county):
        raise ValidationError(_("只能安排本县(区)的干部联系本村的户。"))


@transaction.atomic
def contact_assign(
    *,
    actor: User,
    cadre: User,
    village: Node,
    households: Iterable[Household],
    note: str = "",
) -> tuple[list[ContactAssignment], int]:
    """Register households as the cadre's contact households; returns (new, already held).

    Households the cadre already holds are skipped, so a repeated form post adds nothing.
    A township cadre without a linked village is linked to this one: that village's size
    sets their quota, as seed 001 prescribes.
    """
    households = list(households)
    if not households:
        raise ValidationError(_("请至少选择一户。"))
    if any(not h.group.path.startswith(village.path) for h in households):
        raise ValidationError(_("只能登记本村(社区)的户。"))
    _check_cadre(cadre, village)
    held = set(
        ContactAssignment.objects.active()
        .filter(cadre=cadre, household__in=households)
        .values_list("household_id", flat=True)
    )
    created = [
        ContactAssignment.objects.create(
            cadre=cadre, household=h, assigned_by=actor, note=note[:200]
        )
        for h in households
        if h.pk not in held
    ]
    for assignment in created:
        record(
            action=Action.CREATE,
            actor=actor,
            obj=assignment,
            changes={"cadre": cadre.username, "household": assignment.household.code},
        )
    if cadre.linked_village_id is None and (
        cadre.node is None or cadre.node.level != Level.VILLAGE
    ):
        cadre.linked_village = village
        cadre.save(update_fields=["linked_village"])
        record(
            action=Action.UPDATE,
            actor=actor,
            obj=cadre,
            changes={"linked_village": [None, village.code]},
        )
    return created, len(held)


@transaction.atomic
def contact_end(*, actor: User, assignment: ContactAssignment) -> bool:
    """Release a contact household; False when it was already released."""
    locked = ContactAssignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.ended_at is not None:
        return False
    locked.ended_at = timezone.now()
    locked.ended_by = actor
    locked.save(update_fields=["ended_at", "ended_by"])
    record(
        action=Action.UPDATE,
        actor=actor,
        obj=locked,
        changes={"ended_at": [None, locked.ended_at.isoformat()]},
    )
    return True
