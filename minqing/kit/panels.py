"""Panel slots: how an app higher in the layer order adds a section to a lower app's page.

The case page shows the case on the public board (portal) and the visits and diary entries
it came from (fieldwork); a household's page shows its visits and diary entries (fieldwork)
and the matters it raised (cases). The page's own app sits below those apps
(minqing.layers) and may not import them. So the page declares a `PanelSlot`, and each app
with something to show registers a panel on it from its AppConfig.ready(): the template to
include and a function that returns that template's context. The page's view adds
`slot.context(request, obj)` to its own context; its template includes the panels where
they stand on the page:

    {% for panel in case_panels %}{% include panel %}{% endfor %}

Panel contexts share the page's template context: a panel's keys must not be the page's
own or another panel's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

PanelContext = Callable[[HttpRequest, Any], dict[str, Any]]


@dataclass(frozen=True)
class Panel:
    template: str
    context: PanelContext
    order: int


class PanelSlot:
    """A place on one page where apps above the page's app add panels."""

    def __init__(self, name: str) -> None:
        self.name = name  # the template variable listing the panels' templates, in order
        self._panels: dict[str, Panel] = {}

    def register(self, template: str, context: PanelContext, *, order: int = 0) -> None:
        """Show `template` with `context(request, obj)` on the page. Panels stand in
        `order`, then in the order they were registered; registering a template again
        replaces it (AppConfig.ready() may run more than once)."""
        self._panels[template] = Panel(template, context, order)

    def context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        panels = sorted(self._panels.values(), key=lambda panel: panel.order)
        merged: dict[str, Any] = {}
        for panel in panels:
            merged.update(panel.context(request, obj))
        merged[self.name] = [panel.template for panel in panels]
        return merged
