"""Forms for the talk point and the deputies' office. Plain POST forms: every capture form
works without JavaScript and carries its own idempotency key (offline drafts)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.cases.models import Nature, Rating
from minqing.fieldwork.models import DecisionLevel, TalkDay, TalkItem, TalkLevel, TalkPace
from minqing.households.models import Household
from minqing.kit.forms import StyledFormMixin
from minqing.org.models import User

# Large, voice-friendly text boxes: phones' input methods dictate into them.
VOICE = {"rows": 4, "autocomplete": "off", "enterkeyhint": "enter", "lang": "zh-CN"}


class HouseholdChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Household) -> str:
        return f"{obj.group.name} · {obj.head_name}"


class CadreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name()} · {obj.post or obj.get_role_display()}"


class CadresField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name()


class TalkItemForm(StyledFormMixin, forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    text = forms.CharField(
        label=_("所说事项"),
        max_length=3000,
        widget=forms.Textarea(
            attrs={**VOICE, "placeholder": _("群众说的事，照原话记；可用输入法语音输入")}
        ),
    )
    speaker = forms.CharField(
        label=_("说事人"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("可不填")}),
    )
    household = HouseholdChoiceField(
        label=_("户（本村）"), queryset=Household.objects.none(), required=False
    )

    def __init__(self, *args: Any, households: QuerySet[Household], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households
        self.fields["household"].empty_label = _("不选")


def _blank(choices: list[tuple[str, str]]) -> list[tuple[str, Any]]:
    return [("", _("未定")), *choices]


class TalkSortForm(StyledFormMixin, forms.Form):
    pace = forms.ChoiceField(label=_("办理方式"), choices=_blank(TalkPace.choices), required=False)
    level = forms.ChoiceField(
        label=_("解决层级"), choices=_blank(TalkLevel.choices), required=False
    )
    decision = forms.ChoiceField(
        label=_("决策层级"), choices=_blank(DecisionLevel.choices), required=False
    )
    responsible = CadreChoiceField(label=_("责任人"), queryset=User.objects.none(), required=False)
    promise = forms.CharField(
        label=_("承诺及期限"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：两周内修好路灯")}),
    )

    def __init__(self, *args: Any, cadres: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = User.objects.filter(pk__in=[u.pk for u in cadres])
        self.fields["responsible"].empty_label = _("未定")

    @classmethod
    def for_item(cls, item: TalkItem, cadres: list[User]) -> TalkSortForm:
        return cls(
            cadres=cadres,
            prefix=f"item{item.pk}",
            initial={
                "pace": item.pace,
                "level": item.level,
                "decision": item.decision,
                "responsible": item.responsible_id,
                "promise": item.promise,
            },
        )


class DayNoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("说事记录"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(
            attrs={
                **VOICE,
                "placeholder": _("当天说事情况：来了多少人、说了哪些事、当场解决了什么"),
            }
        ),
    )


class ExtraDayForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("加开日期"), widget=forms.DateInput(attrs={"type": "date"}))


class RotaForm(forms.Form):
    """One checkbox list per talk day of the month: who is on duty."""

    def __init__(self, *args: Any, days: list[TalkDay], cadres: list[User], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.days = days
        queryset = User.objects.filter(pk__in=[u.pk for u in cadres]).order_by("pk")
        for day in days:
            self.fields[f"duty_{day.pk}"] = CadresField(
                label=day.date.isoformat(),
                queryset=queryset,
                required=False,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-selectgroup-input"}),
                initial=[u.pk for u in day.on_duty.all()],
            )

    def rows(self) -> list[tuple[TalkDay, forms.BoundField]]:
        return [(day, self[f"duty_{day.pk}"]) for day in self.days]

    def rota(self) -> dict[TalkDay, list[User]]:
        return {day: list(self.cleaned_data[f"duty_{day.pk}"]) for day in self.days}


class RatingsForm(forms.Form):
    """评事: one rating and note per item of the quarter."""

    def __init__(self, *args: Any, items: list[TalkItem], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"rating_{item.pk}"] = forms.ChoiceField(
                label=_("评事结果"),
                choices=[*Rating.choices, ("", _("未评"))],
                required=False,
                widget=forms.RadioSelect(attrs={"class": "form-selectgroup-input"}),
                initial=item.rating,
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("评事意见"),
                max_length=200,
                required=False,
                initial=item.rating_note,
                widget=forms.TextInput(
                    attrs={"class": "form-control", "placeholder": _("党员、村民代表的意见")}
                ),
            )

    def rows(self) -> list[tuple[TalkItem, forms.BoundField, forms.BoundField]]:
        return [(i, self[f"rating_{i.pk}"], self[f"note_{i.pk}"]) for i in self.items]

    def ratings(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {i.pk: (data[f"rating_{i.pk}"], data[f"note_{i.pk}"]) for i in self.items}


class ReceptionForm(StyledFormMixin, forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    date = forms.DateField(
        label=_("接待日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    collective = forms.BooleanField(label=_("集中接待"), required=False)
    visitors = forms.IntegerField(
        label=_("接待群众(人次)"),
        min_value=0,
        max_value=10000,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    record = forms.CharField(
        label=_("接待记录"),
        max_length=5000,
        widget=forms.Textarea(
            attrs={**VOICE, "rows": 6, "placeholder": _("谁来了、反映了什么、怎么答复的")}
        ),
    )


class ReceptionCaseForm(StyledFormMixin, forms.Form):
    n = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    text = forms.CharField(
        label=_("反映问题（群众原话）"),
        max_length=4000,
        widget=forms.Textarea(attrs=VOICE),
    )
    reporter_name = forms.CharField(label=_("反映人姓名"), max_length=40, required=False)
    anonymous = forms.BooleanField(label=_("匿名反映"), required=False)
    nature = forms.ChoiceField(label=_("诉求性质"), choices=Nature.choices, initial=Nature.HELP)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("anonymous") and not (data.get("reporter_name") or "").strip():
            self.add_error("reporter_name", _("请填写反映人姓名，或勾选“匿名”。"))
        return data
