"""Pages for the village talk point (百姓说事点) and the deputies' office (两代表工作室).

Thin views: forms validate, services write (and audit), selectors read. Objects are
fetched through the user's scope; anything outside it is a 404.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.fieldwork import services as svc
from minqing.fieldwork import talk_selectors as sel
from minqing.fieldwork.models import Reception, TalkDay, TalkItem
from minqing.fieldwork.rules import fieldwork_rules_for
from minqing.fieldwork.talk_forms import (
    DayNoteForm,
    ExtraDayForm,
    RatingsForm,
    ReceptionCaseForm,
    ReceptionForm,
    RotaForm,
    TalkItemForm,
    TalkSortForm,
)
from minqing.kit.forms import add_validation_error
from minqing.kit.guards import requires
from minqing.org.models import Level, Node
from minqing.org.roles import Cap, Role, has_cap
from minqing.org.scoping import get_in_scope_or_404

View = Callable[..., HttpResponse]


# --- access --------------------------------------------------------------------------------


def can_run_talk(user: Any) -> bool:
    """Run talk days: fieldwork roles with a territory (a department handler has none)."""
    return has_cap(user, Cap.FIELDWORK) and user.role != Role.DEPT_HANDLER


def can_view_talk(user: Any) -> bool:
    return can_run_talk(user) or has_cap(user, Cap.REVIEW_FIELDWORK)


def can_view_receptions(user: Any) -> bool:
    return has_cap(user, Cap.RECEPTION) or has_cap(user, Cap.REVIEW_FIELDWORK)


view_talk = requires(can_view_talk, label="talk_view")
run_talk = requires(can_run_talk, label="talk_run")
view_receptions = requires(can_view_receptions, label="reception_view")
run_receptions = requires(Cap.RECEPTION)


def _village(request: HttpRequest, code: str) -> Node:
    return get_in_scope_or_404(
        Node.objects.for_user(request.user).filter(level=Level.VILLAGE).select_related("parent"),
        request,
        code=code,
    )


def _day(request: HttpRequest, pk: int) -> TalkDay:
    return get_in_scope_or_404(
        TalkDay.objects.for_user(request.user).select_related("node__parent"), request, pk=pk
    )


def _item(request: HttpRequest, pk: int) -> TalkItem:
    return get_in_scope_or_404(
        sel.scoped_items(request.user).select_related("talk_day__node", "case"), request, pk=pk
    )


MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def _month(request: HttpRequest) -> tuple[int, int]:
    match = MONTH.match(request.GET.get("month") or request.POST.get("month") or "")
    if match and 2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12:
        return int(match[1]), int(match[2])
    today = timezone.localdate()
    return today.year, today.month


def _month_nav(year: int, month: int) -> dict[str, Any]:
    first = dt.date(year, month, 1)
    prev = first - dt.timedelta(days=1)
    nxt = first + dt.timedelta(days=32)
    return {
        "year": year,
        "month": month,
        "month_param": f"{year}-{month:02d}",
        "prev_month": f"{prev.year}-{prev.month:02d}",
        "next_month": f"{nxt.year}-{nxt.month:02d}",
    }


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


def _form_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for text in errors:
            messages.error(request, text)


def _with_month(name: str, code: str, year: int, month: int) -> str:
    return f"{reverse(name, args=[code])}?month={year}-{month:02d}"


# --- the talk point ------------------------------------------------------------------------


@view_talk
def index(request: HttpRequest) -> HttpResponse:
    node = request.user.node  # type: ignore[union-attr]
    if node.level == Level.VILLAGE:
        return redirect("talk:village", code=node.code)
    return redirect("talk:overview")


@view_talk
def overview(request: HttpRequest) -> HttpResponse:
    """Every village in scope for a month: openings vs quota, items, cases, resolved."""
    year, month = _month(request)
    rules = fieldwork_rules_for(request.user.node)  # type: ignore[union-attr,arg-type]
    townships = sel.township_overview(request.user, year, month, rules)
    return render(
        request,
        "fieldwork/talk_overview.html",
        {
            "townships": townships,
            "rules": rules,
            "short_total": sum(t.short for t in townships),
            **_month_nav(year, month),
        },
    )


@view_talk
def village(request: HttpRequest, code: str) -> HttpResponse:
    """The village's talk point: this month's openings, figures and the way to today's day."""
    node = _village(request, code)
    year, month = _month(request)
    rules = fieldwork_rules_for(node)
    days = sel.month_days(node, year, month)
    today = timezone.localdate()
    start, end = sel.quarter_bounds(dt.date(year, month, 1))
    return render(
        request,
        "fieldwork/talk_village.html",
        {
            "village": node,
            "rules": rules,
            "days": days,
            "today": today,
            "today_day": TalkDay.objects.filter(node=node, date=today).first(),
            "figures": sel.talk_figures([node], year, month, rules)[0],
            "scheduled": len(sel.talk_dates(year=year, month=month, weekday=rules.talk_weekday)),
            "evaluation_day": TalkDay.objects.filter(
                node=node, evaluation=True, date__range=(start, end)
            ).first(),
            "meeting_count": TalkItem.objects.filter(
                talk_day__node=node, meeting_item=True
            ).count(),
            "can_run": can_run_talk(request.user),
            **_month_nav(year, month),
        },
    )


