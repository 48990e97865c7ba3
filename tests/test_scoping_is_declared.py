"""Scoping cannot be forgotten: every model with a path to the jurisdiction tree declares how
it is scoped.

A model "reaches the tree" when a chain of foreign keys (a few hops) leads from it to
`org.Node`. Each such model of a `minqing` app must have, as its default manager, one of the
scoped querysets of `minqing.org.scoping` — or be on the allowlist below, with the reason.
The declarations are checked too: a path names real relations ending at a node's path; a
model scoped through a parent's path keeps that parent's excluded roles and does not skip a
parent whose `for_user` is more than a path (it must delegate to it); a parent-scoped
model's parents are scoped themselves.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from minqing.org.models import Node
from minqing.org.scoping import CountyQuerySet, ParentScopedQuerySet, ScopedQuerySet

MAX_HOPS = 4

# Models that reach the tree yet have no scoped manager. Each is reached only through a
# staff account (a foreign key to org.User names who did something or who is addressed,
# not where), and is read only by its addressee or through an admin with its own scope.
NOT_SCOPED_BY_PLACE: dict[str, str] = {
    "audit.auditevent": (
        "append-only log; its actor is who acted, not where. Read only in the admin, which "
        "shows a county administrator the events of the county's staff and the events "
        "about objects the administrator may see (audit/admin.py)"
    ),
    "notify.outbox": (
        "a message to deliver, addressed to a staff account or a resident's number; the "
        "outbox admin scopes it by recipient and by its related object (notify/admin.py)"
    ),
    "notify.notification": (
        "a staff user's own inbox; read only by its addressee, and shown only while the "
        "addressee may still open its object (notify.access.openable)"
    ),
}


def minqing_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("minqing.")]


def forward_relations(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.get_fields()
        if (f.many_to_one or f.one_to_one) and f.concrete and f.related_model is not None
    ]


def reaches_tree(model: type[models.Model], hops: int = MAX_HOPS) -> bool:
    """True if a chain of at most `hops` foreign keys leads from `model` to Node."""
    if model is Node:
        return True
    frontier, seen = {model}, {model}
    for _ in range(hops):
        frontier = {f.related_model for m in frontier for f in forward_relations(m)} - seen
        if Node in frontier:
            return True
        seen |= frontier
    return False


def scoping_of(model: type[models.Model]) -> type[models.QuerySet]:
    return type(model._default_manager.get_queryset())


def is_declared(model: type[models.Model]) -> bool:
    return issubclass(scoping_of(model), ScopedQuerySet | CountyQuerySet)


def overrides_for_user(queryset_class: type[models.QuerySet]) -> bool:
    """True if the class's `for_user` is more than ScopedQuerySet's path filter."""
    return queryset_class.for_user is not ScopedQuerySet.for_user


def undeclared(models_: list[type[models.Model]]) -> list[str]:
    return sorted(
        m._meta.label_lower
        for m in models_
        if reaches_tree(m) and not is_declared(m) and m._meta.label_lower not in NOT_SCOPED_BY_PLACE
    )


def test_models_reaching_the_tree_are_found() -> None:
    """The walk itself: a direct key, a parent's key, and a key through a parent's parent."""
    labels = {m._meta.label_lower for m in minqing_models() if reaches_tree(m)}
    assert {"households.household", "cases.caseevent", "cases.supervisionaction"} <= labels
    assert "fieldwork.fieldphoto" in labels
    assert "portal.ratecounter" not in labels  # keyed by address and window, no place


def test_every_model_reaching_the_tree_is_scoped_or_allowlisted() -> None:
    missing = undeclared(minqing_models())
    assert not missing, (
        "These models reach the jurisdiction tree but have no scoped default manager "
        "(minqing.org.scoping: ScopedQuerySet, ParentScopedQuerySet or CountyQuerySet) "
        f"and are not on NOT_SCOPED_BY_PLACE with a reason: {missing}"
    )


def test_the_allowlist_names_only_real_unscoped_models() -> None:
    labels = {m._meta.label_lower: m for m in minqing_models()}
    for label in NOT_SCOPED_BY_PLACE:
        assert label in labels, f"{label} is no model: drop it from the allowlist"
        assert reaches_tree(labels[label]), f"{label} does not reach the tree: drop it"
        assert not is_declared(labels[label]), f"{label} is scoped now: drop it"


def _walk(model: type[models.Model], lookup: str) -> list[models.Field]:
    """The fields a lookup ("household__group__path") passes through, last one included."""
    fields = []
    for name in lookup.split("__"):
        field = model._meta.get_field(name)
        fields.append(field)
        if field.related_model is not None:
            model = field.related_model
    return fields


@pytest.mark.parametrize(
    "model",
    [m for m in minqing_models() if issubclass(scoping_of(m), ScopedQuerySet)],
    ids=lambda m: m._meta.label_lower,
)
def test_place_scoping_is_consistent_with_the_parents(model: type[models.Model]) -> None:
    queryset = scoping_of(model)
    if issubclass(queryset, ParentScopedQuerySet):
        assert queryset.scope_parents, f"{model.__name__}: no scope_parents"
        for name in queryset.scope_parents:
            field = model._meta.get_field(name)
            assert field.many_to_one or field.one_to_one, f"{model.__name__}.{name}: no key"
            assert is_declared(field.related_model), f"{model.__name__}.{name}: parent unscoped"
        return
    fields = _walk(model, queryset.scope_path_field)
    ends_at = (fields[-1].model, fields[-1].name)
    assert ends_at == (Node, "path"), (
        f"{model.__name__}.scope_path_field = {queryset.scope_path_field!r} "
        "does not end at a node's path"
    )
    # Every scoped model the path passes through before the node is a parent whose rules
    # the child must keep: its excluded roles, and its own for_user if it has one.
    for field in fields[:-1]:
        parent = field.related_model
        if parent is None or parent is Node or not is_declared(parent):
            continue
        parent_qs = scoping_of(parent)
        assert not overrides_for_user(parent_qs), (
            f"{model.__name__} is scoped by path through {parent.__name__}, whose for_user "
            f"is more than a path: delegate with ParentScopedQuerySet(scope_parents="
            f"({field.name!r},)) instead"
        )
        assert getattr(parent_qs, "excluded_roles", frozenset()) <= queryset.excluded_roles, (
            f"{model.__name__} does not exclude the roles {parent.__name__} excludes"
        )


def test_a_model_without_scoping_fails_the_check() -> None:
    """The guard catches an unscoped model: here a throwaway model hanging off a case."""

    class Scribble(models.Model):
        case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "cases"

        def __str__(self) -> str:
            return str(self.pk)

    try:
        assert undeclared([Scribble]) == ["cases.scribble"]
    finally:
        del apps.all_models["cases"]["scribble"]
        apps.clear_cache()


# --- what the declarations do -------------------------------------------------------------


def test_a_child_follows_its_parents_own_rules(county) -> None:
    """A case's timeline and supervision reach a department handler exactly when the case
    does (the case's rule is by department, not by path), and nobody outside."""
    from minqing.cases.models import Case, CaseEvent, Supervision
    from minqing.cases.services import case_register, case_transition, supervision_open

    case, _ = case_register(
        actor=county.users["cadre"], node=county.g1a, channel="hotline", nature="help",
        original_text="路面塌陷", reporter_name="反映人",
    )  # fmt: skip
    supervision_open(case=case, unit=county.center, actor=None, reason="督办")
    handler = county.users["dept_handler"]
    for model in (CaseEvent, Supervision):
        assert not model.objects.for_user(handler).exists(), model.__name__
    case_transition(case=case, action="assign", actor=None, unit=county.department)
    for persona in ("dept_handler", "cadre", "township_staff", "sibling", "other_admin"):
        user = county.users[persona]
        sees_case = Case.objects.for_user(user).filter(pk=case.pk).exists()
        for model in (CaseEvent, Supervision):
            sees = model.objects.for_user(user).filter(case=case).exists()
            assert sees == sees_case, (model.__name__, persona)
    assert CaseEvent.objects.for_user(handler).filter(case=case).exists()


def test_county_records_are_the_whole_countys_and_nobody_elses(county) -> None:
    from minqing.cases.models import Category

    category = Category.objects.create(county=county.county, code="X1", name="道路")
    for persona in ("cadre", "liaison", "dept_handler", "county_admin"):
        assert category in Category.objects.for_user(county.users[persona]), persona
    for persona in ("other_admin", "other_dept"):
        assert category not in Category.objects.for_user(county.users[persona]), persona
    cadre = county.users["cadre"]
    cadre.is_active = False
    assert not Category.objects.for_user(cadre).exists()
