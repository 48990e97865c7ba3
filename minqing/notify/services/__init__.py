"""Writes of the notify app, one module per entity; import them from here.

outbox         queueing messages (inside the caller's transaction) and retrying failed ones
delivery       claiming due outbox rows and sending them, each once
notifications  the in-app inbox: marking messages read
"""

from minqing.notify.services.delivery import DeliveryReport, outbox_deliver
from minqing.notify.services.notifications import (
    notification_mark_read,
    notifications_mark_all_read,
)
from minqing.notify.services.outbox import (
    Related,
    TransactionRequired,
    outbox_queue,
    outbox_queue_staff,
    outbox_retry,
)

__all__ = [
    "DeliveryReport",
    "Related",
    "TransactionRequired",
    "notification_mark_read",
    "notifications_mark_all_read",
    "outbox_deliver",
    "outbox_queue",
    "outbox_queue_staff",
    "outbox_retry",
]
