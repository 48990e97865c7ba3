from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from minqing.org.models import Node, Unit, User
from minqing.web.admin_base import ScopedAdmin


@admin.register(Node)
class NodeAdmin(ScopedAdmin):
    list_display = ["code", "name", "level", "parent", "population", "household_count"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ["name", "kind", "node", "head", "phone"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["node", "head"]


@admin.register(User)
class StaffAdmin(ScopedAdmin, UserAdmin):
    list_display = ["username", "name", "role", "node", "unit", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "name", "phone"]
    raw_id_fields = ["node", "unit"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            "干部信息",
            {"fields": ["name", "role", "rank", "post", "node", "unit", "phone", "email"]},
        ),
        ("状态", {"fields": ["is_active", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "password1", "password2"]}),
        ("干部信息", {"fields": ["name", "role", "rank", "node", "unit", "phone"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        from minqing.org.roles import Role

        # Admin access follows the role, never a hand-set flag.
        obj.is_staff = obj.role == Role.COUNTY_ADMIN
        super().save_model(request, obj, form, change)
