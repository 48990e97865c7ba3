"""Forms for registering a matter and acting on it. Validation messages are Chinese."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minqing.cases.models import (
    AnswerMethod,
    Case,
    Category,
    Channel,
    MustReport,
    Nature,
    Rating,
    Urgency,
)
from minqing.households.models import Household
from minqing.kit.forms import StyledFormMixin
from minqing.org.models import Level, Node, Unit, User
from minqing.org.scoping import user_county_path

TEXT_LIMIT = 4000


def place_choices(user: User) -> list[tuple[str, list[tuple[int, str]]]]:
    """Villages and their groups inside the user's scope, grouped by village."""
    nodes = (
        Node.objects.for_user(user)
        .filter(level__in=[Level.VILLAGE, Level.GROUP])
        .select_related("parent")
        .order_by("path")
    )
    grouped: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for node in nodes:
        if node.level == Level.VILLAGE:
            label = f"{node.parent.name if node.parent else ''} {node.name}".strip()
            grouped[node.pk] = (label, [(node.pk, _("%(v)s（全村）") % {"v": node.name})])
        elif node.parent_id in grouped:
            grouped[node.parent_id][1].append((node.pk, f"{node.parent.name} {node.name}"))
        else:  # the user's scope starts at a group (a liaison officer)
            grouped[node.pk] = (node.parent.name if node.parent else "", [(node.pk, node.name)])
    return list(grouped.values())


