"""Who may open the object a staff message is about.

A message to a staff user names its object (`related`: a case, a hot spot, a diary entry).
It goes only to users who may open that object, checked when it is queued and again when it
is delivered; the inbox and the unread count show it only while the user still may (a user
moved to another village, a matter placed elsewhere).

"May open" is never decided here: each related type names the queryset its own detail page
fetches from (the object's scoped manager or permission selector). Whatever changes who may
open a case changes who hears about it, with no second permission system to keep in step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast

from minqing.org.models import User


@dataclass(frozen=True)
class Openable:
    # The rows of the type the user may open: what its detail page fetches from (404 else).
    objects: Callable[[User], QuerySet[Any]]
    # The field `Outbox.related_id` holds (a case is known by its number, not its pk).
    key: str = "pk"


# Filled by the apps whose objects messages are about, each in its AppConfig.ready():
# notify sits below them in the layer order and may not import them.
RULES: dict[str, Openable] = {}


def register(label: str, objects: Callable[[User], QuerySet[Any]], *, key: str = "pk") -> None:
    """Name the queryset a type's detail page fetches from (404 outside it)."""
    RULES[label] = Openable(objects, key=key)


class NoAccessRule(ValueError):
    """A staff message names an object of a type nobody here knows how to check."""


def rule_for(related_type: str) -> Openable:
    try:
        return RULES[related_type]
    except KeyError:
        raise NoAccessRule(
            f"no access rule for related type {related_type!r}: add it to notify.access.RULES"
        ) from None


def related_key(obj: models.Model) -> tuple[str, str]:
    """(type, id) naming `obj` the way `related_id` stores it (a case by its number)."""
    label = obj._meta.label_lower
    key = RULES[label].key if label in RULES else "pk"
    return label, str(getattr(obj, key))


def may_open(user: User, related_type: str, related_id: str) -> bool:
    """True if `user` may open the object now; unknown types and objects are closed."""
    rule = RULES.get(related_type)
    if rule is None:
        return False
    try:
        return rule.objects(user).filter(**{rule.key: related_id}).exists()
    except (ValueError, TypeError, ValidationError):  # an id that is no id of this type
        return False


def who_may_open(users: Iterable[User], related_type: str, related_id: str) -> list[User]:
    """The users among `users` who may open the object, in order.

    One EXISTS per user: each user's scope is its own query (a dept handler's cases are
    not a village cadre's), and grouping users by "same scope" would restate the rules."""
    rule_for(related_type)  # an unknown type is a programming error, not "nobody"
    users = list(users)
    # `for_user` reads each user's node: fetch them all at once, not once per user.
    models.prefetch_related_objects(users, "node")
    return [user for user in users if may_open(user, related_type, related_id)]


def openable(user: User, *, prefix: str = "source__") -> Q:
    """Rows (through `prefix` to their outbox row) about nothing, or about an object the
    user may open now. A row whose outbox row is gone matches nothing: without its related
    object there is no telling whether it may be shown.

    Each type's test is a correlated EXISTS on the object's own queryset, so the cost grows
    with the user's messages, not with the objects in their scope."""
    related_type, related_id = f"{prefix}related_type", f"{prefix}related_id"
    allowed = Q(**{related_type: ""})
    for label, rule in RULES.items():
        objects = rule.objects(user).order_by()
        if rule.key == "pk":
            # related_id is text: compare it as text (casting it to a number would fail on
            # PostgreSQL for another type's id, whatever order the conditions run in).
            objects = objects.annotate(_related_key=Cast("pk", CharField())).filter(
                _related_key=OuterRef(related_id)
            )
        else:
            objects = objects.filter(**{rule.key: OuterRef(related_id)})
        allowed |= Q(**{related_type: label}) & Q(Exists(objects))
    return allowed
