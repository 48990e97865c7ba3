"""What fieldwork shows on lower apps' pages, as far as the reader may open it: the visits
and diary entries a case came from (the staff case page) and those that name a household
(a household's page). Registered in FieldworkConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from minqing.cases.models import Case
from minqing.fieldwork.diary_selectors import visible_entries
from minqing.fieldwork.visit_selectors import visible_visits
from minqing.households.models import Household


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


def household_fieldwork_context(request: HttpRequest, household: Household) -> dict[str, Any]:
    # Those the user may read: the visitor or author, and reviewers in scope.
    user = request.user
    return {
        "visits": visible_visits(user)  # type: ignore[arg-type]
        .filter(households=household)
        .select_related("visitor")
        .order_by("-date")[:20],
        "diary_entries": visible_entries(user)  # type: ignore[arg-type]
        .filter(households=household)
        .select_related("author")
        .order_by("-date")[:20],
    }
