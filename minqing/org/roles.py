"""Roles, ranks, and what each role may use.

Roles are product logic (what a township clerk's job is), not locality rules, so they live
in code; what a county may tune (quotas, deadlines, weights) lives in configuration records.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("县级管理员")
    COUNTY_SUPERVISOR = "county_supervisor", _("县级督查(党建办/督查室)")
    DEPT_HANDLER = "dept_handler", _("部门承办人")
    TOWNSHIP_LEADER = "township_leader", _("乡镇(街道)领导")
    TOWNSHIP_STAFF = "township_staff", _("乡镇(街道)干部")
    VILLAGE_CADRE = "village_cadre", _("村(社区)两委干部")
    LIAISON = "liaison", _("民情联络员")
    DEPUTY = "deputy", _("两代表")


class Rank(models.TextChoices):
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    SECTION = "section", _("科级")
    GENERAL = "general", _("一般干部")
    VILLAGE = "village", _("村干部")
    NONE = "none", _("无职级")


class Cap(StrEnum):
    """Capabilities: the verbs navigation and views check, never raw role names."""

    VIEW_TREE = "view_tree"
    VIEW_RESIDENTS = "view_residents"
    VIEW_STAFF = "view_staff"
    USE_ADMIN = "use_admin"
    VIEW_AUDIT = "view_audit"
    VIEW_CASES = "view_cases"
    REGISTER_CASE = "register_case"
    SUPERVISE = "supervise"
    REVEAL_RESIDENT = "reveal_resident"  # see a resident's full ID number and phone (logged)
    MANAGE_REGISTRY = "manage_registry"  # import and correct the household registry
    # Assign contact households, appoint liaisons, print and hand out contact cards.
    MANAGE_NETWORK = "manage_network"
    # Keep a sentiment diary and a visit log, run talk days (fieldwork).
    FIELDWORK = "fieldwork"
    # Review (审阅) others' diaries and see who is behind on fieldwork quotas.
    REVIEW_FIELDWORK = "review_fieldwork"
    # Record deputies' office receptions.
    RECEPTION = "reception"
    # See hot spots, keyword trends and analysis figures for one's own area (民情分析).
    VIEW_INSIGHT = "view_insight"
    # Import labelled messages, train, evaluate and roll back the county's text models.
    MANAGE_MODELS = "manage_models"


_CASES = {Cap.VIEW_CASES, Cap.REGISTER_CASE}
_ALL_TERRITORIAL = {Cap.VIEW_TREE, Cap.VIEW_RESIDENTS, Cap.VIEW_STAFF, Cap.VIEW_INSIGHT} | _CASES

_FIELD = {Cap.FIELDWORK}
_REVIEW = {Cap.REVIEW_FIELDWORK}

CAPABILITIES: dict[str, frozenset[Cap]] = {
    Role.COUNTY_ADMIN: frozenset(
        _ALL_TERRITORIAL
        | {Cap.USE_ADMIN, Cap.VIEW_AUDIT, Cap.SUPERVISE, Cap.REVEAL_RESIDENT}
        | {Cap.MANAGE_REGISTRY, Cap.MANAGE_NETWORK, Cap.MANAGE_MODELS}
        | _REVIEW
    ),
    Role.COUNTY_SUPERVISOR: frozenset(_ALL_TERRITORIAL | {Cap.VIEW_AUDIT, Cap.SUPERVISE} | _REVIEW),
    # A department handler sees the cases sent to the department, not the population.
    # Department staff assigned to villages keep diaries too (seed 002).
    Role.DEPT_HANDLER: frozenset({Cap.VIEW_TREE, Cap.VIEW_STAFF, Cap.VIEW_CASES} | _FIELD),
    # Township leaders and village 两委 keep the registry: they may reveal, each time logged.
    Role.TOWNSHIP_LEADER: frozenset(
        _ALL_TERRITORIAL
        | {Cap.SUPERVISE, Cap.REVEAL_RESIDENT, Cap.MANAGE_REGISTRY, Cap.MANAGE_NETWORK}
        | _FIELD
        | _REVIEW
    ),
    Role.TOWNSHIP_STAFF: frozenset(_ALL_TERRITORIAL | {Cap.SUPERVISE, Cap.MANAGE_NETWORK} | _FIELD),
    Role.VILLAGE_CADRE: frozenset(
        _ALL_TERRITORIAL | {Cap.REVEAL_RESIDENT, Cap.MANAGE_REGISTRY, Cap.MANAGE_NETWORK} | _FIELD
    ),
    # Every liaison keeps a diary (seed 000, 一本联络服务日记本).
    Role.LIAISON: frozenset({Cap.VIEW_TREE, Cap.VIEW_RESIDENTS} | _CASES | _FIELD),
    Role.DEPUTY: frozenset({Cap.VIEW_TREE, Cap.VIEW_STAFF, Cap.RECEPTION} | _CASES),
}

# The tree level a role's node must sit at (a deputy's office may be at either level).
ROLE_LEVELS: dict[str, tuple[str, ...]] = {
    Role.COUNTY_ADMIN: ("county",),
    Role.COUNTY_SUPERVISOR: ("county",),
    Role.DEPT_HANDLER: ("county",),
    Role.TOWNSHIP_LEADER: ("township",),
    Role.TOWNSHIP_STAFF: ("township",),
    Role.VILLAGE_CADRE: ("village",),
    Role.LIAISON: ("group", "village"),
    Role.DEPUTY: ("township", "village"),
}


def has_cap(user: object, cap: Cap) -> bool:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return cap in CAPABILITIES.get(getattr(user, "role", ""), frozenset())
