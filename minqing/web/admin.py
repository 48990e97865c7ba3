"""The admin of the apps below the UI kit: the audit log (audit), the tree and the staff (org).

Their admin pages need the admin base classes (minqing.kit.admin), which sit above both apps
in the layer order (minqing.layers), so they are registered here, at the top; the admin
lists them under their own apps all the same."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from minqing.audit.models import AuditEvent
from minqing.kit.admin import ReadOnlyAdmin, ScopedAdmin
from minqing.org.models import Node, Unit, User
from minqing.org.roles import Cap
from minqing.org.scoping import naming_visible, under, user_county_path
from minqing.org.tasks import refresh_node_statistics


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_username", "action", "object_type", "object_repr", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_username", "object_repr", "object_id"]
    date_hierarchy = "at"
    view_cap = Cap.VIEW_AUDIT

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        """The log has no place of its own, so a county administrator sees what concerns
        the county: what its staff did; failed sign-ins and lockouts of its staff's
        accounts; and what nobody signed in did (residents on the portal, scheduled jobs)
        to an object the administrator may see. Another county's log stays its own; so do
        sign-in attempts on names that are nobody's account."""
        user = request.user
        events = super().get_queryset(request)
        by_staff = under(user_county_path(user), "actor__node__path")
        accounts = User._default_manager.for_user(user).values("username")
        on_accounts = Q(actor_username__in=accounts) & ~Q(actor_username="")
        labels = (
            events.filter(actor__isnull=True)
            .exclude(object_type="")
            .values_list("object_type", flat=True)
            .distinct()
            .order_by()
        )
        about_visible = naming_visible(
            user, labels=list(labels), type_field="object_type", id_field="object_id"
        )
        return events.filter(by_staff | (Q(actor__isnull=True) & (on_accounts | about_visible)))


@admin.register(Node)
class NodeAdmin(ScopedAdmin):
    list_display = ["code", "name", "level", "parent", "population", "household_count"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    actions = ["refresh_statistics"]

    @admin.action(description=_("按户籍档案重新统计人口和户数（后台执行）"))
    def refresh_statistics(self, request: HttpRequest, queryset: QuerySet[Node]) -> None:
        for node in queryset:
            refresh_node_statistics.enqueue(root_code=node.code, actor_id=request.user.pk)
        self.message_user(request, _("已提交后台统计任务，稍后刷新即可看到结果。"))


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
    raw_id_fields = ["node", "unit", "linked_village", "linked_places"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            "干部信息",
            {
                "fields": [
                    "name",
                    "role",
                    "rank",
                    "post",
                    "node",
                    "unit",
                    "linked_village",
                    "phone",
                    "email",
                ]
            },
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
