"""Pages of the sentiment diary: my diary, write and correct an entry, the entry with its
follow-ups, case and review, the reviewer's queue and team progress, and the compiled PDF.

Views are thin: forms validate input, services write, selectors decide who sees what.
An entry a user may not see is a 404 (logged when it exists elsewhere).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.cases.models import Case
from minqing.cases.workflow import DEADLINE_STATUSES
from minqing.fieldwork import diary_selectors as sel
from minqing.fieldwork.diary_forms import (
    CompileForm,
    DiaryEntryForm,
    DiaryFilterForm,
    FollowUpForm,
    ResultForm,
    ReviewForm,
)
from minqing.fieldwork.diary_pdf import render_volume
from minqing.fieldwork.models import DiaryEntry
from minqing.fieldwork.services import (
    MAX_PHOTOS,
    diary_follow_up_add,
    diary_raise_case,
    diary_record,
    diary_record_result,
    diary_review,
    diary_update,
    may_add_photos,
)
from minqing.fieldwork.services.diary import EDITABLE
from minqing.kit.forms import add_validation_error
from minqing.kit.guards import requires
from minqing.lib.paging import CappedPaginator
from minqing.org.roles import Cap, has_cap
from minqing.org.scoping import get_in_scope_or_404

MAX_VOLUME = 400  # entries in one compiled volume
NOT_SAVED = ("find", "idempotency_key", "photos")  # form fields that are not entry fields
DRAFT_NAME = re.compile(r"^[a-z0-9-]{1,40}$")


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Render with what the diary tabs need to know about the user."""
    user = request.user
    context["keeps_diary"] = has_cap(user, Cap.FIELDWORK)
    context["reviews"] = has_cap(user, Cap.REVIEW_FIELDWORK)
    return render(request, template, context)


def _entry(request: HttpRequest, pk: int, queryset: Any = None) -> DiaryEntry:
    entries = queryset if queryset is not None else sel.visible_entries(request.user)  # type: ignore[arg-type]
    return get_in_scope_or_404(sel.with_details(entries), request, pk=pk)


def _saved(pk: int, draft: str) -> HttpResponse:
    """To the entry, telling its page which device draft to forget (drafts.js)."""
    return redirect(f"{reverse('diary:detail', args=[pk])}?saved={draft}")


def _from_case(request: HttpRequest) -> dict[str, Any]:
    """`?case=<number>`: an entry about a matter already registered starts from the case —
    its place, households, title and the resident's words — so nothing is typed twice."""
    number = request.GET.get("case", "")[:24]
    case = Case.objects.for_user(request.user).filter(number=number).first() if number else None
    if case is None:
        return {}
    return {
        "case": case.number,
        "node": case.village_id or case.node_id,
        "households": [h.pk for h in case.households.all()],
        "title": case.title,
        "narrative": case.original_text,
    }


def _search_initial(request: HttpRequest) -> dict[str, Any]:
    """The typed entry as initial values: "查找户" re-renders the form without saving it."""
    data: dict[str, Any] = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    data["households"] = request.POST.getlist("households")
    return data


@requires(Cap.FIELDWORK)
def diary_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    filters = DiaryFilterForm(request.GET or None)
    entries = filters.filter(DiaryEntry.objects.filter(author=user)).select_related(
        "node__parent", "case"
    )
    page = CappedPaginator(entries, 20).get_page(request.GET.get("page"))
    weeks = sel.weekly_progress(user)  # type: ignore[arg-type]
    commented = DiaryEntry.objects.filter(author=user, reviewed_at__isnull=False).exclude(
        review_comment=""
    )
    query = request.GET.copy()
    query.pop("page", None)
    return _page(
        request,
        "fieldwork/diary_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "this_week": weeks[0],
            "weeks": weeks,
            "commented": commented.count(),
            "can_review": has_cap(user, Cap.REVIEW_FIELDWORK),
        },
    )


@requires(Cap.FIELDWORK)
def diary_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method != "POST":
        initial = {"idempotency_key": DiaryEntryForm.new_key(), **_from_case(request)}
        form = DiaryEntryForm(user=user, initial=initial)  # type: ignore[arg-type]
        return _entry_form(request, form, draft="diary")
    key = request.POST.get("idempotency_key") or None
    retried = DiaryEntry.objects.filter(author=user, idempotency_key=key).first() if key else None
    if retried is not None:
        # A resend after a lost connection, or a double tap: the entry is already there.
        messages.info(request, _("这篇日记已经保存过了。"))
        return _saved(retried.pk, "diary")
    if "search" in request.POST:
        form = DiaryEntryForm(user=user, initial=_search_initial(request))  # type: ignore[arg-type]
        return _entry_form(request, form, draft="diary")
    form = DiaryEntryForm(request.POST, request.FILES, user=user)  # type: ignore[arg-type]
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in NOT_SAVED}
        photos = form.cleaned_data.get("photos") or []
        try:
            # The entry with its photos, or nothing; a resent draft never adds them twice.
            entry, created = diary_record(author=user, idempotency_key=key, photos=photos, **data)  # type: ignore[arg-type]
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("日记已保存。") if created else _("这篇日记已经保存过了。"))
            return _saved(entry.pk, "diary")
    return _entry_form(request, form, draft="diary")


