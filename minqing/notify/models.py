"""The outbox (one row per message to deliver) and the staff in-app inbox.

An outbox row is written in the same transaction as the change that causes it, so a rolled
back change never notifies anyone and a committed one always will (eventually).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    IN_APP = "in_app", _("站内消息")
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class Status(models.TextChoices):
    PENDING = "pending", _("待发送")
    # Claimed by a worker; a claim older than MINQING_NOTIFY_CLAIM_TIMEOUT is taken to be
    # a crashed worker's and is claimed again (the at-least-once window, see delivery.py).
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("失败待重试")
    DEAD = "dead", _("已放弃")


class Outbox(models.Model):
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    # Staff are addressed by account (in-app, or their own phone/e-mail); residents have no
    # account and are addressed by phone number or e-mail only.
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收干部"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    recipient_address = models.CharField(_("接收地址"), max_length=254, blank=True)
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("内容"))
    url = models.CharField(_("链接"), max_length=300, blank=True)
    # The event's identity (e.g. "case:…:assigned:42:in_app:7"): a retried request or a
    # doubled scheduler tick finds the row already there and queues nothing.
    dedupe_key = models.CharField(_("去重键"), max_length=200, unique=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    # Fences the writes of the worker that claimed the row: a worker whose stale claim was
    # taken over cannot overwrite the newer claim's outcome.
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    last_error = models.TextField(_("最近错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    related_type = models.CharField(_("关联对象类型"), max_length=64, blank=True)
    related_id = models.CharField(_("关联对象编号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notify_outbox_due"),
            models.Index(fields=["related_type", "related_id"], name="notify_outbox_related"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk} {self.subject or self.body[:30]}"


class Notification(models.Model):
    """A staff user's in-app message; created by delivering an in-app outbox row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收干部"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # One-to-one with its outbox row: even a repeated delivery cannot show a message twice.
    source = models.OneToOneField(
        Outbox,
        verbose_name=_("来源"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notification",
    )

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notify_inbox_list"),
            models.Index(fields=["user", "read_at"], name="notify_inbox_unread"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
