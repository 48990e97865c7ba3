from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from minqing.audit.models import Action as AuditAction
from minqing.audit.services import record
from minqing.cases.attachments import PreparedFile, attachment_prepare
from minqing.cases.case_page import case_page
from minqing.cases.forms import CaseActionForm, CaseDetailsForm, CaseRegisterForm
from minqing.cases.models import Case, Category, Channel, Urgency
from minqing.cases.permissions import can_act, can_reveal_reporter
from minqing.cases.register_hooks import category_chosen, look_alikes
from minqing.cases.selectors import (
    CaseFilters,
    filtered_cases,
    return_visits_due,
    work_queue,
)
from minqing.cases.services import (
    attachment_add,
    case_register,
    case_transition,
    case_update_details,
)
from minqing.cases.workflow import Action, Status
from minqing.kit.forms import add_validation_error
from minqing.kit.guards import requires
from minqing.lib.paging import CappedPaginator
from minqing.org.models import Level, Node, UnitKind
from minqing.org.roles import Cap
from minqing.org.scoping import get_in_scope_or_404, user_county_path


@requires(Cap.VIEW_CASES)
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    cases = work_queue(user).select_related("node__parent", "unit")  # type: ignore[arg-type]
    page = CappedPaginator(cases, 30).get_page(request.GET.get("page"))
    visits = return_visits_due(user).select_related("node__parent", "unit")[:50]  # type: ignore[arg-type]
    return render(
        request, "cases/queue.html", {"page": page, "visits": visits, "now": timezone.now()}
    )


def _filters(request: HttpRequest) -> CaseFilters:
    get = request.GET
    return CaseFilters(
        q=get.get("q", "")[:60],
        status=get.get("status", "") if get.get("status") in Status.values else "",
        channel=get.get("channel", "") if get.get("channel") in Channel.values else "",
        urgency=get.get("urgency", "") if get.get("urgency") in Urgency.values else "",
        category=get.get("category", "")[:40],
        node=get.get("node", "")[:15] if get.get("node", "").isdigit() else "",
        level=get.get("level", "") if get.get("level") in UnitKind.values else "",
        overdue=get.get("overdue") == "1",
        open_only=get.get("open") == "1",
        date_from=_date(get.get("from", "")),
        date_to=_date(get.get("to", "")),
    )


def _prepare_uploads(request: HttpRequest) -> tuple[list[PreparedFile], list[str]]:
    """Check and re-encode every file before anything is saved: a bad photo must not leave
    a case registered without it, nor a good photo's file behind (nothing half-saved); and
    decoding outside the transaction holds no database lock."""
    prepared, errors = [], []
    for upload in request.FILES.getlist("files")[:10]:
        try:
            prepared.append(attachment_prepare(upload=upload))
        except ValidationError as error:
            errors.extend(error.messages)
    return prepared, errors


def _confirm_category(request: HttpRequest, *, before: int | None = None) -> Callable[[Case], None]:
    """Run in the case's own transaction: a category chosen (or changed from `before`) is
    kept as training data, with what the intake panel had suggested."""

    def confirm(case: Case) -> None:
        if case.category_id != before:
            category_chosen(request, case)

    return confirm


def _date(value: str) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        return ""


@requires(Cap.VIEW_CASES)
def case_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    page = CappedPaginator(filtered_cases(request.user, filters), 30).get_page(  # type: ignore[arg-type]
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/list.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "statuses": Status.choices,
            "channels": Channel.choices,
            "urgencies": Urgency.choices,
            "levels": UnitKind.choices,
            "places": Node.objects.for_user(request.user)
            .filter(level__in=[Level.TOWNSHIP, Level.VILLAGE])
            .order_by("path")
            .only("path", "name", "level"),
            "categories": Category.objects.filter(
                county__path=user_county_path(request.user),
                depth=1,
                active=True,
            ),
            "now": timezone.now(),
        },
    )


