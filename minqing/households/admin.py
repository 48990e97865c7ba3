from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from minqing.households.models import ContactRules, GroupPost, Household, Liaison, Resident, Tag
from minqing.kit.admin import CountyConfigAdmin, ScopedAdmin
from minqing.org.models import phone_validator


class ResidentInline(admin.TabularInline):
    model = Resident
    extra = 0
    # ID and phone numbers are revealed only through the logged reveal action, and the full
    # birth date with them: beside the masked number elsewhere it would complete it.
    fields = ["name", "relationship", "gender", "birth_year"]
    readonly_fields = ["birth_year"]
    show_change_link = False

    @admin.display(description=_("出生年份"))
    def birth_year(self, obj: Resident) -> str:
        return obj.birth_year


class WriteOnlyPhoneForm(forms.ModelForm):
    """The admin form never shows the stored phone (that would be an unlogged reveal): it
    shows the masked number and takes a new one, or keeps the old one when left blank."""

    new_phone = forms.CharField(
        label=_("联系电话"), max_length=20, required=False, validators=[phone_validator]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.masked_phone if self.instance.pk else ""
        self.fields["new_phone"].help_text = (
            _("当前：%(phone)s。留空则不修改；查看完整号码请在档案页经授权查看。")
            % {"phone": current}
            if current
            else _("尚未登记。")
        )
        if self.instance.pk is None and not self.instance._meta.get_field("phone").blank:
            self.fields["new_phone"].required = True

    def save(self, commit: bool = True) -> Any:
        if self.cleaned_data.get("new_phone"):
            self.instance.phone = self.cleaned_data["new_phone"]
        return super().save(commit=commit)


class WriteOnlyPhoneAdmin(ScopedAdmin):
    form = WriteOnlyPhoneForm

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["exclude"] = [*(kwargs.get("exclude") or []), "phone"]
        return super().get_form(request, obj, change, **kwargs)


@admin.register(Household)
class HouseholdAdmin(WriteOnlyPhoneAdmin):
    list_display = ["code", "head_name", "group", "address"]
    search_fields = ["code", "head_name"]
    raw_id_fields = ["group"]
    inlines = [ResidentInline]


@admin.register(Tag)
class TagAdmin(CountyConfigAdmin):
    """A county extends the documented tags with its own (the county's only)."""

    list_display = ["name", "kind", "code"]
    list_filter = ["kind"]


@admin.register(ContactRules)
class ContactRulesAdmin(CountyConfigAdmin):
    """Contact-household quotas, the hotline, the card and masking: defaults until saved."""

    list_display = [
        "county", "quota_rule", "quota_small", "quota_medium", "quota_large", "hotline",
        "card_shows_network_phones", "id_mask_tail",
    ]  # fmt: skip


@admin.register(Liaison)
class LiaisonAdmin(WriteOnlyPhoneAdmin):
    list_display = ["name", "group", "background", "letter_number", "appointed_on", "ended_on"]
    list_filter = ["background"]
    search_fields = ["name", "letter_number"]
    raw_id_fields = ["group", "resident", "user", "appointed_by"]


@admin.register(GroupPost)
class GroupPostAdmin(WriteOnlyPhoneAdmin):
    list_display = ["name", "kind", "group"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["group", "resident", "linked_households"]