def _entry_form(
    request: HttpRequest, form: DiaryEntryForm, *, draft: str, entry: DiaryEntry | None = None
) -> HttpResponse:
    return _page(
        request, "fieldwork/diary_form.html", {"form": form, "draft": draft, "entry": entry}
    )


@requires(Cap.FIELDWORK)
def diary_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk, DiaryEntry.objects.filter(author=request.user))
    draft = f"diary-{entry.pk}"
    if not sel.can_edit(request.user, entry):  # type: ignore[arg-type]
        messages.error(request, _("日记已审阅，不能再修改；可追加跟踪记录。"))
        return redirect("diary:detail", pk=entry.pk)
    user = request.user
    if request.method != "POST":
        # The form's own fields; the case and place are set from the page, not typed in.
        initial = {name: getattr(entry, name) for name in EDITABLE if name not in ("case", "node")}
        initial |= {"node": entry.node_id, "households": [h.pk for h in entry.households.all()]}
        initial["case"] = entry.case.number if entry.case else ""
        form = DiaryEntryForm(user=user, initial=initial)  # type: ignore[arg-type]
    elif "search" in request.POST:
        form = DiaryEntryForm(user=user, initial=_search_initial(request))  # type: ignore[arg-type]
    else:
        form = DiaryEntryForm(request.POST, request.FILES, user=user)  # type: ignore[arg-type]
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k not in NOT_SAVED}
            photos = form.cleaned_data.get("photos") or []
            try:
                # Photos are added to those already there; the same photo sent again is skipped.
                diary_update(entry=entry, actor=user, photos=photos, **data)  # type: ignore[arg-type]
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, _("日记已修改。"))
                return _saved(entry.pk, draft)
    return _entry_form(request, form, draft=draft, entry=entry)


@requires(Cap.FIELDWORK, Cap.REVIEW_FIELDWORK)
def diary_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    entry = _entry(request, pk)
    case = entry.case
    saved = request.GET.get("saved", "")
    photos = list(entry.photos.all())
    return _page(
        request,
        "fieldwork/diary_detail.html",
        {
            "entry": entry,
            "photos": photos,
            "max_photos": MAX_PHOTOS,
            "can_add_photos": may_add_photos(user, entry) and len(photos) < MAX_PHOTOS,  # type: ignore[arg-type]
            "place": sel.place_label(entry.node),
            "sections": [
                (_("民情记述"), entry.narrative),
                (_("原因分析"), entry.analysis),
                (_("评述"), entry.comment),
                (_("建议措施"), entry.measures),
            ],
            "can_view_households": has_cap(user, Cap.VIEW_RESIDENTS),
            "follow_ups": entry.follow_ups.all(),
            "can_edit": sel.can_edit(user, entry),  # type: ignore[arg-type]
            "can_follow_up": sel.can_follow_up(user, entry),  # type: ignore[arg-type]
            "can_review": sel.can_review(user, entry),  # type: ignore[arg-type]
            "can_raise": sel.can_raise_case(user, entry),  # type: ignore[arg-type]
            "case_visible": case is not None
            and Case.objects.for_user(user).filter(pk=case.pk).exists(),
            "case_overdue": case is not None
            and case.status in DEADLINE_STATUSES
            and case.deadline < timezone.now(),
            "follow_up_form": FollowUpForm(),
            "result_form": ResultForm(initial={"result": case.answer if case else ""}),
            "review_form": ReviewForm(initial={"review_comment": entry.review_comment}),
            "clear_draft": saved if DRAFT_NAME.match(saved) else "",
        },
    )


@require_POST
@requires(Cap.FIELDWORK, Cap.REVIEW_FIELDWORK)
def diary_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    if not sel.can_follow_up(request.user, entry):  # type: ignore[arg-type]
        raise Http404
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            _follow_up, created = diary_follow_up_add(
                entry=entry,
                actor=request.user,  # type: ignore[arg-type]
                **form.cleaned_data,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("已追加跟踪记录。") if created else _("这条跟踪记录已保存过。")
            )
            return _saved(entry.pk, f"diary-follow-{entry.pk}")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("diary:detail", pk=entry.pk)


