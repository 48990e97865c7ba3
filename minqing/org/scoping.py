"""Jurisdiction scoping: the one place that decides which rows a staff user may see.

Every model that can reach residents' data has a scoped default manager, of one of three
kinds (tests/test_scoping_is_declared.py fails on a model that has none and is not on its
commented allowlist):

- `ScopedQuerySet`: the model names the path of the node it hangs from
  (`scope_path_field`); `for_user(user)` keeps the rows whose node lies in the user's
  subtree. Anonymous, inactive and unplaced users see nothing; `excluded_roles` see nothing
  even inside their territory. A model may override `for_user` with richer rules (cases
  also reach the departments that handle them).
- `ParentScopedQuerySet`: a child row (a case's timeline event, a diary entry's follow-up)
  is visible exactly when its parent is: `for_user` delegates to the parent's own
  `for_user`, so a parent whose rules are more than a path is followed, not re-implemented.
- `CountyQuerySet`: configuration and artefacts a county owns as a whole (its rules, tags,
  categories, trained models): everyone working in the county, nobody outside it.

A subtree is a prefix of the node's `path`: `under(node_or_path, field)` is that filter,
and every other module filters subtrees through it rather than spelling `__startswith`.

Views fetch single objects via `get_in_scope_or_404`, which answers 404 (never 403, so
existence does not leak) and logs the attempt when the object exists outside the user's
scope.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from functools import reduce
from typing import TYPE_CHECKING, Any, Protocol, Self, cast

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.http import Http404

if TYPE_CHECKING:
    from django.http import HttpRequest


class HasPath(Protocol):
    path: str


def path_of(node_or_path: HasPath | str) -> str:
    return node_or_path if isinstance(node_or_path, str) else node_or_path.path


def under(node_or_path: HasPath | str, field: str = "path") -> Q:
    """Rows whose `field` (a lookup ending at a node's path: "path", "group__path",
    "household__group__path") lies in the subtree of the node (or path) given."""
    return Q(**{f"{field}__startswith": path_of(node_or_path)})


def within(inner: HasPath | str, outer: HasPath | str) -> bool:
    """In Python what `under` is in SQL: does `inner` lie in the subtree of `outer`?"""
    return path_of(inner).startswith(path_of(outer))


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
        return self.filter(under(path, self.scope_path_field))


class ParentScopedQuerySet(ScopedQuerySet):
    """Rows visible exactly when their parent is: `scope_parents` names the foreign keys
    (to models with scoped managers); a row is visible when any one of them is. A row
    whose parent keys are all empty is visible to nobody."""

    scope_parents: tuple[str, ...] = ()
    scope_path_field = ""  # no path of its own: the parents' rules decide

    def for_user(self, user: Any) -> Self:
        visible = [self._parent_visible(name, user) for name in self.scope_parents]
        return self.filter(reduce(operator.or_, visible)) if visible else self.none()

    def _parent_visible(self, name: str, user: Any) -> Q:
        parent = self.model._meta.get_field(name).related_model
        # Every parent named in scope_parents has a scoped manager (tests/test_scoping_is_declared).
        scoped = cast("ScopedQuerySet[Any]", parent._default_manager.all())  # type: ignore[union-attr]
        return Q(**{f"{name}__in": scoped.for_user(user).values("pk")})


# Matches no county: the value to filter on when a user has no place in the tree.
NO_COUNTY = "-"
COUNTY_PATH_WIDTH = 6  # org.models.PATH_WIDTH[Level.COUNTY]


def user_county_path(user: Any) -> str:
    """The path of the county the user works in, or NO_COUNTY (which matches nothing)."""
    node = getattr(user, "node", None)
    return node.path[:COUNTY_PATH_WIDTH] if node is not None else NO_COUNTY


class CountyQuerySet(models.QuerySet):
    """Records a county owns as a whole through a `county` key (its rules, tags, category
    tree, word lists, trained models): they belong to no place below the county, so a
    subtree does not fit (a village cadre works under the county's rules). Everyone
    working in the county sees them; nobody outside it, and nobody unplaced or inactive."""

    county_field: str = "county"

    def for_user(self, user: Any) -> Self:
        if user_scope_path(user) is None:
            return self.none()
        return self.filter(**{f"{self.county_field}__path": user_county_path(user)})


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


def naming_visible(user: Any, *, labels: Iterable[str], type_field: str, id_field: str) -> Q:
    """Rows that name an object by model label and primary key (an audit record's
    `object_type`/`object_id`) where the user may see that object: its model's own scoped
    manager decides, so no second set of rules is kept. A label whose model has no
    `for_user`, or no model at all, matches nothing."""
    from django.apps import apps

    visible = Q(pk__in=[])
    for label in labels:
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        manager = model._default_manager
        if not hasattr(manager, "for_user"):
            continue
        # The id column is text: compare it as text (a cast of another type's id to a
        # number would fail on PostgreSQL).
        objects = (
            manager.for_user(user)
            .order_by()
            .annotate(_named_id=Cast("pk", models.CharField()))
            .filter(_named_id=OuterRef(id_field))
        )
        visible |= Q(**{type_field: label}) & Q(Exists(objects))
    return visible
