from django.contrib import admin

from minqing.households.models import Household, Resident
from minqing.web.admin_base import ScopedAdmin


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
