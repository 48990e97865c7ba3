"""A village's groups: liaison officers with their letters, and each group's network posts."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.households.contact_views import village_in_scope
from minqing.households.letter_pdf import render_letter
from minqing.households.models import GroupPost, GroupPostKind, Liaison, LiaisonBackground
from minqing.households.services import (
    DEFAULT_DUTIES,
    group_post_add,
    group_post_remove,
    liaison_appoint,
    liaison_dismiss,
)
from minqing.kit.forms import StyledFormMixin, add_validation_error
from minqing.kit.guards import requires
from minqing.org.models import Level, Node, phone_validator
from minqing.org.roles import Cap, has_cap
from minqing.org.scoping import get_in_scope_or_404


class _GroupForm(StyledFormMixin, forms.Form):
    group = forms.ModelChoiceField(queryset=Node.objects.none(), label=gettext_lazy("村民小组"))

    def __init__(self, *args: object, village: Node, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = Node.objects.filter(parent=village, level=Level.GROUP)


class AppointForm(_GroupForm):
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=40)
    gender = forms.ChoiceField(
        label=gettext_lazy("性别"),
        choices=[("", "—"), ("M", gettext_lazy("男")), ("F", gettext_lazy("女"))],
        required=False,
    )
    phone = forms.CharField(
        label=gettext_lazy("联系电话"), max_length=20, validators=[phone_validator]
    )
    background = forms.ChoiceField(
        label=gettext_lazy("人员类别"), choices=LiaisonBackground.choices
    )
    appointed_on = forms.DateField(
        label=gettext_lazy("聘任日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    term_until = forms.DateField(
        label=gettext_lazy("聘期至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    duties = forms.CharField(
        label=gettext_lazy("职责"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=DEFAULT_DUTIES,
    )


class PostForm(_GroupForm):
    kind = forms.ChoiceField(label=gettext_lazy("网络职责"), choices=GroupPostKind.choices)
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=40)
    phone = forms.CharField(
        label=gettext_lazy("联系电话"), max_length=20, required=False, validators=[phone_validator]
    )
    duties = forms.CharField(label=gettext_lazy("职责"), max_length=200, required=False)


@requires(Cap.VIEW_RESIDENTS)
def village_liaisons(request: HttpRequest, village: str) -> HttpResponse:
    node = village_in_scope(request, village)
    return _render(
        request,
        node,
        AppointForm(village=node, initial={"appointed_on": timezone.localdate()}),
        PostForm(village=node),
    )


def _render(
    request: HttpRequest, node: Node, appoint_form: AppointForm, post_form: PostForm
) -> HttpResponse:
    groups = list(Node.objects.filter(parent=node, level=Level.GROUP).order_by("code"))
    liaisons: dict[int, list[Liaison]] = {}
    for liaison in Liaison.objects.active().filter(group__in=groups).order_by("appointed_on"):
        liaisons.setdefault(liaison.group_id, []).append(liaison)
    posts: dict[int, list[GroupPost]] = {}
    for post in GroupPost.objects.filter(group__in=groups).order_by("kind", "id"):
        posts.setdefault(post.group_id, []).append(post)
    rows = [(g, liaisons.get(g.pk, []), posts.get(g.pk, [])) for g in groups]
    return render(
        request,
        "households/liaisons.html",
        {
            "village": node,
            "tab": "liaisons",
            "rows": rows,
            "missing": [g for g, people, _posts in rows if not people],
            "can_manage": has_cap(request.user, Cap.MANAGE_NETWORK),
            # Network members are residents: full numbers only for roles that may reveal.
            "can_reveal": has_cap(request.user, Cap.REVEAL_RESIDENT),
            "appoint_form": appoint_form,
            "post_form": post_form,
        },
    )


def _errors_to_messages(request: HttpRequest, form: forms.Form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


@require_POST
@requires(Cap.MANAGE_NETWORK)
def appoint(request: HttpRequest, village: str) -> HttpResponse:
    node = village_in_scope(request, village)
    form = AppointForm(request.POST, village=node)
    if form.is_valid():
        data = form.cleaned_data
        try:
            liaison = liaison_appoint(actor=request.user, **data)  # type: ignore[arg-type]
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(
                request,
                _("已聘任%(name)s为%(group)s联络员，聘书编号 %(no)s。")
                % {"name": liaison.name, "group": liaison.group.name, "no": liaison.letter_number},
            )
            return redirect("network:liaisons", village=node.code)
    _errors_to_messages(request, form)
    return _render(request, node, form, PostForm(village=node))


@require_POST
@requires(Cap.MANAGE_NETWORK)
def add_post(request: HttpRequest, village: str) -> HttpResponse:
    node = village_in_scope(request, village)
    form = PostForm(request.POST, village=node)
    if form.is_valid():
        group_post_add(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        messages.success(request, _("已添加小组网络成员。"))
        return redirect("network:liaisons", village=node.code)
    _errors_to_messages(request, form)
    return _render(
        request,
        node,
        AppointForm(village=node, initial={"appointed_on": timezone.localdate()}),
        form,
    )


@requires(Cap.MANAGE_NETWORK)
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    liaison = get_in_scope_or_404(
        Liaison.objects.for_user(request.user).select_related("group__parent__parent"),
        request,
        pk=pk,
    )
    data = render_letter(liaison)
    record(action=Action.EXPORT, request=request, obj=liaison, note=_("打印聘书"))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"inline; filename=letter-{liaison.pk}.pdf; filename*=utf-8''letter-{liaison.pk}.pdf"
    )
    return response


@require_POST
@requires(Cap.MANAGE_NETWORK)
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    liaison = get_in_scope_or_404(
        Liaison.objects.for_user(request.user).select_related("group"), request, pk=pk
    )
    try:
        done = liaison_dismiss(
            actor=request.user,  # type: ignore[arg-type]
            liaison=liaison,
            reason=request.POST.get("reason", "")[:200],
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if done:
            messages.success(request, _("已解聘。"))
        else:
            messages.info(request, _("该联络员此前已解聘。"))
    return redirect("network:liaisons", village=liaison.group.path[:12])


@require_POST
@requires(Cap.MANAGE_NETWORK)
def remove_post(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_in_scope_or_404(
        GroupPost.objects.for_user(request.user).select_related("group"), request, pk=pk
    )
    village = post.group.path[:12]
    group_post_remove(actor=request.user, post=post)  # type: ignore[arg-type]
    messages.success(request, _("已移除。"))
    return redirect("network:liaisons", village=village)