@view_talk
def schedule(request: HttpRequest, code: str) -> HttpResponse:
    """The month's talk days and their rota (值班干部)."""
    node = _village(request, code)
    year, month = _month(request)
    return _render_schedule(request, node, year, month)


def _render_schedule(
    request: HttpRequest, node: Node, year: int, month: int, rota_form: RotaForm | None = None
) -> HttpResponse:
    rules = fieldwork_rules_for(node)
    days = sel.month_days(node, year, month)
    cadres = sel.responsible_choices(node)
    dates = sel.talk_dates(year=year, month=month, weekday=rules.talk_weekday)
    have = {d.date for d in days}
    return render(
        request,
        "fieldwork/talk_schedule.html",
        {
            "village": node,
            "rules": rules,
            "days": days,
            "missing": [d for d in dates if d not in have],
            "weekday_name": _weekday_name(rules.talk_weekday),
            "cadres": cadres,
            "rota_form": rota_form or RotaForm(days=days, cadres=cadres),
            "extra_form": ExtraDayForm(),
            "short": len(days) < rules.talk_days_per_month,
            "can_run": can_run_talk(request.user),
            **_month_nav(year, month),
        },
    )


def _weekday_name(weekday: int) -> str:
    names = [_("星期一"), _("星期二"), _("星期三"), _("星期四"), _("星期五"), _("星期六")]
    return [*names, _("星期日")][(weekday - 1) % 7]


@require_POST
@run_talk
def generate(request: HttpRequest, code: str) -> HttpResponse:
    node = _village(request, code)
    year, month = _month(request)
    created, _existing = svc.talk_days_generate(
        actor=request.user,  # type: ignore[arg-type]
        village=node,
        year=year,
        month=month,
    )
    if created:
        messages.success(
            request,
            _("已生成 %(y)d年%(m)d月的 %(n)d 个说事日。")
            % {"y": year, "m": month, "n": len(created)},
        )
    else:
        messages.info(request, _("本月的说事日此前已生成，没有重复生成。"))
    return redirect(_with_month("talk:schedule", node.code, year, month))


@require_POST
@run_talk
def add_day(request: HttpRequest, code: str) -> HttpResponse:
    node = _village(request, code)
    form = ExtraDayForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        year, month = _month(request)
        return redirect(_with_month("talk:schedule", node.code, year, month))
    date = form.cleaned_data["date"]
    _day_obj, created = svc.talk_day_add(actor=request.user, village=node, date=date)  # type: ignore[arg-type]
    if created:
        messages.success(request, _("已加开 %(d)s 的说事日。") % {"d": date.isoformat()})
    else:
        messages.info(request, _("%(d)s 已有说事日。") % {"d": date.isoformat()})
    return redirect(_with_month("talk:schedule", node.code, date.year, date.month))


@require_POST
@run_talk
def rota(request: HttpRequest, code: str) -> HttpResponse:
    node = _village(request, code)
    year, month = _month(request)
    days = sel.month_days(node, year, month)
    form = RotaForm(request.POST, days=days, cadres=sel.responsible_choices(node))
    if not form.is_valid():
        _form_errors(request, form)
        return _render_schedule(request, node, year, month, form)
    try:
        changed = svc.talk_rota_set(actor=request.user, rota=form.rota())  # type: ignore[arg-type]
    except ValidationError as error:
        _errors(request, error)
        return _render_schedule(request, node, year, month, form)
    messages.success(request, _("值班安排已保存（%(n)d 天有变动）。") % {"n": changed})
    return redirect(_with_month("talk:schedule", node.code, year, month))


@view_talk
def day(request: HttpRequest, pk: int) -> HttpResponse:
    talk_day = _day(request, pk)
    return _render_day(request, talk_day)