@require_POST
@requires(Cap.FIELDWORK, Cap.REVIEW_FIELDWORK)
def diary_result(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    if not sel.can_follow_up(request.user, entry):  # type: ignore[arg-type]
        messages.info(request, _("办理结果已经记录过了。"))
        return redirect("diary:detail", pk=entry.pk)
    form = ResultForm(request.POST)
    if form.is_valid():
        try:
            diary_record_result(entry=entry, actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("办理结果已记录。"))
            return _saved(entry.pk, f"diary-result-{entry.pk}")
    else:
        messages.error(request, _("请填写办理结果。"))
    return redirect("diary:detail", pk=entry.pk)


@require_POST
@requires(Cap.FIELDWORK)
def diary_raise_case_view(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk, DiaryEntry.objects.filter(author=request.user))
    if entry.case_id is None and not sel.can_raise_case(request.user, entry):  # type: ignore[arg-type]
        raise Http404
    try:
        case, created = diary_raise_case(entry=entry, actor=request.user)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = (
            _("已转为民情事项，登记编号 %(n)s。")
            if created
            else _("已转过民情事项，登记编号 %(n)s。")
        )
        messages.success(request, text % {"n": case.number})
    return redirect("diary:detail", pk=entry.pk)


@require_POST
@requires(Cap.REVIEW_FIELDWORK)
def diary_review_entry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk, sel.reviewable_entries(request.user))  # type: ignore[arg-type]
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            diary_review(
                entry=entry,
                reviewer=request.user,  # type: ignore[arg-type]
                comment=form.cleaned_data["review_comment"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已审阅：%(t)s") % {"t": entry.title})
            following = sel.pending_review(request.user).order_by("date", "id").first()  # type: ignore[arg-type]
            if following is not None and request.POST.get("next") == "queue":
                return redirect("diary:detail", pk=following.pk)
    return redirect("diary:detail", pk=entry.pk)


@requires(Cap.REVIEW_FIELDWORK)
def diary_review_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    filters = DiaryFilterForm(request.GET or {"state": "pending"})
    entries = filters.filter(sel.reviewable_entries(user)).select_related(  # type: ignore[arg-type]
        "author", "node__parent", "reviewed_by", "case"
    )
    page = CappedPaginator(entries, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _page(
        request,
        "fieldwork/diary_review.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "pending": sel.pending_review(user).count(),  # type: ignore[arg-type]
        },
    )


@requires(Cap.REVIEW_FIELDWORK)
def diary_team(request: HttpRequest) -> HttpResponse:
    progress = sel.team_progress(request.user)  # type: ignore[arg-type]
    monday = sel.week_start(timezone.localdate())
    return _page(
        request,
        "fieldwork/diary_team.html",
        {
            "progress": progress,
            "behind": [p for p in progress if p.behind],
            "quota": sel.diary_quota(request.user),  # type: ignore[arg-type]
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
        },
    )


@require_GET
@requires(Cap.FIELDWORK, Cap.REVIEW_FIELDWORK)
def diary_compile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = CompileForm(request.GET or None, user=user)  # type: ignore[arg-type]
    if not form.is_bound or not form.is_valid():
        return _page(request, "fieldwork/diary_compile.html", {"form": form})
    data = form.cleaned_data
    author, village = data.get("author"), data.get("village")
    entries = list(
        sel.volume_entries(
            user,  # type: ignore[arg-type]
            start=data["start"],
            end=data["end"],
            author=author,
            village=village,
        )[: MAX_VOLUME + 1]
    )
    if len(entries) > MAX_VOLUME:
        form.add_error("end", _("日记超过 %(n)d 篇，请缩短时间范围。") % {"n": MAX_VOLUME})
        return _page(request, "fieldwork/diary_compile.html", {"form": form})
    if author is not None:
        whose = f"{author.get_full_name()}　{author.node.name if author.node else ''}".strip()
    else:
        whose = f"{village.parent.name if village.parent else ''}{village.name}"
    pdf = render_volume(entries, whose=whose, start=data["start"], end=data["end"])
    record(
        action=Action.EXPORT,
        actor=user,
        request=request,
        obj=author or village,
        changes={
            "kind": "diary_volume",
            "start": data["start"].isoformat(),
            "end": data["end"].isoformat(),
            "entries": [e.pk for e in entries],
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = (
        f"民情日记汇编-{whose.split('　')[0]}-{data['start']:%Y%m%d}-{data['end']:%Y%m%d}.pdf"
    )
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["Cache-Control"] = "private, no-store"
    return response
