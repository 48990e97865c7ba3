"""What apps above cases add to registering and editing a case (textanalysis, today).

Cases sits below them in the layer order (minqing.layers) and may not import them; they add
their part from their AppConfig.ready():

- a look-alike finder: the matters most like one about to be registered, shown before it is
  (registering it anyway takes a second confirmation), so staff can merge rather than
  register the same matter twice; the register page shows each match with
  textanalysis/_similar_match.html;
- a category listener: told, inside the form's transaction, that staff set a case's
  category on a form (the text models keep the choice, and what they had suggested on the
  form, as training data).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from django.http import HttpRequest

from minqing.cases.models import Case
from minqing.org.models import Node, User


class LookAlikeFinder(Protocol):
    def __call__(
        self, user: User, *, text: str, node: Node, households: Sequence[int]
    ) -> list[Any]: ...


CategoryListener = Callable[[HttpRequest, Case], None]

_finders: list[LookAlikeFinder] = []
_listeners: list[CategoryListener] = []


def add_look_alike_finder(finder: LookAlikeFinder) -> None:
    if finder not in _finders:  # AppConfig.ready() may run more than once
        _finders.append(finder)


def add_category_listener(listener: CategoryListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def look_alikes(user: User, *, text: str, node: Node, households: Sequence[int]) -> list[Any]:
    """Every finder's matches for a matter about to be registered, best first per finder."""
    return [
        match
        for find in _finders
        for match in find(user, text=text, node=node, households=households)
    ]


def category_chosen(request: HttpRequest, case: Case) -> None:
    """Staff set `case`'s category on the form in `request`."""
    for listener in _listeners:
        listener(request, case)
