"""Keyword trends pages (/insight/keywords/): the ranking, trend chart and xlsx export of
the keywords of the matters in the user's area."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.cases.models import Case
from minqing.kit.guards import requires
from minqing.lib.spreadsheet import xlsx_bytes
from minqing.org.models import Level, Node
from minqing.org.roles import Cap
from minqing.org.scoping import get_in_scope_or_404
from minqing.textanalysis.keywords import (
    MONTH,
    QUARTER,
    SPAN_CHOICES,
    TOP_CHOICES,
    KeywordTrends,
    Period,
    keyword_trends,
)


@dataclass
class _Query:
    scope: Node
    cases: QuerySet[Case]
    townships: list[Node]  # the choices of a county user; empty for everyone else
    township: Node | None
    period: Period
    top: int
    span: int


def _int_choice(value: str | None, choices: tuple[int, ...], default: int) -> int:
    try:
        number = int(value or "")
    except ValueError:
        return default
    return number if number in choices else default


def _query(request: HttpRequest) -> _Query:
    user = request.user
    node: Node | None = getattr(user, "node", None)
    if node is None:  # a role without a place in the tree has no area to analyse
        raise Http404
    cases = Case.objects.for_user(user)
    townships: list[Node] = []
    township = None
    code = request.GET.get("township", "").strip()[:20]
    if node.level == Level.COUNTY:
        townships = list(Node.objects.for_user(user).filter(level=Level.TOWNSHIP).order_by("code"))
    if code:
        # Only a township inside the user's area; any other code is a page that is not there.
        township = get_in_scope_or_404(
            Node.objects.for_user(user).filter(level=Level.TOWNSHIP), request, code=code
        )
        if township.pk != node.pk:
            cases = cases.filter(township=township)
    scope = township or node
    today = timezone.localdate()
    return _Query(
        scope=scope,
        cases=cases,
        townships=townships,
        township=township,
        period=Period.parse(request.GET.get("period", ""), today),
        top=_int_choice(request.GET.get("top"), TOP_CHOICES, 10),
        span=_int_choice(request.GET.get("span"), SPAN_CHOICES, 12),
    )


def _trends(query: _Query) -> KeywordTrends:
    return keyword_trends(
        cases=query.cases, scope=query.scope, period=query.period, top=query.top, span=query.span
    )


@requires(Cap.VIEW_INSIGHT)
def keywords(request: HttpRequest) -> HttpResponse:
    query = _query(request)
    trends = _trends(query)
    today = timezone.localdate()
    return render(
        request,
        "textanalysis/keyword_trends.html",
        {
            "q": query,
            "trends": trends,
            "months": Period.of(MONTH, today).recent(12),
            "quarters": Period.of(QUARTER, today).recent(8),
            "top_choices": TOP_CHOICES,
            "span_choices": SPAN_CHOICES,
            "chart": trends.chart(),
            "export_query": request.GET.urlencode(),
        },
    )


@requires(Cap.VIEW_INSIGHT)
def keywords_export(request: HttpRequest) -> HttpResponse:
    """The ranking with its monthly trend as .xlsx (for the quarterly report)."""
    query = _query(request)
    trends = _trends(query)
    data = xlsx_bytes(title=_("关键词趋势"), header=trends.table_header(), rows=trends.table_rows())
    record(
        action=Action.EXPORT, request=request, obj=query.scope,
        note=_("导出关键词趋势：%(scope)s %(period)s")
        % {"scope": query.scope.name, "period": query.period.label},
    )  # fmt: skip
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"keywords-{query.scope.code}-{query.period.value}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=utf-8''{name}"
    return response
