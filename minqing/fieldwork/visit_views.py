"""Pages for the visit log (民情家访日志), visit plans (家访公告) and quota progress."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.fieldwork.models import Visit, VisitPlan
from minqing.fieldwork.quotas import Period, progress_for, team_in_scope
from minqing.fieldwork.rules import fieldwork_rules_for
from minqing.fieldwork.services import (
    MAX_PHOTOS,
    may_add_photos,
    may_cancel,
    may_plan_for_others,
    visit_case_create,
    visit_plan_cancel,
    visit_plan_create,
    visit_record,
)
from minqing.fieldwork.visit_forms import VisitCaseForm, VisitLogForm, VisitPlanForm, place_label
from minqing.fieldwork.visit_selectors import (
    case_seq_start,
    lists_households,
    plans_for_visit_form,
    shown_households,
    upcoming_plans,
    visible_visits,
    visit_places,
)
from minqing.kit.forms import add_validation_error
from minqing.kit.guards import requires
from minqing.lib.paging import CappedPaginator
from minqing.org.models import Node, User
from minqing.org.roles import Cap, has_cap
from minqing.org.scoping import get_in_scope_or_404

ITEMS_MAX = 10


def _field_or_review(user: User) -> bool:
    """Pages that either a field cadre or a reviewer may open, from a place in the tree."""
    return user.node is not None and (
        has_cap(user, Cap.FIELDWORK) or has_cap(user, Cap.REVIEW_FIELDWORK)
    )


field_or_review = requires(_field_or_review, label="fieldwork/review_fieldwork")


def _own_progress(user: User, day: dt.date) -> Any:
    if not has_cap(user, Cap.FIELDWORK):
        return None
    rules = fieldwork_rules_for(user.node)  # type: ignore[arg-type]
    return progress_for([user], rules=rules, period=Period.of(day))[0]


# --- Visits ---------------------------------------------------------------------------


@field_or_review
def visit_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    reviewer = has_cap(user, Cap.REVIEW_FIELDWORK)
    everyone = reviewer and request.GET.get("all") == "1"
    visits = visible_visits(user) if everyone else Visit.objects.for_user(user).filter(visitor=user)
    visits = (
        visits.select_related("visitor", "node__parent")
        .annotate(
            n_households=Count("households", distinct=True), n_cases=Count("cases", distinct=True)
        )
        .order_by("-date", "-pk")
    )
    page = CappedPaginator(visits, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "fieldwork/visit_list.html",
        {
            "page": page,
            "everyone": everyone,
            "reviewer": reviewer,
            "can_log": has_cap(user, Cap.FIELDWORK),
            "mine": _own_progress(user, timezone.localdate()),
        },
    )


def _place_for_form(request: HttpRequest, user: User, places: Any) -> Node:
    raw = request.POST.get("node", "") if request.method == "POST" else ""
    if raw.isdigit():
        place = places.filter(pk=int(raw)).first()
    else:
        code = request.GET.get("place", "")
        place = places.filter(code=code).first() if code.isdigit() else None
    return place or user.node  # type: ignore[return-value]


@requires(Cap.FIELDWORK)
def visit_new(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.node is None:
        raise Http404
    today = timezone.localdate()
    key = request.POST.get("idempotency_key", "")
    if request.method == "POST" and key:
        existing = Visit.objects.filter(idempotency_key=key, visitor=user).first()
        if existing is not None:
            # A double tap or a draft sent again: show what was stored.
            messages.info(request, _("这次走访已经记录过了。"))
            return redirect("visits:detail", pk=existing.pk)
    places = visit_places(user)
    initial: dict[str, Any] = {}
    plan_id = request.GET.get("plan", "")
    plan = (
        plans_for_visit_form(user, today).filter(pk=int(plan_id)).first()
        if plan_id.isdigit()
        else None
    )
    place = _place_for_form(request, user, places)
    if plan is not None:
        initial = {"plan": plan.pk, "form": plan.form}
        if "place" not in request.GET:
            place = plan.node
    form = VisitLogForm(
        request.POST or None,
        request.FILES or None,
        user=user,
        place=place,
        today=today,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photos = data.pop("photos", None) or []
        try:
            # The visit with its photos, or nothing; a resent form never adds them twice.
            visit, created = visit_record(actor=user, photos=photos, **data)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            if created:
                messages.success(request, _("走访已记录。"))
            else:
                messages.info(request, _("这次走访已经记录过了。"))
            return redirect("visits:detail", pk=visit.pk)
    q = request.GET.get("q", "").strip()[:40]
    selected = [int(v) for v in request.POST.getlist("households") if v.isdigit()]
    return render(
        request,
        "fieldwork/visit_form.html",
        {
            "form": form,
            "contents": [form[name] for name in VisitLogForm.CONTENTS],
            "place": place,
            "place_name": place_label(place),
            "places": [(n, place_label(n)) for n in places],
            "lists_households": lists_households(place),
            "households": shown_households(user, place, q=q, selected=selected),
            "selected": set(selected),
            "q": q,
        },
        status=400 if request.method == "POST" else 200,
    )


def _case_items(
    visit: Visit, households: list[Any], bound: VisitCaseForm | None, bound_index: int
) -> list[dict[str, Any]]:
    """One 'turn into a case' form per line of what was heard (the cadre trims each to one
    matter), with lines already turned into a case shown as done."""
    cases = {c.original_text: c for c in visit.cases.all()}
    lines = [line.strip() for line in visit.heard.splitlines() if line.strip()][:ITEMS_MAX]
    seq = case_seq_start(visit)
    single = households[0].pk if len(households) == 1 else None
    items: list[dict[str, Any]] = []
    for index, text in enumerate(lines or [""]):
        if bound is not None and index == bound_index:
            items.append({"index": index, "form": bound})
            continue
        if text and text in cases:
            items.append({"index": index, "text": text, "case": cases[text]})
            continue
        form = VisitCaseForm(
            visit=visit,
            initial={"seq": seq, "text": text, "household": single},
            auto_id=f"id_item{index}_%s",
        )
        seq += 1
        items.append({"index": index, "form": form})
    return items


def _detail(
    request: HttpRequest,
    visit: Visit,
    *,
    bound: VisitCaseForm | None = None,
    bound_index: int = -1,
    status: int = 200,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    households = list(visit.households.select_related("group").order_by("code"))
    can_convert = user.pk == visit.visitor_id
    photos = list(visit.photos.all())
    return render(
        request,
        "fieldwork/visit_detail.html",
        {
            "visit": visit,
            "households": households,
            "cases": visit.cases.order_by("created_at"),
            "contents": [
                (visit._meta.get_field(name).verbose_name, getattr(visit, name))
                for name in VisitLogForm.CONTENTS
            ],
            "items": _case_items(visit, households, bound, bound_index) if can_convert else [],
            "can_convert": can_convert,
            "can_view_cases": has_cap(user, Cap.VIEW_CASES),
            "can_view_households": has_cap(user, Cap.VIEW_RESIDENTS),
            "photos": photos,
            "max_photos": MAX_PHOTOS,
            "can_add_photos": may_add_photos(user, visit) and len(photos) < MAX_PHOTOS,
        },
        status=status,
    )


def _visit_for(request: HttpRequest, pk: int) -> Visit:
    return get_in_scope_or_404(
        visible_visits(request.user).select_related(  # type: ignore[arg-type]
            "visitor", "node__parent", "plan__node"
        ),
        request,
        pk=pk,
    )


@field_or_review
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visit_for(request, pk))


@require_POST
@requires(Cap.FIELDWORK)
def visit_to_case(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit_for(request, pk)
    if visit.visitor_id != request.user.pk:
        raise Http404
    raw = request.POST.get("item", "")
    index = int(raw) if raw.isdigit() and int(raw) < ITEMS_MAX else 0
    form = VisitCaseForm(request.POST, visit=visit, auto_id=f"id_item{index}_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            case, created = visit_case_create(
                actor=request.user,
                visit=visit,
                seq=data["seq"],
                text=data["text"],
                household=data["household"],
                nature=data["nature"],
                reporter_name=data["reporter_name"],
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            if created:
                messages.success(
                    request, _("已转为民情事项，登记编号 %(n)s。") % {"n": case.number}
                )
            else:
                messages.info(request, _("该事项已登记过，登记编号 %(n)s。") % {"n": case.number})
            return redirect(reverse("visits:detail", args=[visit.pk]) + "#cases")
    return _detail(request, visit, bound=form, bound_index=index, status=400)


# --- Plans ----------------------------------------------------------------------------


@field_or_review
def plans(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    for_others = may_plan_for_others(user)
    form = VisitPlanForm(request.POST or None, user=user, for_others=for_others)
    if request.method == "POST" and form.is_valid():
        try:
            plan, created = visit_plan_create(actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            if created:
                messages.success(request, _("走访安排已保存。"))
            else:
                messages.info(request, _("这项安排已经保存过了。"))
            return redirect(reverse("visits:plans") + f"?saved={plan.pk}#plan-{plan.pk}")
    rows = [(plan, may_cancel(user, plan)) for plan in upcoming_plans(user)[:100]]
    return render(
        request,
        "fieldwork/visit_plans.html",
        {
            "form": form,
            "rows": rows,
            "for_others": for_others,
            "saved": request.GET.get("saved", ""),
            "can_log": has_cap(user, Cap.FIELDWORK),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@field_or_review
def plan_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_in_scope_or_404(VisitPlan.objects.for_user(request.user), request, pk=pk)
    try:
        visit_plan_cancel(actor=request.user, plan=plan)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已取消这项安排，公开栏不再显示。"))
    return redirect("visits:plans")


# --- Progress -------------------------------------------------------------------------


def _month(value: str, today: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(f"{value}-01")
    except ValueError:
        return today
    return day if dt.date(today.year - 2, 1, 1) <= day <= today else today


@field_or_review
def progress(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    today = timezone.localdate()
    day = _month(request.GET.get("month", ""), today)
    period = Period.of(day)
    rules = fieldwork_rules_for(user.node)  # type: ignore[arg-type]
    mine = None
    if has_cap(user, Cap.FIELDWORK):
        mine = progress_for([user], rules=rules, period=period, detail=True)[0]
    team = page = None
    behind_only = request.GET.get("behind") == "1"
    if has_cap(user, Cap.REVIEW_FIELDWORK):
        team = progress_for(team_in_scope(user), rules=rules, period=period)
        team.sort(key=lambda p: (not p.behind, -p.total_gap))
        shown = [p for p in team if p.behind] if behind_only else team
        page = Paginator(shown, 50).get_page(request.GET.get("page"))
    months = []
    first = today.replace(day=1)
    for back in range(12):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append(dt.date(year, month + 1, 1))
    return render(
        request,
        "fieldwork/visit_progress.html",
        {
            "period": period,
            "rules": rules,
            "mine": mine,
            "team": team,
            "page": page,
            "behind_count": sum(1 for p in team or [] if p.behind),
            "behind_only": behind_only,
            "months": months,
            "month_value": f"{day:%Y-%m}",
        },
    )
