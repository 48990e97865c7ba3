"""What the residents' portal keeps beyond the case itself: the secret query code that
opens a matter's status page, per-IP request counters for rate limits, and the sum
challenges shown to busy addresses."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.cases.models import Case
from minqing.org.scoping import ParentScopedQuerySet


class TrackingCodeQuerySet(ParentScopedQuerySet):
    scope_parents = ("case",)


class TrackingCode(models.Model):
    """The query code (查询码) of a matter: shown once on the receipt, stored only hashed."""

    case = models.OneToOneField(
        Case, verbose_name=_("民情事项"), on_delete=models.CASCADE, related_name="tracking"
    )
    code_hash = models.CharField(max_length=128)
    # A submission made from a contact card's QR code: which card it came from.
    card = models.ForeignKey(
        "households.ContactCard",
        verbose_name=_("来源联系卡"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TrackingCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("查询码")
        verbose_name_plural = _("查询码")

    def __str__(self) -> str:
        return self.case.number


class RateCounter(models.Model):
    """Requests per key (e.g. "submit:203.0.113.7") in one fixed time window."""

    key = models.CharField(max_length=120)
    window = models.PositiveBigIntegerField()  # window start, seconds since the epoch
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="portal_ratecounter_unique")
        ]
        indexes = [models.Index(fields=["window"], name="portal_ratecounter_window_idx")]

    def __str__(self) -> str:
        return f"{self.key}@{self.window}"


class PortalChallenge(models.Model):
    """One sum shown to a busy address (see portal.challenge): good for one answer, right
    or wrong, before it expires. Kept in the database, not in the form, so the page carries
    no answer and every server process sees the same challenge."""

    id = models.CharField(primary_key=True, max_length=32)  # random, the form's hidden value
    answer_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.id


class BoardPostQuerySet(ParentScopedQuerySet):
    # Staff see the posts of the cases they may see (the board itself is public).
    scope_parents = ("case",)

    def shown(self) -> BoardPostQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class BoardPost(models.Model):
    """A resolved matter of public interest on the public board (公开栏), anonymised: staff
    write the public summary and result; the resident's own words are never shown."""

    case = models.OneToOneField(
        Case, verbose_name=_("民情事项"), on_delete=models.CASCADE, related_name="board_post"
    )
    summary = models.CharField(_("公开摘要"), max_length=200)
    result = models.TextField(_("公开的办理结果"), max_length=1000)
    published_by = models.ForeignKey(
        "org.User", verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("撤下时间"), null=True, blank=True)

    objects = BoardPostQuerySet.as_manager()

    class Meta:
        verbose_name = _("公开栏条目")
        verbose_name_plural = _("公开栏条目")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.summary
