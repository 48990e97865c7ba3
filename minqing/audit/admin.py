from django.contrib import admin

from minqing.audit.models import AuditEvent
from minqing.org.roles import Cap
from minqing.web.admin_base import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_username", "action", "object_type", "object_repr", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_username", "object_repr", "object_id"]
    date_hierarchy = "at"
    view_cap = Cap.VIEW_AUDIT
