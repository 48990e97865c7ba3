"""Where a case came from in the field: the visits and diary entries that raised or follow
it, as far as the reader may open them — shown on the staff case page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from minqing.cases.models import Case
from minqing.fieldwork.diary_selectors import visible_entries
from minqing.fieldwork.visit_selectors import visible_visits


def case_sources_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    user = request.user
    return {
        "source_visits": list(
            visible_visits(user).filter(cases=case).select_related("visitor")[:10]  # type: ignore[arg-type]
        ),
        "source_entries": list(
            visible_entries(user).filter(case=case).select_related("author")[:10]  # type: ignore[arg-type]
        ),
    }
