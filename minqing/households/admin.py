from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from minqing.households.models import Household, Resident, Tag
from minqing.org.models import Level, Node
from minqing.org.scoping import user_county_path
from minqing.web.admin_base import AuditedAdmin, ScopedAdmin


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
class TagAdmin(AuditedAdmin):
    """A county extends the documented tags with its own (the county's only)."""

    list_display = ["name", "kind", "code"]
    list_filter = ["kind"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).filter(county__path=user_county_path(request.user))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "county":
            kwargs["queryset"] = Node.objects.filter(
                level=Level.COUNTY, path=user_county_path(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