def _render_day(
    request: HttpRequest,
    talk_day: TalkDay,
    item_form: TalkItemForm | None = None,
    note_form: DayNoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    node = talk_day.node
    cadres = sel.responsible_choices(node)
    households = sel.village_households(request.user, node)
    items = sel.day_items(talk_day)
    added = request.GET.get("added", "")
    return render(
        request,
        "fieldwork/talk_day.html",
        {
            "day": talk_day,
            "village": node,
            "on_duty": list(talk_day.on_duty.order_by("pk")),
            "rows": [(item, TalkSortForm.for_item(item, cadres)) for item in items],
            "item_form": item_form
            or TalkItemForm(households=households, initial={"idempotency_key": uuid.uuid4().hex}),
            "note_form": note_form or DayNoteForm(initial={"note": talk_day.note}),
            "open": talk_day.date <= timezone.localdate(),
            "added": added if added.isdigit() else "",
            "can_run": can_run_talk(request.user),
        },
        status=status,
    )


def _day_url(talk_day: TalkDay, anchor: str = "") -> str:
    return reverse("talk:day", args=[talk_day.pk]) + (f"#{anchor}" if anchor else "")


@require_POST
@run_talk
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    talk_day = _day(request, pk)
    households = sel.village_households(request.user, talk_day.node)
    form = TalkItemForm(request.POST, households=households)
    if not form.is_valid():
        return _render_day(request, talk_day, item_form=form, status=400)
    data = form.cleaned_data
    try:
        item, created = svc.talk_item_add(
            actor=request.user,  # type: ignore[arg-type]
            talk_day=talk_day,
            text=data["text"],
            speaker=data["speaker"],
            household=data["household"],
            idempotency_key=data["idempotency_key"],
        )
    except ValidationError as error:
        add_validation_error(form, error)
        return _render_day(request, talk_day, item_form=form, status=400)
    if created:
        messages.success(request, _("已登记到说事登记簿。"))
    return redirect(f"{reverse('talk:day', args=[talk_day.pk])}?added={item.pk}#item-{item.pk}")


@require_POST
@run_talk
def day_note(request: HttpRequest, pk: int) -> HttpResponse:
    talk_day = _day(request, pk)
    form = DayNoteForm(request.POST)
    if not form.is_valid():
        return _render_day(request, talk_day, note_form=form, status=400)
    svc.talk_day_note_set(actor=request.user, talk_day=talk_day, note=form.cleaned_data["note"])  # type: ignore[arg-type]
    messages.success(request, _("说事记录已保存。"))
    return redirect(_day_url(talk_day, "day-note"))


@require_POST
@run_talk
def item_sort(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    cadres = sel.responsible_choices(item.talk_day.node)
    form = TalkSortForm(request.POST, cadres=cadres, prefix=f"item{item.pk}")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(_day_url(item.talk_day, f"item-{item.pk}"))
    try:
        svc.talk_item_sort(actor=request.user, item=item, **form.cleaned_data)  # type: ignore[arg-type]
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("议事分类已保存。"))
    return redirect(_day_url(item.talk_day, f"item-{item.pk}"))


@require_POST
@run_talk
def item_case(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    try:
        case, created = svc.talk_item_to_case(actor=request.user, item=item)  # type: ignore[arg-type]
    except ValidationError as error:
        _errors(request, error)
        return redirect(_day_url(item.talk_day, f"item-{item.pk}"))
    if created:
        messages.success(request, _("已转为民情事项，登记编号 %(n)s。") % {"n": case.number})
    else:
        messages.info(request, _("该事项此前已转为民情事项 %(n)s。") % {"n": case.number})
    return redirect(_day_url(item.talk_day, f"item-{item.pk}"))


@require_POST
@run_talk
def item_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    if svc.talk_item_to_meeting(actor=request.user, item=item):  # type: ignore[arg-type]
        messages.success(request, _("已提交会议议事。"))
    else:
        messages.info(request, _("该事项此前已提交会议议事。"))
    return redirect(_day_url(item.talk_day, f"item-{item.pk}"))


@view_talk
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    """评事日: the quarter's items with their outcome, and the ratings given."""
    talk_day = _day(request, pk)
    if not talk_day.evaluation:
        raise Http404
    items = sel.quarter_items(talk_day.node, talk_day.date)
    form = RatingsForm(request.POST or None, items=items)
    if request.method == "POST":
        if not can_run_talk(request.user):
            record(action=Action.DENIED, request=request, note="缺少权限 talk_run")
            raise Http404
        if form.is_valid():
            try:
                changed = svc.talk_items_rate(
                    actor=request.user,  # type: ignore[arg-type]
                    evaluation_day=talk_day,
                    ratings=form.ratings(),
                )
            except ValidationError as error:
                _errors(request, error)
            else:
                messages.success(request, _("评事结果已保存（%(n)d 项有变动）。") % {"n": changed})
                return redirect("talk:evaluation", pk=talk_day.pk)
    start, end = sel.quarter_bounds(talk_day.date)
    rated = [i for i in items if i.rating]
    return render(
        request,
        "fieldwork/talk_evaluation.html",
        {
            "day": talk_day,
            "village": talk_day.node,
            "form": form,
            "quarter_start": start,
            "quarter_end": end,
            "quarter": (start.month - 1) // 3 + 1,
            "summary": {
                "items": len(items),
                "cases": sum(1 for i in items if i.case_id),
                "resolved": sum(
                    1 for i in items if i.case and i.case.status in sel.RESOLVED_STATUSES
                ),
                "rated": len(rated),
                "satisfied": sum(1 for i in rated if i.rating == "satisfied"),
                "basically": sum(1 for i in rated if i.rating == "basically"),
                "dissatisfied": sum(1 for i in rated if i.rating == "dissatisfied"),
            },
            "can_run": can_run_talk(request.user),
        },
    )


@view_talk
def meetings(request: HttpRequest, code: str) -> HttpResponse:
    node = _village(request, code)
    return render(
        request,
        "fieldwork/talk_meetings.html",
        {"village": node, "items": sel.meeting_items(node)},
    )


# --- the deputies' office ------------------------------------------------------------------


@view_receptions
def receptions(request: HttpRequest) -> HttpResponse:
    """A deputy's own monthly figures; reviewers see every deputy in scope."""
    user = request.user
    year, month = _month(request)
    rules = fieldwork_rules_for(user.node)  # type: ignore[union-attr,arg-type]
    is_deputy = has_cap(user, Cap.RECEPTION)
    deputies = [user] if is_deputy else sel.deputies_in_scope(user)
    figures = sel.deputy_figures(deputies, year, month, rules)  # type: ignore[arg-type]
    return render(
        request,
        "fieldwork/reception_list.html",
        {
            "is_deputy": is_deputy,
            "mine": figures[0] if is_deputy else None,
            "figures": figures,
            "receptions": sel.month_receptions(user, year, month),
            "rules": rules,
            "collective_quota": sel.COLLECTIVE_PER_MONTH,
            **_month_nav(year, month),
        },
    )


@run_receptions
def reception_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ReceptionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                reception, created = svc.reception_record(
                    actor=request.user,  # type: ignore[arg-type]
                    date=data["date"],
                    record_text=data["record"],
                    collective=data["collective"],
                    visitors=data["visitors"],
                    idempotency_key=data["idempotency_key"],
                )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                if created:
                    messages.success(request, _("接待记录已保存。"))
                return redirect(f"{reverse('talk:reception', args=[reception.pk])}?saved=1")
        status = 400
    else:
        form = ReceptionForm(initial={"idempotency_key": uuid.uuid4().hex})
        status = 200
    return render(request, "fieldwork/reception_new.html", {"form": form}, status=status)


def _reception(request: HttpRequest, pk: int) -> Reception:
    return get_in_scope_or_404(
        Reception.objects.for_user(request.user).select_related("deputy", "node"),
        request,
        pk=pk,
    )


@view_receptions
def reception(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _reception(request, pk)
    return _render_reception(request, obj)


def _render_reception(
    request: HttpRequest, obj: Reception, form: ReceptionCaseForm | None = None, status: int = 200
) -> HttpResponse:
    cases = list(obj.cases.order_by("pk"))
    can_case = has_cap(request.user, Cap.RECEPTION) and has_cap(request.user, Cap.REGISTER_CASE)
    return render(
        request,
        "fieldwork/reception_detail.html",
        {
            "reception": obj,
            "cases": cases,
            "can_case": can_case,
            "form": form or ReceptionCaseForm(initial={"n": len(cases) + 1}),
            "saved": request.GET.get("saved") == "1",
        },
        status=status,
    )


@require_POST
@run_receptions
def reception_case(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _reception(request, pk)
    if not has_cap(request.user, Cap.REGISTER_CASE):
        raise Http404
    form = ReceptionCaseForm(request.POST)
    if not form.is_valid():
        return _render_reception(request, obj, form, status=400)
    data = form.cleaned_data
    try:
        case, created = svc.reception_to_case(
            actor=request.user,  # type: ignore[arg-type]
            reception=obj,
            n=data["n"],
            text=data["text"],
            reporter_name=data["reporter_name"],
            anonymous=data["anonymous"],
            nature=data["nature"],
        )
    except ValidationError as error:
        _errors(request, error)
        return redirect("talk:reception", pk=obj.pk)
    if created:
        messages.success(request, _("已转为民情事项，登记编号 %(n)s。") % {"n": case.number})
    else:
        messages.info(request, _("该事项此前已登记，登记编号 %(n)s。") % {"n": case.number})
    return redirect("talk:reception", pk=obj.pk)
