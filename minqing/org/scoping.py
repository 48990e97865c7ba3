"""Jurisdiction scoping: the one place that decides which rows a staff user may see.

Every queryset that can reach residents' data inherits `ScopedQuerySet` and names the path
of the node it hangs from. `for_user(user)` keeps the rows whose node lies in the user's
subtree; anonymous, inactive and unplaced users see nothing. Views fetch single objects via
`get_in_scope_or_404`, which answers 404 (never 403, so existence does not leak) and logs
the attempt when the object exists outside the user's scope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from django.http import HttpRequest


def user_scope_path(user: Any) -> str | None:
    """The path prefix a user may see, or None when they may see nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    node = getattr(user, "node", None)
    if node is None:
        return None
    return node.path


class ScopedQuerySet(models.QuerySet):
    # Lookup path from this model to its node's `path` (e.g. "group__path").
    scope_path_field: str = "path"
    # Roles that see nothing of this model even inside their territory.
    excluded_roles: frozenset[str] = frozenset()

    def for_user(self, user: Any) -> Self:
        path = user_scope_path(user)
        if path is None or getattr(user, "role", "") in self.excluded_roles:
            return self.none()
        return self.filter(**{f"{self.scope_path_field}__startswith": path})


def get_in_scope_or_404[M: models.Model](
    queryset: models.QuerySet[M], request: HttpRequest, **lookup: Any
) -> M:
    """Fetch one object from a user's scoped queryset; 404 and an audit record otherwise."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        exists_elsewhere = queryset.model._default_manager.filter(**lookup).exists()
        if exists_elsewhere:
            from minqing.audit.services import record_denial

            record_denial(request=request, model=queryset.model, lookup=lookup)
        raise Http404 from None


# Matches no county: the value to filter on when a user has no place in the tree.
NO_COUNTY = "-"


def user_county_path(user: Any) -> str:
    """The path of the county the user works in, or NO_COUNTY (which matches nothing)."""
    node = getattr(user, "node", None)
    return node.path[:6] if node is not None else NO_COUNTY
