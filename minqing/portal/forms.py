"""The portal's forms: short fields, hard length limits, errors in plain Chinese."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from minqing.cases.attachments import IMAGE_TYPES, check_upload
from minqing.cases.models import Category, Nature, Rating
from minqing.org.models import Level, Node

MAX_PHOTOS = 3
TEXT_MAX = 2000
# Characters no resident types: NUL and the other C0 controls except tab and newlines.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def clean_text(value: str) -> str:
    """Drop control characters (NUL breaks PostgreSQL text) and surrounding blanks."""
    return _CONTROL.sub("", value).strip()


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotoField(forms.FileField):
    """Up to MAX_PHOTOS photos, each checked by its content, not its name, and by the size
    its header declares (check_upload): an image bomb is refused here, before any decoding.
    Decoding and stripping happen in portal_submit, before anything is stored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS})
        for upload in files:
            super().clean(upload, initial)
            if check_upload(upload) not in IMAGE_TYPES:
                raise ValidationError(_("只能上传照片（JPG、PNG 或 WebP）。"))
        return files


class SubmitForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    group = forms.ModelChoiceField(
        queryset=Node.objects.none(),
        label=_("村民小组(网格)"),
        required=False,
        empty_label=_("不清楚 / 不选"),
    )
    address = forms.CharField(label=_("具体地点"), max_length=200, required=False)
    text = forms.CharField(
        label=_("您要反映的问题"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("请写下您要反映的问题。")},
    )
    nature = forms.ChoiceField(label=_("诉求类型"), choices=Nature.choices, initial=Nature.HELP)
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), label=_("问题类别"), required=False,
        empty_label=_("不清楚 / 不选"),
    )  # fmt: skip
    photos = PhotoField(label=_("照片（可选，最多 3 张）"))
    anonymous = forms.BooleanField(label=_("匿名反映（不留姓名和电话）"), required=False)
    name = forms.CharField(label=_("您的姓名"), max_length=40, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    challenge = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    answer = forms.CharField(label=_("验证"), max_length=8, required=False)

    def __init__(self, *args: Any, village: Node, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.village = village
        self.fields["group"].queryset = Node.objects.filter(parent=village, level=Level.GROUP)
        self.fields["category"].queryset = Category.objects.filter(
            county__path=village.path[:6], parent=None, active=True
        ).order_by("sort", "id")

    def clean_token(self) -> str:
        token = self.cleaned_data["token"]
        if not re.fullmatch(r"[0-9a-f]{32}", token):
            raise ValidationError(_("表单已失效，请重新打开页面填写。"))
        return token

    def clean_text(self) -> str:
        text = clean_text(self.cleaned_data["text"])
        if len(text) < 5:
            raise ValidationError(_("请把问题写得具体一些（至少 5 个字）。"))
        return text

    def clean_address(self) -> str:
        return clean_text(self.cleaned_data["address"])

    def clean_name(self) -> str:
        return clean_text(self.cleaned_data["name"])

    def clean_phone(self) -> str:
        phone = re.sub(r"[\s-]", "", clean_text(self.cleaned_data["phone"]))
        if phone and not (_MOBILE.match(phone) or _LANDLINE.match(phone)):
            raise ValidationError(_("请填写正确的手机号码或固定电话。"))
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("anonymous"):
            if not data.get("name"):
                self.add_error("name", _("请留下姓名，或选择匿名反映。"))
            if not data.get("phone") and "phone" not in self.errors:
                self.add_error("phone", _("请留下联系电话，方便答复您；或选择匿名反映。"))
        return data

    @property
    def node(self) -> Node:
        return self.cleaned_data.get("group") or self.village


class TrackForm(forms.Form):
    number = forms.CharField(label=_("登记编号"), max_length=24)
    code = forms.CharField(label=_("查询码"), max_length=16)

    def clean_number(self) -> str:
        return clean_text(self.cleaned_data["number"]).upper()

    def clean_code(self) -> str:
        return "".join(clean_text(self.cleaned_data["code"]).split()).upper()


class RateForm(TrackForm):
    rating = forms.ChoiceField(
        label=_("您对办理结果"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意、基本满意或不满意。")},
    )
    comment = forms.CharField(
        label=_("意见（可选）"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def clean_comment(self) -> str:
        return clean_text(self.cleaned_data["comment"])
