"""Read-only outbox for the county administrator, with "retry now" for stuck messages.

Outbox rows hang from no jurisdiction node, so the admin scopes them by what they reach:
messages to the county's own staff, and messages to residents about an object (a case)
the administrator may open. Another county's administrator sees neither."""

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from minqing.kit.admin import ReadOnlyAdmin
from minqing.lib.masking import mask_phone
from minqing.notify.access import openable
from minqing.notify.models import Channel, Outbox
from minqing.notify.services import outbox_retry
from minqing.org.scoping import under, user_county_path


@admin.register(Outbox)
class OutboxAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at", "channel", "recipient", "subject", "status", "attempts",
        "next_attempt_at", "sent_at", "related_type", "related_id",
    ]  # fmt: skip
    list_filter = ["status", "channel"]
    search_fields = ["dedupe_key", "subject", "related_id"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient_user"]
    actions = ["retry_now"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Outbox]:
        county = user_county_path(request.user)
        to_staff = under(county, "recipient_user__node__path")
        to_residents = (
            Q(recipient_user__isnull=True) & ~Q(related_type="") & openable(request.user, prefix="")  # type: ignore[arg-type]
        )
        return super().get_queryset(request).filter(to_staff | to_residents)

    @admin.display(description=_("接收人"))
    def recipient(self, obj: Outbox) -> str:
        if obj.recipient_user is not None:
            return str(obj.recipient_user)
        # Residents' phone numbers are masked in every list.
        if obj.channel == Channel.SMS:
            return mask_phone(obj.recipient_address)
        return obj.recipient_address

    # The detail page shows the masked recipient, never the raw address.
    fields = readonly_fields = [
        "created_at", "channel", "recipient", "subject", "body", "url", "dedupe_key",
        "status", "attempts", "next_attempt_at", "claimed_at", "last_error", "sent_at",
        "related_type", "related_id",
    ]  # fmt: skip

    @admin.action(description=_("立即重试所选的失败或已放弃消息"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Outbox]) -> None:
        count = outbox_retry(actor=request.user, rows=queryset)  # type: ignore[arg-type]
        self.message_user(request, _("已重新排队 %(n)s 条消息。") % {"n": count})
