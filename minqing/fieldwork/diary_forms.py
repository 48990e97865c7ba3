"""Forms of the sentiment diary. Validation messages are Chinese; scope is checked here
(places and households come from the author's scoped querysets) and again in the services."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from minqing.cases.forms import place_choices
from minqing.cases.models import Case
from minqing.fieldwork.diary_selectors import diary_keepers
from minqing.fieldwork.models import DiaryCategory
from minqing.fieldwork.visit_forms import PhotosField
from minqing.households.models import ContactAssignment, Household
from minqing.kit.forms import StyledFormMixin
from minqing.org.models import Level, Node, User
from minqing.org.roles import Cap, has_cap

HOUSEHOLD_CHOICES_MAX = 30
# Phones offer dictation on any plain textarea; a tall box and no rich editor keep it usable.
VOICE = {"autocomplete": "off", "autocapitalize": "sentences", "enterkeyhint": "enter"}


def _text(rows: int, placeholder: str = "") -> forms.Textarea:
    attrs: dict[str, Any] = {"rows": rows, **VOICE}
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.Textarea(attrs=attrs)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _clean(value: str) -> str:
    return value.replace("\x00", "").strip()


def household_label(household: Household) -> str:
    return format_html(
        '<span class="fw-bold">{}</span> <span class="small text-secondary">{} · {}</span>',
        household.head_name,
        household.group.name,
        household.address,
    )


class DiaryEntryForm(StyledFormMixin, forms.Form):
    """一事一记: the place, the households, the category and the four parts of the entry."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    date = forms.DateField(label=_("日期"), widget=_date_input())
    # An integer rendered as a select: the view's scoped lookup is the validation.
    node = forms.IntegerField(label=_("所在村/组"), widget=forms.Select)
    place = forms.CharField(
        label=_("地点"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：村委会、农户家中、田间")}),
    )
    find = forms.CharField(
        label=_("查找户"),
        max_length=40,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("户主姓名、住址或户编号")}
        ),
    )
    households = forms.ModelMultipleChoiceField(
        label=_("涉及的户"),
        queryset=Household.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    category = forms.ChoiceField(
        label=_("类别"), choices=[("", _("请选择")), *DiaryCategory.choices]
    )
    title = forms.CharField(
        label=_("事由"),
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("一句话写明是什么事")}),
    )
    narrative = forms.CharField(
        label=_("民情记述"), max_length=5000, widget=_text(6, _("群众反映了什么、现场看到了什么"))
    )
    analysis = forms.CharField(
        label=_("原因分析"), max_length=3000, required=False, widget=_text(3)
    )
    comment = forms.CharField(label=_("评述"), max_length=3000, required=False, widget=_text(3))
    measures = forms.CharField(
        label=_("建议措施"), max_length=3000, required=False, widget=_text(3)
    )
    # The matter this entry follows, when it is already a case (e.g. raised on a visit):
    # the entry then shows the case's progress instead of raising a second one.
    case = forms.CharField(
        label=_("关联的民情事项（登记编号）"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    photos = PhotosField()

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["households"].widget.attrs["class"] = "form-check-input"
        self.fields["node"].widget.choices = lambda: [("", _("请选择")), *self._places()]
        self.searched = ""
        if has_cap(user, Cap.VIEW_RESIDENTS):
            scoped = Household.objects.for_user(user).select_related("group")
            self.fields["households"].queryset = scoped
            self.fields["households"].widget.choices = self._household_choices(scoped)
        else:  # department staff see residents only through cases: no household picker
            del self.fields["households"], self.fields["find"]
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())
            self.initial.setdefault("node", user.node_id)

    def _places(self) -> list[Any]:
        """The author's own place first (a township or county cadre writes about it too),
        then each village with its groups."""
        own = self.user.node
        places = place_choices(self.user)
        if own is not None and own.level in (Level.COUNTY, Level.TOWNSHIP):
            return [(own.pk, _("%(n)s（本辖区）") % {"n": own.name}), *places]
        return places

    def _household_choices(self, scoped: Any) -> list[tuple[int, str]]:
        """Only a few households are offered, never the whole scope: those already chosen,
        those matching the search, and the author's own contact households (联系户)."""
        source = self.data if self.is_bound else self.initial
        chosen = (
            source.getlist("households")
            if hasattr(source, "getlist")
            else source.get("households", [])
        )
        chosen_ids = [int(v) for v in chosen if str(v).isdigit()]
        term = _clean(str(source.get("find") or ""))[:40]
        query = Q(pk__in=chosen_ids)
        if term:
            query |= Q(head_name__contains=term) | Q(address__contains=term) | Q(code=term)
        else:
            contacts = ContactAssignment.objects.active().filter(cadre=self.user)
            query |= Q(pk__in=contacts.values("household_id"))
        found = scoped.filter(query).order_by("group__code", "code")[:HOUSEHOLD_CHOICES_MAX]
        self.searched = term
        return [(h.pk, household_label(h)) for h in found]

    def clean_node(self) -> Node:
        node = Node.objects.for_user(self.user).filter(pk=self.cleaned_data["node"]).first()
        if node is None:
            raise forms.ValidationError(_("所选地点不在您的辖区范围内。"))
        return node

    def clean_case(self) -> Case | None:
        number = _clean(self.cleaned_data.get("case") or "")
        if not number:
            return None
        case = Case.objects.for_user(self.user).filter(number=number).first()
        if case is None:
            raise forms.ValidationError(_("找不到您可以查看的这个登记编号。"))
        return case

    def clean_date(self) -> dt.date:
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("日期不能晚于今天。"))
        return date

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("place", "title", "narrative", "analysis", "comment", "measures"):
            if isinstance(data.get(name), str):
                data[name] = _clean(data[name])
        if self.fields["narrative"].required and "narrative" in data and not data["narrative"]:
            self.add_error("narrative", _("请填写民情记述。"))
        return data

    @staticmethod
    def new_key() -> str:
        return uuid.uuid4().hex


class FollowUpForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("跟踪日期"), widget=_date_input())
    text = forms.CharField(label=_("跟踪情况"), max_length=3000, widget=_text(3))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("date", timezone.localdate())


class ResultForm(StyledFormMixin, forms.Form):
    result = forms.CharField(label=_("办理结果"), max_length=3000, widget=_text(3))


class ReviewForm(StyledFormMixin, forms.Form):
    review_comment = forms.CharField(
        label=_("审阅意见"),
        max_length=2000,
        required=False,
        widget=_text(3, _("可不填；填写后记录人可以看到")),
    )


def month_start(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()).replace(day=1)


class DiaryFilterForm(StyledFormMixin, forms.Form):
    """Filters of the diary lists (GET); an invalid value is simply ignored."""

    STATES = [
        ("", _("全部")),
        ("open", _("跟踪中")),
        ("done", _("已有结果")),
        ("pending", _("待审阅")),
        ("reviewed", _("已审阅")),
    ]
    category = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部类别")), *DiaryCategory.choices]
    )
    state = forms.ChoiceField(label=_("状态"), required=False, choices=STATES)
    start = forms.DateField(label=_("起"), required=False, widget=_date_input())
    end = forms.DateField(label=_("止"), required=False, widget=_date_input())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # the filter bar has no visible labels
            field.widget.attrs["aria-label"] = field.label

    def filter(self, entries: Any) -> Any:
        if not self.is_valid():
            return entries
        data = self.cleaned_data
        if data["category"]:
            entries = entries.filter(category=data["category"])
        if data["start"]:
            entries = entries.filter(date__gte=data["start"])
        if data["end"]:
            entries = entries.filter(date__lte=data["end"])
        state_filters = {
            "open": {"result_at__isnull": True},
            "done": {"result_at__isnull": False},
            "pending": {"reviewed_at__isnull": True},
            "reviewed": {"reviewed_at__isnull": False},
        }
        return entries.filter(**state_filters.get(data["state"], {}))


class CompileForm(StyledFormMixin, forms.Form):
    """汇编成册: one cadre's entries, or (for reviewers) a village's, over a period."""

    author = forms.ModelChoiceField(label=_("干部"), queryset=User.objects.none(), required=False)
    village = forms.ModelChoiceField(
        label=_("村(社区)"), queryset=Node.objects.none(), required=False
    )
    start = forms.DateField(label=_("起始日期"), widget=_date_input())
    end = forms.DateField(label=_("截止日期"), widget=_date_input())

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.reviewer = has_cap(user, Cap.REVIEW_FIELDWORK)
        if self.reviewer:
            self.fields["author"].queryset = diary_keepers(user).order_by("node__code", "name")
            self.fields["village"].queryset = (
                Node.objects.for_user(user).filter(level=Level.VILLAGE).select_related("parent")
            )
            self.fields["author"].label_from_instance = lambda u: f"{u.get_full_name()} · {u.node}"
            self.fields["village"].label_from_instance = lambda n: f"{n.parent} {n.name}"
        else:
            self.fields["author"].queryset = User.objects.filter(pk=user.pk)
            self.fields["author"].empty_label = None
            del self.fields["village"]
        self.initial.setdefault("start", month_start())
        self.initial.setdefault("end", timezone.localdate())
        self.initial.setdefault("author", user.pk if has_cap(user, Cap.FIELDWORK) else None)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        author, village = data.get("author"), data.get("village")
        if not self.reviewer and author is None:
            data["author"] = self.user
        elif bool(author) == bool(village):
            raise forms.ValidationError(_("请选择一名干部或一个村(社区)，二者选一。"))
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", _("截止日期不能早于起始日期。"))
            elif (end - start).days > 366:
                self.add_error("end", _("一次最多汇编一年的日记。"))
        return data
