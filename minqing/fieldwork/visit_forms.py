"""Forms for the visit log, turning what was heard into cases, and visit plans."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from minqing.cases.forms import TEXT_LIMIT
from minqing.cases.models import Nature
from minqing.fieldwork.models import Visit, VisitForm, VisitPlan
from minqing.fieldwork.quotas import FIELD_ROLES, NO_RESIDENCE_ROLES
from minqing.fieldwork.services import MAX_PHOTOS, check_photo
from minqing.fieldwork.visit_selectors import place_households, plans_for_visit_form, visit_places
from minqing.households.models import Household
from minqing.kit.forms import StyledFormMixin
from minqing.org.models import Level, Node, User
from minqing.org.scoping import within


def place_label(node: Node) -> str:
    if node.level in (Level.VILLAGE, Level.GROUP) and node.parent is not None:
        return f"{node.parent.name} {node.name}"
    return node.name


def _clean_text(value: str) -> str:
    return value.replace("\x00", "").strip()


# Voice input on a phone keyboard fills these: big boxes, sentences, no autocorrect noise.
_VOICE = {"autocapitalize": "sentences", "spellcheck": "false", "enterkeyhint": "enter"}


class PhotoInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Photos from the phone's rear camera, several at once. Checked here (count, type by
    content, size) so a bad file is refused before anything is saved; services.photos
    strips and stores them once the record exists."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("现场照片"))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", PhotoInput(attrs={"accept": "image/*", "capture": "environment"})
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("每条记录最多 %(max)d 张照片，这次选了 %(n)d 张。"),
                params={"max": MAX_PHOTOS, "n": len(files)},
            )
        cleaned = [super(PhotosField, self).clean(f, initial) for f in files]
        for upload in cleaned:
            check_photo(upload)
        return cleaned


class VisitLogForm(StyledFormMixin, forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    node = forms.ModelChoiceField(queryset=Node.objects.none(), widget=forms.HiddenInput)
    date = forms.DateField(
        label=_("走访日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    form = forms.ChoiceField(label=_("走访形式"), choices=VisitForm.choices)
    households = forms.ModelMultipleChoiceField(
        label=_("走访的户"), queryset=Household.objects.none(), required=False
    )
    facts = forms.BooleanField(label=_("摸清实情"), required=False)
    feelings = forms.BooleanField(label=_("理顺心情"), required=False)
    difficulties = forms.BooleanField(label=_("解决难情"), required=False)
    hidden_risks = forms.BooleanField(label=_("排查隐情"), required=False)
    heard = forms.CharField(
        label=_("群众反映"),
        max_length=Visit._meta.get_field("heard").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, **_VOICE}),
    )
    promised = forms.CharField(
        label=_("承诺事项"),
        max_length=Visit._meta.get_field("promised").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, **_VOICE}),
    )
    residence_day = forms.BooleanField(label=_("当天住村(住村日)"), required=False)
    plan = forms.ModelChoiceField(
        label=_("对应的走访安排"), queryset=VisitPlan.objects.none(), required=False
    )
    photos = PhotosField()

    CONTENTS = ("facts", "feelings", "difficulties", "hidden_risks")

    def __init__(self, *args: Any, user: User, place: Node, today: dt.date, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["node"].queryset = visit_places(user)
        self.fields["households"].queryset = place_households(user, place)
        plans = plans_for_visit_form(user, today)
        self.fields["plan"].queryset = plans
        self.fields["plan"].label_from_instance = lambda p: (
            f"{localtime(p.starts_at):%m-%d %H:%M} {p.node.name} · {p.duty}"
        )
        self.fields["plan"].empty_label = _("不关联")
        if user.role in NO_RESIDENCE_ROLES:
            del self.fields["residence_day"]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
            self.initial.setdefault("date", today)
            self.initial.setdefault("form", VisitForm.HOME)
            self.initial.setdefault("node", place.pk)

    def clean_heard(self) -> str:
        return _clean_text(self.cleaned_data["heard"])

    def clean_promised(self) -> str:
        return _clean_text(self.cleaned_data["promised"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        node = data.get("node")
        if node is not None and any(not within(h.group, node) for h in data.get("households", [])):
            self.add_error("households", _("走访的户必须在所选地点内。"))
        return data


class VisitCaseForm(StyledFormMixin, forms.Form):
    """One matter heard on the visit → one case."""

    seq = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    text = forms.CharField(
        label=_("事项（可删减为一件事）"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4, **_VOICE}),
    )
    household = forms.ModelChoiceField(
        label=_("反映的户"), queryset=Household.objects.none(), required=False
    )
    nature = forms.ChoiceField(label=_("诉求性质"), choices=Nature.choices, initial=Nature.HELP)
    reporter_name = forms.CharField(label=_("反映人姓名"), max_length=40, required=False)

    def __init__(self, *args: Any, visit: Visit, **kwargs: Any):
        super().__init__(*args, **kwargs)
        households = visit.households.select_related("group").order_by("code")
        self.fields["household"].queryset = households
        self.fields["household"].label_from_instance = lambda h: f"{h.head_name} · {h.group.name}"
        self.fields["household"].empty_label = _("不针对某一户")
        self.has_households = bool(self.fields["household"].queryset)

    def clean_text(self) -> str:
        text = _clean_text(self.cleaned_data["text"])
        if not text:
            raise forms.ValidationError(_("请填写要转办的事项。"))
        return text


class VisitPlanForm(StyledFormMixin, forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    visitor = forms.ModelChoiceField(label=_("走访(接访)人"), queryset=User.objects.none())
    node = forms.ModelChoiceField(label=_("地点(辖区)"), queryset=Node.objects.none())
    place = forms.CharField(
        label=_("具体地点"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如：村委会一楼接待室")}),
    )
    form = forms.ChoiceField(label=_("形式"), choices=VisitForm.choices, initial=VisitForm.FIXED)
    starts_at = forms.DateTimeField(
        label=_("时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    duty = forms.CharField(
        label=_("职务与接访事项"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": _("如：镇党委书记，接待土地、用水方面的反映")}
        ),
    )
    public = forms.BooleanField(label=_("在公开栏公示"), required=False, initial=True)

    def __init__(self, *args: Any, user: User, for_others: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if for_others:
            visitors = (
                User.objects.for_user(user)
                .filter(is_active=True, role__in=FIELD_ROLES)
                .order_by("node__code", "name")
            )
        else:
            visitors = User.objects.filter(pk=user.pk)
        self.fields["visitor"].queryset = visitors
        self.fields["visitor"].label_from_instance = lambda u: " · ".join(
            x for x in (u.get_full_name(), u.post) if x
        )
        self.fields["node"].queryset = visit_places(user)
        self.fields["node"].label_from_instance = place_label
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
            self.initial.setdefault("node", user.node_id)
            if user.role in FIELD_ROLES:
                self.initial.setdefault("visitor", user.pk)

    def clean_place(self) -> str:
        return _clean_text(self.cleaned_data["place"])

    def clean_duty(self) -> str:
        return _clean_text(self.cleaned_data["duty"])
