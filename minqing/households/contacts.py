"""Contact households (民情联系户制度): quotas, assignment and release.

Seed 001: every county-department leader and township cadre takes 10 / 15 / 20 contact
households in their linked village by its population (< 500, 500–1000, > 1000);
department leaders at least 2. Seed 003's alternative counts by rank: 科级 5, others 3.
Which rule and which numbers apply is the county's `ContactRules`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.households.models import ContactAssignment, ContactRules, Household, QuotaRule
from minqing.households.rules import contact_rules_for
from minqing.org.models import PATH_WIDTH, Level, Node, User
from minqing.org.roles import Rank, Role

# Who may hold contact households: cadres, not volunteers, deputies or supervisors.
CONTACT_ROLES = frozenset(
    {Role.TOWNSHIP_LEADER, Role.TOWNSHIP_STAFF, Role.VILLAGE_CADRE, Role.DEPT_HANDLER}
)
SENIOR_RANKS = frozenset({Rank.CITY, Rank.COUNTY, Rank.SECTION})


@dataclass(frozen=True)
class Quota:
    target: int
    # Department leaders take "at least" their number; everyone else has a set number.
    at_least: bool
    basis: str

    def status(self, count: int) -> str:
        if count < self.target:
            return "short"
        if count > self.target and not self.at_least:
            return "over"
        return "met"


def village_size_quota(rules: ContactRules, population: int) -> int:
    if population < rules.small_village_below:
        return rules.quota_small
    if population > rules.large_village_above:
        return rules.quota_large
    return rules.quota_medium


def cadre_village(cadre: User, fallback: Node | None = None) -> Node | None:
    """The village whose size sets a cadre's quota: linked village, own village, or the page's."""
    if cadre.linked_village_id:
        return cadre.linked_village
    if cadre.node is not None and cadre.node.level == Level.VILLAGE:
        return cadre.node
    return fallback


def quota_for(cadre: User, rules: ContactRules, village: Node | None = None) -> Quota:
    if rules.quota_rule == QuotaRule.RANK:
        if cadre.rank in SENIOR_RANKS:
            return Quota(rules.section_rank_quota, False, _("科级及以上干部"))
        return Quota(rules.general_rank_quota, False, _("一般干部"))
    if cadre.role == Role.DEPT_HANDLER:
        return Quota(rules.department_leader_min, True, _("县直部门领导"))
    place = cadre_village(cadre, village)
    population = place.population if place is not None else 0
    return Quota(
        village_size_quota(rules, population),
        False,
        _("挂联村人口 %(n)d 人") % {"n": population},
    )


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


def rules_for_village(village: Node) -> ContactRules:
    county = Node.objects.get(path=village.path[: PATH_WIDTH[Level.COUNTY]], level=Level.COUNTY)
    return contact_rules_for(county)
