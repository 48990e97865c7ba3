"""Contact households (民情联系户制度): quotas, assignment and release.

Seed 001: every county-department leader and township cadre takes 10 / 15 / 20 contact
households in their linked village by its population (< 500, 500–1000, > 1000);
department leaders at least 2. Seed 003's alternative counts by rank: 科级 5, others 3.
Which rule and which numbers apply is the county's `ContactRules`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from minqing.households.models import ContactRules, QuotaRule
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


def rules_for_village(village: Node) -> ContactRules:
    county = Node.objects.get(path=village.path[: PATH_WIDTH[Level.COUNTY]], level=Level.COUNTY)
    return contact_rules_for(county)
