import re

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.households.household_page import PANELS
from minqing.households.models import (
    PROFILE_FIELDS,
    GroupPost,
    GroupPostKind,
    Household,
    Liaison,
    Resident,
    Tag,
)
from minqing.households.services import household_set_tags, household_update_profile
from minqing.kit.forms import StyledFormMixin
from minqing.kit.guards import requires
from minqing.lib.masking import mask_id_number, mask_phone
from minqing.lib.spreadsheet import xlsx_bytes
from minqing.org.roles import Cap, has_cap
from minqing.org.scoping import get_in_scope_or_404


@requires(Cap.VIEW_RESIDENTS)
def household_list(request: HttpRequest) -> HttpResponse:
    qs = Household.objects.for_user(request.user).select_related("group__parent").order_by("code")
    tag = request.GET.get("tag", "")[:40]
    if tag:
        qs = qs.filter(tags__code=tag)
    q = request.GET.get("q", "").strip()[:40]
    if q:
        qs = _search(request, qs, q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    # Count members for the 50 rows shown only; annotating the whole scoped set first
    # made SQLite aggregate every household of the county before paginating.
    shown = list(page.object_list)
    counts = dict(
        Resident.objects.filter(household__in=[h.pk for h in shown])
        .values_list("household_id")
        .annotate(n=Count("id"))
        .values_list("household_id", "n")
    )
    page.object_list = shown
    for household in shown:
        household.member_count = counts.get(household.pk, 0)
    return render(
        request,
        "households/household_list.html",
        {"page": page, "q": q, "can_import": has_cap(request.user, Cap.MANAGE_REGISTRY)},
    )


# A whole ID number (15 or 18 characters) or a phone number of 7 digits or more.
SECRET_QUERY = re.compile(r"^(\d{15}|\d{17}[\dXx]|\+?\d[\d-]{6,19})$")


def _search(request: HttpRequest, qs: QuerySet[Household], q: str) -> QuerySet[Household]:
    """Name, address or household code for everyone; a full ID or phone number only for
    roles that may reveal them, and then logged: finding a household by a secret tells
    whose secret it is, which is itself a reveal."""
    plain = Q(head_name__contains=q) | Q(address__contains=q) | Q(code=q)
    if not SECRET_QUERY.match(q):
        return qs.filter(plain)
    if not has_cap(request.user, Cap.REVEAL_RESIDENT):
        messages.info(
            request,
            _("按身份证号或手机号查找需要查看敏感信息的权限，已只按户编号、户主姓名和住址查找。"),
        )
        return qs.filter(plain)
    by_secret = Q(members__id_number=q.upper()) | Q(members__phone=q) | Q(phone=q)
    found = qs.filter(plain | by_secret).distinct()
    record(
        action=Action.REVEAL,
        request=request,
        object_type="households.household",
        changes={"search": mask_id_number(q) if len(q) >= 15 else mask_phone(q),
                 "found": list(found.values_list("code", flat=True)[:20])},
        note=_("按身份证号或手机号查找户"),
    )  # fmt: skip
    return found


@requires(Cap.VIEW_RESIDENTS)
def household_detail(request: HttpRequest, code: str) -> HttpResponse:
    household = get_in_scope_or_404(
        Household.objects.for_user(request.user).select_related("group__parent__parent"),
        request,
        code=code,
    )
    return render(
        request,
        "households/household_detail.html",
        {
            "household": household,
            "members": household.members.all(),
            "can_reveal": has_cap(request.user, Cap.REVEAL_RESIDENT),
            "can_manage": has_cap(request.user, Cap.MANAGE_REGISTRY),
            "tags": household.tags.all(),
            "profile": [
                (Household._meta.get_field(name).verbose_name, getattr(household, name))
                for name in PROFILE_FIELDS
            ],
            "profile_form": ProfileForm(
                initial={name: getattr(household, name) for name in PROFILE_FIELDS}
            ),
            "contacts": household.contacts.active().select_related("cadre"),
            "liaisons": Liaison.objects.active().filter(group=household.group),
            "posts": GroupPost.objects.filter(group=household.group)
            .filter(
                Q(kind__in=[GroupPostKind.LEADER, GroupPostKind.MEMBER])
                | Q(linked_households=household)
                | Q(kind=GroupPostKind.PARTY_LINK, linked_households=None)
            )
            .distinct(),
            "card": household.cards.current().first(),
            "county_tags": Tag.objects.filter(county__path=household.group.path[:6]),
            **PANELS.context(request, household),
        },
    )


@never_cache
@require_POST
@requires(Cap.REVEAL_RESIDENT)
def reveal_member(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """One resident's full ID number and phone, for a stated reason; every reveal logged."""
    household = get_in_scope_or_404(Household.objects.for_user(request.user), request, code=code)
    member = household.members.filter(pk=pk).first()
    if member is None:
        raise Http404
    reason = request.POST.get("reason", "").strip()[:200]
    if not reason:
        messages.error(request, _("请说明查看原因。"))
        return redirect("households:detail", code=code)
    record(
        action=Action.REVEAL,
        request=request,
        obj=member,
        changes={"fields": ["id_number", "birth_date", "phone"], "household": household.code},
        note=reason,
    )
    return render(
        request,
        "households/reveal.html",
        {"household": household, "member": member, "reason": reason},
    )


@requires(Cap.VIEW_RESIDENTS)
def export(request: HttpRequest) -> HttpResponse:
    """The household list of the user's scope as .xlsx: masked numbers, formulas escaped."""
    rows = (
        Resident.objects.for_user(request.user)
        .select_related("household__group__parent")
        .order_by("household__code", "id")
    )
    data = xlsx_bytes(
        title=_("户籍档案"),
        header=[
            _("户编号"),
            _("村(社区)"),
            _("村民小组"),
            _("住址"),
            _("姓名"),
            _("与户主关系"),
            _("性别"),
            _("出生年份"),
            _("身份证号码"),
            _("手机号码"),
        ],
        rows=(
            (
                r.household.code,
                r.household.group.parent.name,
                r.household.group.name,
                r.household.address,
                r.name,
                r.get_relationship_display(),
                r.get_gender_display(),
                r.birth_year,
                r.masked_id_number,
                r.masked_phone,
            )
            for r in rows.iterator(chunk_size=2000)
        ),
    )
    record(action=Action.EXPORT, request=request, object_type="households.resident",
           note=_("导出户籍档案（已脱敏）"))  # fmt: skip
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = "attachment; filename*=utf-8''households.xlsx"
    return response


@require_POST
@requires(Cap.MANAGE_REGISTRY)
def set_tags(request: HttpRequest, code: str) -> HttpResponse:
    household = get_in_scope_or_404(
        Household.objects.for_user(request.user).select_related("group"), request, code=code
    )
    county_path = household.group.path[:6]
    chosen = Tag.objects.filter(county__path=county_path, pk__in=request.POST.getlist("tags"))
    household_set_tags(actor=request.user, household=household, tags=chosen)  # type: ignore[arg-type]
    messages.success(request, _("标签已更新。"))
    return redirect("households:detail", code=code)


def _profile_field(name: str) -> forms.CharField:
    field = Household._meta.get_field(name)
    return forms.CharField(
        label=field.verbose_name,
        max_length=field.max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProfileForm(StyledFormMixin, forms.Form):
    # A plain form rather than a ModelForm: a ModelForm writes into the instance while
    # validating, and the service could no longer tell what changed.
    basic_situation = _profile_field("basic_situation")
    economy = _profile_field("economy")
    key_persons = _profile_field("key_persons")
    migrants = _profile_field("migrants")
    hardship = _profile_field("hardship")


@require_POST
@requires(Cap.MANAGE_REGISTRY)
def edit_profile(request: HttpRequest, code: str) -> HttpResponse:
    """四知四清: what the cadres know about the household, kept on its 民情档案."""
    household = get_in_scope_or_404(Household.objects.for_user(request.user), request, code=code)
    form = ProfileForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label}：{error}")
        return redirect("households:detail", code=code)
    household_update_profile(actor=request.user, household=household, data=form.cleaned_data)  # type: ignore[arg-type]
    messages.success(request, _("民情档案已更新。"))
    return redirect("households:detail", code=code)
