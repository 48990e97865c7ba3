from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from minqing.audit.models import AuditEvent
from minqing.org.roles import Cap
from minqing.org.scoping import naming_visible, under, user_county_path
from minqing.web.admin_base import ReadOnlyAdmin


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
        accounts = get_user_model()._default_manager.for_user(user).values("username")
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
