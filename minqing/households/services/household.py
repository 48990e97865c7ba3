"""Writes to the household registry."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.households.models import DEFAULT_TAGS, PROFILE_FIELDS, Household, Tag
from minqing.org.models import PATH_WIDTH, Level, Node, User


def tags_ensure_default(*, county: Node) -> int:
    """The documented tags for a county; idempotent, returns how many were created."""
    existing = set(Tag.objects.filter(county=county).values_list("code", flat=True))
    new = [
        Tag(county=county, kind=kind, code=code, name=name)
        for kind, code, name in DEFAULT_TAGS
        if code not in existing
    ]
    Tag.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def household_set_tags(*, actor: User | None, household: Household, tags: Iterable[Tag]) -> None:
    tags = list(tags)
    county_path = household.group.path[: PATH_WIDTH[Level.COUNTY]]
    if any(tag.county.path != county_path for tag in tags):
        raise ValidationError(_("只能使用本县(区)的标签。"))
    old = sorted(household.tags.values_list("code", flat=True))
    new = sorted(tag.code for tag in tags)
    if old == new:
        return
    household.tags.set(tags)
    record(action=Action.UPDATE, actor=actor, obj=household, changes={"tags": [old, new]})


@transaction.atomic
def household_update_profile(
    *, actor: User | None, household: Household, data: dict[str, str]
) -> None:
    """Save the 四知四清 profile and log which parts changed."""
    changes = {
        name: [getattr(household, name), value.strip()]
        for name, value in data.items()
        if name in PROFILE_FIELDS and getattr(household, name) != value.strip()
    }
    if not changes:
        return
    for name, (_old, new) in changes.items():
        setattr(household, name, new)
    household.save(update_fields=[*changes, "updated_at"])
    # Field names only: the profile holds hardship and family matters the log need not copy.
    record(action=Action.UPDATE, actor=actor, obj=household, changes={"profile": sorted(changes)})
