"""Pages for contact households (联系户): the network overview and a village's assignment."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from minqing.households import network_selectors as sel
from minqing.households.contacts import quota_for, rules_for_village
from minqing.households.models import ContactAssignment, Household
from minqing.households.services import contact_assign, contact_end
from minqing.kit.forms import StyledFormMixin
from minqing.kit.guards import requires
from minqing.org.models import Level, Node, User
from minqing.org.roles import Cap, has_cap
from minqing.org.scoping import get_in_scope_or_404, under, user_scope_path


def village_in_scope(request: HttpRequest, code: str) -> Node:
    """The village named in the URL, or 404 (logged) when it is outside the user's area."""
    return get_in_scope_or_404(
        Node.objects.for_user(request.user).filter(level=Level.VILLAGE).select_related("parent"),
        request,
        code=code,
    )


@requires(Cap.VIEW_RESIDENTS)
def index(request: HttpRequest) -> HttpResponse:
    """Every village in the user's area: contact coverage, liaisons per group, cards issued."""
    path = user_scope_path(request.user) or "-"
    townships = sel.network_overview(path)
    return render(request, "households/network_index.html", {"townships": townships})


class AssignForm(StyledFormMixin, forms.Form):
    cadre = forms.ModelChoiceField(queryset=User.objects.none(), label=gettext_lazy("联系干部"))
    households = forms.ModelMultipleChoiceField(
        queryset=Household.objects.none(),
        label=gettext_lazy("联系户"),
        error_messages={"required": gettext_lazy("请至少选择一户。")},
    )
    note = forms.CharField(label=gettext_lazy("备注"), max_length=200, required=False)

    def __init__(self, *args: object, village: Node, cadres: list[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = User.objects.filter(pk__in=[c.pk for c in cadres])
        self.fields["households"].queryset = Household.objects.filter(
            under(village, "group__path")
        ).select_related("group")


@requires(Cap.VIEW_RESIDENTS)
def village_contacts(request: HttpRequest, village: str) -> HttpResponse:
    node = village_in_scope(request, village)
    return _render_village(request, node, AssignForm(village=node, cadres=[]))


def _render_village(request: HttpRequest, node: Node, form: AssignForm) -> HttpResponse:
    rules = rules_for_village(node)
    linked, others = sel.contact_cadres(node)
    search = request.GET.get("q", "").strip()[:40]
    progress = sel.cadre_progress(node, rules)
    return render(
        request,
        "households/contacts.html",
        {
            "village": node,
            "rules": rules,
            "progress": progress,
            "shortfalls": [p for p in progress if p.status == "short"],
            "linked": linked,
            "others": others,
            "candidates": sel.candidates(node, search=search),
            "search": search,
            "coverage": sel.coverage_by_village(node.path).get(node.pk, sel.Coverage()),
            "uncovered": sel.uncovered_hardship(node),
            "can_manage": has_cap(request.user, Cap.MANAGE_NETWORK),
            "form": form,
        },
    )


@require_POST
@requires(Cap.MANAGE_NETWORK)
def assign(request: HttpRequest, village: str) -> HttpResponse:
    node = village_in_scope(request, village)
    linked, others = sel.contact_cadres(node)
    form = AssignForm(request.POST, village=node, cadres=linked + others)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _render_village(request, node, form)
    cadre: User = form.cleaned_data["cadre"]
    try:
        created, held = contact_assign(
            actor=request.user,  # type: ignore[arg-type]
            cadre=cadre,
            village=node,
            households=form.cleaned_data["households"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return _render_village(request, node, form)
    cadre.refresh_from_db()
    quota = quota_for(cadre, rules_for_village(node), node)
    count = ContactAssignment.objects.active().filter(cadre=cadre).count()
    messages.success(
        request,
        _("已为%(cadre)s登记 %(n)d 户联系户，现联系 %(count)d 户（定额 %(quota)d 户）。")
        % {
            "cadre": cadre.get_full_name(),
            "n": len(created),
            "count": count,
            "quota": quota.target,
        },
    )
    if held:
        messages.info(request, _("其中 %(n)d 户已是该干部的联系户，未重复登记。") % {"n": held})
    if quota.status(count) == "over":
        messages.warning(request, _("该干部的联系户已超出定额。"))
    return redirect("network:contacts", village=node.code)


@require_POST
@requires(Cap.MANAGE_NETWORK)
def end(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_in_scope_or_404(
        ContactAssignment.objects.for_user(request.user).select_related("household__group"),
        request,
        pk=pk,
    )
    if contact_end(actor=request.user, assignment=assignment):  # type: ignore[arg-type]
        messages.success(request, _("已解除联系户。"))
    else:
        messages.info(request, _("该联系户此前已解除。"))
    return redirect("network:contacts", village=assignment.household.group.path[:12])