class CaseRegisterForm(StyledFormMixin, forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    channel = forms.ChoiceField(label=_("反映渠道"), choices=Channel.choices)
    # An integer, not a ChoiceField: validating against every village and group in a
    # township's scope cost more than the registration itself. The view checks scope.
    node = forms.IntegerField(label=_("所在村/组"), widget=forms.Select)
    address = forms.CharField(label=_("详细地点"), max_length=200, required=False)
    reporter_name = forms.CharField(label=_("反映人姓名"), max_length=40, required=False)
    reporter_phone = forms.RegexField(
        label=_("联系电话"),
        regex=r"^[0-9+\- ]{5,20}$",
        max_length=20,
        required=False,
        error_messages={"invalid": _("请输入有效的电话号码。")},
    )
    reporter_address = forms.CharField(label=_("家庭住址"), max_length=200, required=False)
    reporter_work_unit = forms.CharField(label=_("工作单位"), max_length=100, required=False)
    anonymous = forms.BooleanField(label=_("匿名反映"), required=False)
    confidential = forms.BooleanField(label=_("为反映人保密"), required=False)
    original_text = forms.CharField(
        label=_("反映问题（群众原话）"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    title = forms.CharField(label=_("事项摘要"), max_length=120, required=False)
    nature = forms.ChoiceField(label=_("诉求性质"), choices=Nature.choices)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial="normal")
    must_report = forms.ChoiceField(
        label=_("十必报类型"),
        choices=[("", _("不属于十必报")), *MustReport.choices],
        required=False,
    )
    category = forms.ModelChoiceField(
        label=_("分类"), queryset=Category.objects.none(), required=False
    )
    households = forms.CharField(
        label=_("关联户（户编号或户主姓名，多户用逗号分隔）"), max_length=300, required=False
    )
    latitude = forms.DecimalField(
        label=_("纬度"), max_digits=9, decimal_places=6, min_value=-90, max_value=90,
        required=False,
    )  # fmt: skip
    longitude = forms.DecimalField(
        label=_("经度"), max_digits=9, decimal_places=6, min_value=-180, max_value=180,
        required=False,
    )  # fmt: skip
    proposal = forms.CharField(
        label=_("解决建议"), max_length=TEXT_LIMIT, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # Built only when the select is rendered (a GET, or a POST with errors).
        self.fields["node"].widget.choices = lambda: [("", _("请选择")), *place_choices(user)]
        county_path = user_county_path(user)
        self.fields["category"].queryset = Category.objects.filter(
            county__path=county_path, active=True
        ).select_related("parent")
        self.fields["category"].label_from_instance = lambda c: c.full_name
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def clean_original_text(self) -> str:
        text = self.cleaned_data["original_text"].replace("\x00", "").strip()
        if not text:
            raise forms.ValidationError(_("请填写群众反映的问题。"))
        return text

    def clean_households(self) -> list[Household]:
        """Each term is a household code or a head's name, looked up inside the user's scope."""
        found: list[Household] = []
        terms = [t.strip() for t in self.cleaned_data["households"].replace("，", ",").split(",")]
        for term in filter(None, terms[:10]):
            matches = list(
                Household.objects.for_user(self.user)
                .filter(Q(code=term) | Q(head_name=term))
                .select_related("group__parent")[:6]
            )
            if not matches:
                raise forms.ValidationError(_("在您的辖区内找不到户“%(t)s”。") % {"t": term})
            if len(matches) > 1:
                names = "、".join(f"{h.head_name}({h.code})" for h in matches[:5])
                raise forms.ValidationError(
                    _("“%(t)s”对应多户：%(names)s，请填写户编号。") % {"t": term, "names": names}
                )
            found.append(matches[0])
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("anonymous") and not (data.get("reporter_name") or "").strip():
            self.add_error("reporter_name", _("请填写反映人姓名，或勾选“匿名反映”。"))
        return data


class CaseActionForm(StyledFormMixin, forms.Form):
    """One form for every action; the service decides which fields an action needs."""

    action = forms.CharField(max_length=20)
    note = forms.CharField(label=_("说明"), max_length=TEXT_LIMIT, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    unit = forms.ModelChoiceField(label=_("承办单位"), queryset=Unit.objects.none(), required=False)
    deadline = forms.DateField(label=_("新的期限"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    answer = forms.CharField(label=_("办理结果/答复"), max_length=TEXT_LIMIT, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    answer_method = forms.ChoiceField(label=_("反馈方式"), required=False,
                                      choices=[("", "—"), *AnswerMethod.choices])  # fmt: skip
    rating = forms.ChoiceField(label=_("评议结果"), required=False,
                               choices=[("", "—"), *Rating.choices])  # fmt: skip
    rating_comment = forms.CharField(label=_("评议意见"), max_length=TEXT_LIMIT, required=False)
    parent_number = forms.CharField(label=_("并入事项编号"), max_length=24, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.for_user(user).filter(receives_cases=True)


class CaseDetailsForm(StyledFormMixin, forms.ModelForm):
    """What staff may correct after registration; the resident's words are not here."""

    class Meta:
        model = Case
        fields = ["title", "description", "category", "nature", "urgency", "must_report"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        county_path = user_county_path(user)
        self.fields["category"].queryset = Category.objects.filter(
            county__path=county_path, active=True
        ).select_related("parent")
        self.fields["category"].label_from_instance = lambda c: c.full_name


class BoxSessionForm(StyledFormMixin, forms.Form):
    """One opening of a suggestion box (意见箱): where, when, by whom."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    node = forms.IntegerField(label=_("意见箱所在村/组"), widget=forms.Select)
    box = forms.CharField(label=_("意见箱位置"), max_length=100)
    opened_at = forms.DateTimeField(
        label=_("开箱时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    opened_by = forms.CharField(label=_("开箱人"), max_length=40)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].widget.choices = lambda: [("", _("请选择")), *place_choices(user)]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class SlipForm(StyledFormMixin, forms.Form):
    """One slip from the box. A slip without a name is registered as anonymous."""

    original_text = forms.CharField(
        label=_("意见内容"), max_length=TEXT_LIMIT, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    reporter_name = forms.CharField(label=_("署名"), max_length=40, required=False)
    reporter_phone = forms.RegexField(
        label=_("联系电话"), regex=r"^[0-9+\- ]{5,20}$", max_length=20, required=False,
        error_messages={"invalid": _("请输入有效的电话号码。")},
    )  # fmt: skip
    nature = forms.ChoiceField(label=_("诉求性质"), choices=Nature.choices, initial="suggestion")


SlipFormSet = forms.formset_factory(SlipForm, extra=5, max_num=50, absolute_max=50)
