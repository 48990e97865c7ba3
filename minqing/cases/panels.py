"""What cases shows on a lower app's page: the matters that name a household (its 民情档案),
as far as the reader may see cases. Registered in CasesConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from minqing.cases.models import Case
from minqing.households.models import Household


def household_cases_context(request: HttpRequest, household: Household) -> dict[str, Any]:
    return {
        "cases": Case.objects.for_user(request.user)
        .filter(households=household)
        .order_by("-created_at")[:50],
    }
