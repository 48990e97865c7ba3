"""The residents' portal: submit a matter, follow it with number + query code, rate it.

No sign-in, no JavaScript, small pages. Every POST is rate-limited per address; a busy
address must answer a small sum, good for one try, before its next submission; failed
lookups are logged.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.cases.models import Case
from minqing.households.cards import normalise_token
from minqing.households.models import ContactCard
from minqing.kit.forms import add_validation_error
from minqing.org.models import Level, Node
from minqing.portal import challenge, ratelimit, tracking
from minqing.portal.forms import RateForm, SubmitForm, TrackForm
from minqing.portal.selectors import public_status
from minqing.portal.services import (
    challenge_consume,
    challenge_issue,
    portal_rate,
    portal_submit,
    rate_count,
)

HOUR = 3600


def _limits() -> dict[str, int]:
    return settings.MINQING_PORTAL_LIMITS


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/too_many.html", status=429)


def _card(request: HttpRequest) -> ContactCard | None:
    token = normalise_token(request.GET.get("card") or request.POST.get("card") or "")
    if token is None:
        return None
    return (
        ContactCard.objects.current()
        .select_related("household__group__parent")
        .filter(token=token)
        .first()
    )


def home(request: HttpRequest) -> HttpResponse:
    card = _card(request)
    return render(request, "portal/home.html", {"card": card})


def _village(request: HttpRequest, card: ContactCard | None) -> Node | None:
    if card is not None:
        return card.household.group.parent
    code = (request.GET.get("village") or request.POST.get("village") or "")[:15]
    if not code.isdigit():
        return None
    return Node.objects.filter(code=code, level=Level.VILLAGE).select_related("parent").first()


def _villages() -> list[Node]:
    return list(
        Node.objects.filter(level=Level.VILLAGE)
        .select_related("parent__parent")
        .order_by("code")
        .only("code", "name", "parent__name", "parent__code", "parent__parent__name")
    )


@never_cache
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    card = _card(request)
    village = _village(request, card)
    if village is None:
        return render(request, "portal/pick_village.html", {"villages": _villages()})
    ip = ratelimit.client_ip(request)
    needs_challenge = ratelimit.peek(f"submit:{ip}", HOUR) >= _limits()["submit_free"]
    if request.method == "POST":
        if rate_count(key=f"submit:{ip}", window_seconds=HOUR) > _limits()["submit_per_hour"]:
            return _too_many(request)
        form = SubmitForm(request.POST, request.FILES, village=village)
        if form.is_valid():
            verdict = (
                challenge_consume(
                    token=form.cleaned_data["challenge"], answer=form.cleaned_data["answer"]
                )
                if needs_challenge
                else challenge.Verdict.SOLVED
            )
            if verdict == challenge.Verdict.SOLVED:
                return _receive(request, form, card)
            if verdict == challenge.Verdict.WRONG:
                form.add_error("answer", _("验证答案不对，请重新计算。"))
            else:
                minutes = int(challenge.TTL.total_seconds() // 60)
                form.add_error(
                    "answer",
                    _("验证题已失效（超过 %(minutes)d 分钟或已经用过），请回答下面的新题。")
                    % {"minutes": minutes},
                )
    else:
        initial = {"token": uuid.uuid4().hex}
        if card is not None:
            initial["group"] = card.household.group_id
        form = SubmitForm(initial=initial, village=village)
    return _submit_page(request, form, card, needs_challenge)


def _submit_page(
    request: HttpRequest, form: SubmitForm, card: ContactCard | None, needs_challenge: bool
) -> HttpResponse:
    # A fresh sum on every render: each one is good for a single answer.
    question, challenge_id = challenge_issue() if needs_challenge else ("", "")
    context = {"form": form, "village": form.village, "card": card, "question": question,
               "challenge_id": challenge_id}  # fmt: skip
    return render(request, "portal/submit.html", context, status=400 if form.is_bound else 200)


def _receive(request: HttpRequest, form: SubmitForm, card: ContactCard | None) -> HttpResponse:
    data = form.cleaned_data
    try:
        receipt = portal_submit(
            token=data["token"],
            node=form.node,
            text=data["text"],
            nature=data["nature"],
            name=data["name"],
            phone=data["phone"],
            anonymous=data["anonymous"],
            address=data["address"],
            category=data["category"],
            card=card,
            photos=data["photos"],
        )
    except ValidationError as error:
        # Nothing was stored; say why next to the field (a refused photo) or on top.
        add_validation_error(form, error)
        return _submit_page(request, form, card, needs_challenge=False)
    return render(request, "portal/receipt.html", {"receipt": receipt})


def _lookup(request: HttpRequest, form: TrackForm) -> Case | None:
    """The case if number and code match; otherwise None, logged (who tried what number)."""
    number, code = form.cleaned_data["number"], form.cleaned_data["code"]
    case = Case.objects.filter(number=number).select_related("unit").first()
    if case is not None and tracking.matches(case, code):
        return case
    record(
        action=Action.DENIED,
        request=request,
        object_type="cases.case",
        object_id=number[:24],
        note=_("群众端查询失败：登记编号或查询码不正确（%(ip)s）")
        % {"ip": ratelimit.client_ip(request)},
    )
    return None


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "portal/track.html", {"form": TrackForm()})
    ip = ratelimit.client_ip(request)
    if rate_count(key=f"track:{ip}", window_seconds=HOUR) > _limits()["track_per_hour"]:
        return _too_many(request)
    form = TrackForm(request.POST)
    case = _lookup(request, form) if form.is_valid() else None
    if case is None:
        if form.is_valid():
            form.add_error(None, _("登记编号或查询码不正确，请核对后再试。"))
        return render(request, "portal/track.html", {"form": form}, status=400)
    return _status_page(request, case, form.cleaned_data["code"])


def _status_page(
    request: HttpRequest,
    case: Case,
    code: str,
    rate_form: RateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    rate_form = rate_form or RateForm(initial={"number": case.number, "code": code})
    return render(
        request,
        "portal/status.html",
        {"status": public_status(case), "rate_form": rate_form},
        status=status,
    )


@never_cache
@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    ip = ratelimit.client_ip(request)
    if rate_count(key=f"track:{ip}", window_seconds=HOUR) > _limits()["track_per_hour"]:
        return _too_many(request)
    form = RateForm(request.POST)
    if not form.is_valid():
        tracked = TrackForm(request.POST)
        case = _lookup(request, tracked) if tracked.is_valid() else None
        if case is None:
            return render(request, "portal/track.html", {"form": tracked}, status=400)
        return _status_page(request, case, tracked.cleaned_data["code"], form, status=400)
    case = _lookup(request, form)
    if case is None:
        return render(request, "portal/track.html", {"form": TrackForm(request.POST)}, status=400)
    try:
        portal_rate(
            case=case, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
        )
    except ValueError:
        form.add_error(None, _("这一答复已经评议过了。"))
        return _status_page(request, case, form.cleaned_data["code"], form, status=400)
    case.refresh_from_db()
    return _status_page(request, case, form.cleaned_data["code"])
