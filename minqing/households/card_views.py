"""Contact cards (民情联系卡 / 一张联络服务卡): a village's issuance page, the batch PDF,
issuance and reissue, and the public page a card's QR code opens."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from minqing.households.card_pdf import qr_svg, render_cards_pdf
from minqing.households.card_selectors import (
    build_cards,
    households_without_card,
    issued_cards,
    public_card,
    village_households,
    village_issuance,
)
from minqing.households.cards import normalise_token
from minqing.households.models import ContactCard, Household
from minqing.households.rules import contact_rules_for
from minqing.households.services import card_reissue, cards_ensure, cards_issue, cards_mark_printed
from minqing.kit.forms import StyledFormMixin
from minqing.kit.guards import requires
from minqing.org.models import Level, Node
from minqing.org.roles import Cap, has_cap
from minqing.org.scoping import get_in_scope_or_404, under

PAGE_SIZE = 50


# --- Forms ------------------------------------------------------------------------------


def _not_in_future(value: dt.date) -> None:
    if value > timezone.localdate():
        raise forms.ValidationError(gettext_lazy("发放日期不能晚于今天。"))


class IssueForm(StyledFormMixin, forms.Form):
    """One household's card handed over, with who signed for it."""

    household = forms.CharField(label=gettext_lazy("户"), max_length=24)
    received_by = forms.CharField(
        label=gettext_lazy("签收人"),
        max_length=40,
        error_messages={"required": gettext_lazy("请填写签收人姓名。")},
    )
    issued_on = forms.DateField(
        label=gettext_lazy("发放日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[_not_in_future],
        error_messages={"invalid": gettext_lazy("请输入有效的日期。")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].error_messages["required"] = _("请选择户。")

    def set_choices(self, choices: list[tuple[str, str]]) -> None:
        """Offer the households listed on the page (the field itself accepts any code)."""
        self.fields["household"].widget = forms.Select(
            choices=[("", _("请选择")), *choices], attrs={"class": "form-select"}
        )


class BulkIssueForm(StyledFormMixin, forms.Form):
    """Several households marked as issued at once (e.g. after a door-to-door round)."""

    households = forms.MultipleChoiceField(
        label=gettext_lazy("户"),
        required=True,
        error_messages={"required": gettext_lazy("请先勾选要标记为已发放的户。")},
    )
    issued_on = forms.DateField(
        label=gettext_lazy("发放日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[_not_in_future],
        error_messages={"invalid": gettext_lazy("请输入有效的日期。")},
    )

    def __init__(self, *args: Any, codes: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["households"].choices = [(c, c) for c in codes or []]
        self.fields["households"].error_messages["invalid_choice"] = _("所选的户不在本村。")


class ReissueForm(StyledFormMixin, forms.Form):
    token = forms.CharField(max_length=16, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("补发原因"),
        max_length=200,
        error_messages={"required": gettext_lazy("请说明补发原因（如遗失、损坏）。")},
    )


def _issued_at(day: dt.date) -> dt.datetime:
    """Today means now; an earlier day (recorded afterwards) means noon of that day."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


# --- Staff pages ------------------------------------------------------------------------


def _village(request: HttpRequest, code: str) -> Node:
    return get_in_scope_or_404(
        Node.objects.for_user(request.user)
        .filter(level=Level.VILLAGE)
        .select_related("parent__parent"),
        request,
        code=code,
    )


def _target(village: Node) -> int:
    county = village.parent.parent if village.parent else None
    return contact_rules_for(county).card_issue_target if county else 99


def _render_page(
    request: HttpRequest,
    village: Node,
    *,
    issue_form: IssueForm | None = None,
    bulk_form: BulkIssueForm | None = None,
    reissue_form: ReissueForm | None = None,
    tab: str = "",
    status: int = 200,
) -> HttpResponse:
    can_manage = has_cap(request.user, Cap.MANAGE_NETWORK)
    tab = tab or ("issued" if request.GET.get("tab") == "issued" else "pending")
    total, groups = village_issuance(village, _target(village))
    context: dict[str, Any] = {
        "village": village,
        "tab": tab,
        "stats": total,
        "groups": groups,
        "can_manage": can_manage,
    }
    if tab == "issued":
        page = Paginator(issued_cards(village), PAGE_SIZE).get_page(request.GET.get("page"))
        context["page"] = page
        context["reissue_form"] = reissue_form or ReissueForm()
        preview_household = page.object_list[0].household if page.object_list else None
    else:
        page = Paginator(households_without_card(village), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        shown = list(page.object_list)
        page.object_list = shown
        context["page"] = page
        choices = [(h.code, f"{h.code} {h.head_name}") for h in shown]
        wanted = (issue_form.data.get("household") if issue_form else None) or request.GET.get(
            "household", ""
        )[:24]
        if wanted and wanted not in {code for code, _label in choices}:
            extra = households_without_card(village).filter(code=wanted).first()
            if extra is not None:
                choices.insert(0, (extra.code, f"{extra.code} {extra.head_name}"))
        initial = {"issued_on": timezone.localdate(), "household": wanted}
        issue_form = issue_form or IssueForm(initial=initial)
        issue_form.set_choices(choices)
        context["issue_form"] = issue_form
        context["bulk_form"] = bulk_form or BulkIssueForm(
            initial={"issued_on": timezone.localdate()}
        )
        preview_household = shown[0] if shown else None
    asked = request.GET.get("household", "")[:24]
    if asked:  # e.g. back from a reissue: show (and offer to print) that household's card
        households = village_households(village).select_related("group")
        preview_household = households.filter(code=asked).first() or preview_household
    if preview_household is None:
        preview_household = village_households(village).select_related("group").first()
    if preview_household is not None:
        card = build_cards(village, [preview_household])[0]
        context["preview"] = card
        if card.url:
            # reportlab's SVG of our own URL: no user input reaches the markup.
            context["preview_qr"] = mark_safe(qr_svg(card.url))  # noqa: S308
    return render(request, "households/cards.html", context, status=status)


@require_GET
@requires(Cap.VIEW_RESIDENTS)
def village_cards(request: HttpRequest, village: str) -> HttpResponse:
    return _render_page(request, _village(request, village))


def _village_household_qs(request: HttpRequest, village: Node) -> QuerySet[Household]:
    return (
        Household.objects.for_user(request.user)
        .filter(under(village, "group__path"))
        .select_related("group")
        .order_by("code")
    )


@require_POST
@requires(Cap.MANAGE_NETWORK)
def issue(request: HttpRequest, village: str) -> HttpResponse:
    node = _village(request, village)
    households = _village_household_qs(request, node)
    back = reverse("network:cards", args=[node.code])
    if request.POST.get("mode") == "bulk":
        codes = request.POST.getlist("households")[:500]
        form = BulkIssueForm(
            request.POST,
            codes=list(households.filter(code__in=codes).values_list("code", flat=True)),
        )
        if not form.is_valid():
            return _render_page(request, node, bulk_form=form, status=400)
        chosen = list(households.filter(code__in=form.cleaned_data["households"]))
        result = cards_issue(
            actor=request.user,
            households=chosen,
            issued_at=_issued_at(form.cleaned_data["issued_on"]),
            request=request,
        )
    else:
        form = IssueForm(request.POST)
        if not form.is_valid():
            return _render_page(request, node, issue_form=form, status=400)
        household = households.filter(code=form.cleaned_data["household"]).first()
        if household is None:
            form.add_error("household", _("该户不在本村，或不在您的辖区范围内。"))
            return _render_page(request, node, issue_form=form, status=400)
        chosen = [household]
        result = cards_issue(
            actor=request.user,
            households=chosen,
            received_by=form.cleaned_data["received_by"],
            issued_at=_issued_at(form.cleaned_data["issued_on"]),
            request=request,
        )
    if result.issued:
        messages.success(
            request,
            _("已登记发放 %(n)d 户的联系卡。") % {"n": len(result.issued)},
        )
    for card in result.already:
        issued_on = date_format(timezone.localtime(card.issued_at), "Y-m-d")
        messages.info(
            request,
            _("%(head)s户（%(code)s）的联系卡已于 %(date)s 发放，未重复登记。")
            % {"head": card.household.head_name, "code": card.household.code, "date": issued_on},
        )
    return redirect(back)


@require_POST
@requires(Cap.MANAGE_NETWORK)
def reissue(request: HttpRequest, village: str) -> HttpResponse:
    """A lost or damaged card: void it (its QR code stops working) and make a new one."""
    node = _village(request, village)
    form = ReissueForm(request.POST)
    if not form.is_valid():
        return _render_page(request, node, reissue_form=form, tab="issued", status=400)
    card = get_in_scope_or_404(
        ContactCard.objects.for_user(request.user)
        .filter(under(node, "household__group__path"))
        .select_related("household"),
        request,
        token=form.cleaned_data["token"],
    )
    new, replaced = card_reissue(
        actor=request.user, card=card, reason=form.cleaned_data["reason"], request=request
    )
    household = card.household
    if replaced:
        messages.success(
            request,
            _("原卡 %(old)s 已作废，已为%(head)s户制作新卡 %(new)s，请打印后重新发放。")
            % {"old": card.token, "head": household.head_name, "new": new.token},
        )
    else:
        messages.info(request, _("该卡此前已作废，未重复办理。"))
    return redirect(f"{reverse('network:cards', args=[node.code])}?household={household.code}")


def _content_disposition(ascii_name: str, name: str) -> str:
    return f"inline; filename=\"{ascii_name}\"; filename*=utf-8''{quote(name)}"


@require_POST
@requires(Cap.MANAGE_NETWORK)
def cards_pdf(request: HttpRequest, village: str) -> HttpResponse:
    """The village's cards, six to an A4 page: all, those not yet issued, or one household.

    A POST: printing makes the missing cards and stamps them printed, and a GET must not
    change data (a crawler, a prefetch or a reload would otherwise print for the record).
    """
    node = _village(request, village)
    households = _village_household_qs(request, node)
    which = request.POST.get("which", "all")
    code = request.POST.get("household", "")[:24]
    if code:
        households = households.filter(code=code)
        label = code
    elif which == "pending":
        households = households.filter(pk__in=households_without_card(node).values("pk"))
        label = "未发放"
    else:
        label = "全村"
    households = list(households)
    if not households:
        messages.info(request, _("没有需要打印的联系卡。"))
        return redirect("network:cards", village=node.code)
    made = cards_ensure(actor=request.user, households=households, request=request)
    with translation.override("zh-hans"):  # the card is a Chinese paper
        cards = build_cards(node, households, cards=made)
    title = f"{node.parent.name if node.parent else ''}{node.name}民情联系卡（{label}）"
    content = render_cards_pdf(cards, title)
    cards_mark_printed(
        actor=request.user,
        cards=[made[h.pk] for h in households],
        note=f"打印民情联系卡 {len(households)} 张（{node.name}，{label}）",
        request=request,
    )
    response = HttpResponse(content, content_type="application/pdf")
    suffix = code or ("pending" if which == "pending" else "all")
    response["Content-Disposition"] = _content_disposition(
        f"contact-cards-{node.code}-{suffix}.pdf", f"{node.name}-民情联系卡-{label}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Public -----------------------------------------------------------------------------


def _portal_url(token: str) -> str:
    """The resident portal's submit page, already knowing which card it came from."""
    return f"{reverse('portal:submit')}?card={quote(token)}"


@require_GET
def card_landing(request: HttpRequest, token: str) -> HttpResponse:
    """What a card's QR code opens, for anyone: the place and the people to call.

    Never a resident's name, ID number or phone; nothing is stored about the visit.
    """
    normal = normalise_token(token)
    card = public_card(normal) if normal else None
    if card is None:
        response = render(request, "households/card_landing.html", {"card": None}, status=404)
    else:
        context = {"card": card, "portal_url": _portal_url(card.token)}
        response = render(request, "households/card_landing.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response
