from django.contrib import admin

from minqing.households.models import ContactRules, GroupPost, Household, Liaison, Resident, Tag
from minqing.web.admin_base import CountyConfigAdmin, ScopedAdmin


class ResidentInline(admin.TabularInline):
    model = Resident
    extra = 0
    fields = ["name", "relationship", "gender", "birth_date"]
    # ID and phone numbers are revealed only through the logged reveal action.
    show_change_link = False


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
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
    """Contact-household quotas, the hotline and the card target: defaults until saved."""

    list_display = ["county", "quota_rule", "quota_small", "quota_medium", "quota_large", "hotline"]


@admin.register(Liaison)
class LiaisonAdmin(ScopedAdmin):
    list_display = ["name", "group", "background", "letter_number", "appointed_on", "ended_on"]
    list_filter = ["background"]
    search_fields = ["name", "letter_number"]
    raw_id_fields = ["group", "resident", "user", "appointed_by"]


@admin.register(GroupPost)
class GroupPostAdmin(ScopedAdmin):
    list_display = ["name", "kind", "group"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["group", "resident", "linked_households"]
