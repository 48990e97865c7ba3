"""Who lives under a place: the rows of the household registry that the tree counts.

The tree shows how many households and residents live under each place (the home page, the
tree page) and keeps the figures on each node (Node.household_count, Node.population). The
rows are the household registry's, and the registry (households) sits above org in the
layer order (minqing.layers): org may not import it. So the households app names its rows
here from its AppConfig.ready(), each with the lookup from a row to its group's path, and
org counts them per place with path prefixes as it counts its own nodes and staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from minqing.org.scoping import ScopedQuerySet

HOUSEHOLDS = "households"
RESIDENTS = "residents"


@dataclass(frozen=True)
class Counted:
    model: type[models.Model]
    # The lookup from a row to the path of the group it lives in ("group__path").
    path_field: str

    @property
    def rows(self) -> ScopedQuerySet[Any]:
        """All the model's rows; registered models are scoped (ScopedQuerySet managers)."""
        return cast("ScopedQuerySet[Any]", self.model._default_manager.all())


_COUNTED: dict[str, Counted] = {}


def register(name: str, model: type[models.Model], *, path_field: str) -> None:
    """Count `model`'s rows as the tree's `name` (HOUSEHOLDS or RESIDENTS)."""
    _COUNTED[name] = Counted(model, path_field)


def counted(name: str) -> Counted:
    try:
        return _COUNTED[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"nothing registered as the tree's {name!r}: the households app registers its "
            "rows in HouseholdsConfig.ready()"
        ) from None