@requires(Cap.REGISTER_CASE)
def register(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = CaseRegisterForm(request.POST or None, user=user)  # type: ignore[arg-type]
    similar: list[object] = []
    retried = Case.objects.for_user(user).filter(
        idempotency_key=request.POST.get("idempotency_key") or None
    )
    if request.method == "POST" and retried.exists():
        # A double-click or a resend after a lost response: show what was registered.
        number = retried.values_list("number", flat=True).get()
        messages.info(request, _("该事项已登记过，登记编号 %(n)s。") % {"n": number})
        return redirect("cases:detail", number=number)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        node = Node.objects.for_user(user).filter(pk=data["node"]).first()
        if node is None:
            form.add_error("node", _("所选地点不在您的辖区范围内。"))
        elif (uploads := _prepare_uploads(request))[1]:
            for error in uploads[1]:
                form.add_error(None, error)
        elif request.POST.get("confirm_new") != "1" and (
            similar := look_alikes(
                user,  # type: ignore[arg-type]
                text=data["original_text"],
                node=node,
                households=[h.pk for h in data["households"]],
            )
        ):
            # Show the look-alikes first; staff can merge instead of duplicating.
            pass
        else:
            try:
                case, created = case_register(
                    actor=user,  # type: ignore[arg-type]
                    node=node,
                    files=uploads[0],
                    then=_confirm_category(request),
                    **{k: v for k, v in data.items() if k != "node"},
                )
            except ValidationError as error:
                # The whole registration rolled back; say why next to the field (or on top).
                add_validation_error(form, error)
            else:
                if created:
                    messages.success(request, _("登记成功，登记编号 %(n)s。") % {"n": case.number})
                else:
                    messages.info(
                        request, _("该事项已登记过，登记编号 %(n)s。") % {"n": case.number}
                    )
                return redirect("cases:detail", number=case.number)
    return render(request, "cases/register.html", {"form": form, "similar": similar})


@requires(Cap.VIEW_CASES)
def detail(request: HttpRequest, number: str) -> HttpResponse:
    return case_page(request, number)


@require_POST
@requires(Cap.VIEW_CASES)
def act(request: HttpRequest, number: str) -> HttpResponse:
    case = get_in_scope_or_404(Case.objects.for_user(request.user), request, number=number)
    form = CaseActionForm(request.POST, user=request.user)  # type: ignore[arg-type]
    if not form.is_valid():
        messages.error(request, _("提交的内容有误：%(e)s") % {"e": form.errors.as_text()})
        return redirect("cases:detail", number=number)
    data = form.cleaned_data
    action = data["action"]
    if not can_act(request.user, case, action):  # type: ignore[arg-type]
        raise Http404
    parent = None
    if data["parent_number"]:
        parent = Case.objects.for_user(request.user).filter(number=data["parent_number"]).first()
        if parent is None:
            messages.error(request, _("找不到要并入的事项。"))
            return redirect("cases:detail", number=number)
    deadline = None
    if data["deadline"]:
        deadline = timezone.make_aware(dt.datetime.combine(data["deadline"], dt.time(18, 0)))
    try:
        case_transition(
            case=case,
            action=action,
            actor=request.user,  # type: ignore[arg-type]
            note=data["note"],
            unit=data["unit"],
            deadline=deadline,
            answer=data["answer"],
            answer_method=data["answer_method"],
            rating=data["rating"],
            rating_comment=data["rating_comment"],
            parent=parent,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已完成：%(a)s。") % {"a": Action(action).label})
    return redirect("cases:detail", number=number)


@require_POST
@requires(Cap.VIEW_CASES)
def attach(request: HttpRequest, number: str) -> HttpResponse:
    case = get_in_scope_or_404(Case.objects.for_user(request.user), request, number=number)
    if not can_act(request.user, case, Action.NOTE):  # type: ignore[arg-type]
        raise Http404
    uploads = request.FILES.getlist("files")[:10]
    if not uploads:
        messages.error(request, _("请选择要上传的文件。"))
    for upload in uploads:
        try:
            attachment_add(case=case, upload=upload, actor=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已上传：%(n)s") % {"n": upload.name})
    return redirect("cases:detail", number=number)


@requires(Cap.VIEW_CASES)
def attachment_file(request: HttpRequest, number: str, pk: int) -> FileResponse:
    case = get_in_scope_or_404(Case.objects.for_user(request.user), request, number=number)
    attachment = case.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not attachment.is_image,
        filename=attachment.original_name,
    )
    # Uploaded content is never interpreted by the browser as HTML or script.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@require_POST
@requires(Cap.VIEW_CASES)
def edit_details(request: HttpRequest, number: str) -> HttpResponse:
    case = get_in_scope_or_404(Case.objects.for_user(request.user), request, number=number)
    if not can_act(request.user, case, Action.NOTE):  # type: ignore[arg-type]
        raise Http404
    before = case.category_id  # the bound form below writes its values onto `case`
    form = CaseDetailsForm(request.POST, instance=case, user=request.user)  # type: ignore[arg-type]
    if form.is_valid():
        case_update_details(
            case=case,
            actor=request.user,  # type: ignore[arg-type]
            then=_confirm_category(request, before=before),
            **{name: form.cleaned_data[name] for name in form.Meta.fields},
        )
        messages.success(request, _("事项信息已更新，群众原话保持不变。"))
    else:
        messages.error(request, _("提交的内容有误：%(e)s") % {"e": form.errors.as_text()})
    return redirect("cases:detail", number=number)


@never_cache
@require_POST
@requires(Cap.VIEW_CASES)
def reveal(request: HttpRequest, number: str) -> HttpResponse:
    """Show the reporter's contact details once, for a stated reason, and log it."""
    case = get_in_scope_or_404(Case.objects.for_user(request.user), request, number=number)
    if not can_reveal_reporter(request.user, case):  # type: ignore[arg-type]
        raise Http404
    reason = request.POST.get("reason", "").strip()[:200]
    if not reason:
        messages.error(request, _("请说明查看原因。"))
        return redirect("cases:detail", number=number)
    record(
        action=AuditAction.REVEAL,
        request=request,
        obj=case,
        changes={"fields": ["reporter_name", "reporter_phone"]},
        note=reason,
    )
    return render(request, "cases/reveal.html", {"case": case, "reason": reason})
