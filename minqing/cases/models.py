"""民情事项: the registered matter, its timeline, its number counter and county rules."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.cases.workflow import DEADLINE_STATUSES, OPEN_STATUSES, Action, Status
from minqing.lib.masking import mask_phone
from minqing.org.models import Node, Unit
from minqing.org.roles import Role
from minqing.org.scoping import (
    CountyQuerySet,
    ParentScopedQuerySet,
    ScopedQuerySet,
    user_scope_path,
)


class Channel(models.TextChoices):
    HOME_VISIT = "home_visit", _("走访家访")
    CONTACT_HOUSEHOLD = "contact_household", _("联系户走访")
    HOTLINE = "hotline", _("联络服务专线")
    SUGGESTION_BOX = "suggestion_box", _("意见箱")
    WALK_IN = "walk_in", _("来访(中心/站)")
    TALK_DAY = "talk_day", _("百姓说事点")
    DEPUTIES = "deputies", _("两代表工作室")
    MESSAGE = "message", _("邮件/QQ/微信")
    PORTAL = "portal", _("群众网上反映")
    OTHER = "other", _("其他")


class Nature(models.TextChoices):
    CONSULT = "consult", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    SUGGESTION = "suggestion", _("建议")
    PRAISE = "praise", _("表扬")
    OTHER = "other", _("其他")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    IMPORTANT = "important", _("重要")
    URGENT = "urgent", _("紧急")


class MustReport(models.TextChoices):
    """十必报 (seed 000): events a contact household's cadre must always report."""

    LIFE_CHANGE = "life_change", _("联系户生产生活重大变化")
    OPINION = "opinion", _("联系户意见建议")
    ENVIRONMENT = "environment", _("环境脏乱差")
    PREGNANCY = "pregnancy", _("新增怀孕妇女")
    MIGRATION = "migration", _("人口迁入迁出")
    ILLNESS = "illness", _("重病住院")
    NEIGHBOUR_DISPUTE = "neighbour_dispute", _("邻里纠纷")
    SAFETY_HAZARD = "safety_hazard", _("安全隐患")
    INSTABILITY = "instability", _("不稳定因素")
    ILLEGAL_BUILDING = "illegal_building", _("新增违章建筑")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class AnswerMethod(models.TextChoices):
    ON_SPOT = "on_spot", _("当面答复")
    PHONE = "phone", _("电话")
    VISIT = "visit", _("上门")
    SMS = "sms", _("短信")
    NOTICE = "notice", _("书面通知")
    BOARD = "board", _("公开栏")


class Category(models.Model):
    """A county's category tree (up to three levels). Configuration, not code."""

    county = models.ForeignKey(
        Node, verbose_name=_("县(区)"), on_delete=models.CASCADE, related_name="categories"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    code = models.CharField(_("编码"), max_length=40)
    name = models.CharField(_("名称"), max_length=80)
    depth = models.PositiveSmallIntegerField(_("层级"), default=1)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    objects = CountyQuerySet.as_manager()

    class Meta:
        verbose_name = _("事项分类")
        verbose_name_plural = _("事项分类")
        ordering = ["county", "sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["county", "code"], name="cases_category_unique_code")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        chain = [self.name]
        node = self.parent
        while node is not None:
            chain.append(node.name)
            node = node.parent
        return " / ".join(reversed(chain))


class CaseRules(models.Model):
    """A county's case rules. Absent row = the documented defaults (seed 004, issue 3)."""

    county = models.OneToOneField(
        Node, verbose_name=_("县(区)"), on_delete=models.CASCADE, related_name="case_rules"
    )
    normal_days = models.PositiveIntegerField(_("一般事项办理期限(天)"), default=7)
    important_days = models.PositiveIntegerField(_("重要事项办理期限(天)"), default=30)
    urgent_hours = models.PositiveIntegerField(_("紧急事项办理期限(小时)"), default=24)
    working_days = models.BooleanField(_("按工作日计算期限"), default=False)
    remind_before_hours = models.PositiveIntegerField(_("到期前提醒(小时)"), default=24)
    number_with_county_prefix = models.BooleanField(_("登记编号加县区代码前缀"), default=False)
    return_visit_days = models.PositiveIntegerField(_("反馈后回访(天)"), default=3)
    # 挂账督办 cadence (seed 001): asked weekly, checked every half month, dispatched monthly.
    inquiry_days = models.PositiveIntegerField(_("督办询问周期(天)"), default=7)
    check_days = models.PositiveIntegerField(_("督办检查周期(天)"), default=15)
    dispatch_days = models.PositiveIntegerField(_("督办调度周期(天)"), default=30)
    # Open this long without resolution counts as slow on the supervisor's list.
    slow_after_days = models.PositiveIntegerField(_("办理缓慢提示(天)"), default=15)

    objects = CountyQuerySet.as_manager()

    class Meta:
        verbose_name = _("事项办理规则")
        verbose_name_plural = _("事项办理规则")

    def __str__(self) -> str:
        return str(self.county)


class Holiday(models.Model):
    """Public holidays and swapped working days (调休) for working-day deadlines."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("调休上班"), default=False)
    name = models.CharField(_("名称"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class NumberCounter(models.Model):
    """Last number handed out per prefix (county) and month; rows are locked to allocate."""

    prefix = models.CharField(max_length=12, blank=True)
    period = models.CharField(max_length=6)  # YYYYMM
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "period"], name="cases_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}{self.period}: {self.last}"


class CaseQuerySet(ScopedQuerySet):
    scope_path_field = "node__path"

    def for_user(self, user: object) -> CaseQuerySet:
        """Territorial roles see cases placed in their subtree; a department handler sees
        cases currently or previously assigned to the department."""
        path = user_scope_path(user)
        if path is None:
            return self.none()
        if user.role == Role.DEPT_HANDLER:  # type: ignore[attr-defined]
            unit_id = user.unit_id  # type: ignore[attr-defined]
            if unit_id is None:
                return self.none()
            return self.filter(
                models.Q(unit_id=unit_id) | models.Q(events__unit_id=unit_id)
            ).distinct()
        node = user.node  # type: ignore[attr-defined]
        column = {"county": "county_id", "township": "township_id", "village": "village_id"}
        if node.level in column:
            return self.filter(**{column[node.level]: node.pk})
        return self.filter(node_id=node.pk)  # a liaison's group

    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Case(models.Model):
    number = models.CharField(_("登记编号"), max_length=24, unique=True)
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    county = models.ForeignKey(
        Node, verbose_name=_("县(区)"), on_delete=models.PROTECT, related_name="+"
    )
    node = models.ForeignKey(
        Node, verbose_name=_("所在地"), on_delete=models.PROTECT, related_name="cases"
    )
    # The node's township and village, copied at registration: scoping a list to a
    # township or village is then one indexed column, not a join over the tree's paths.
    township = models.ForeignKey(
        Node, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    village = models.ForeignKey(
        Node, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    channel = models.CharField(_("反映渠道"), max_length=24, choices=Channel.choices)
    # 五明确: reporter, time, matter, deadline, proposed solution.
    reporter_name = models.CharField(_("反映人"), max_length=40, blank=True)
    reporter_address = models.CharField(_("家庭住址"), max_length=200, blank=True)
    reporter_work_unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    reporter_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    anonymous = models.BooleanField(_("匿名"), default=False)
    confidential = models.BooleanField(_("为反映人保密"), default=False)
    reported_at = models.DateTimeField(_("反映时间"), default=timezone.now)
    original_text = models.TextField(_("反映问题(原话)"))
    title = models.CharField(_("事项摘要"), max_length=120)
    description = models.TextField(_("事项内容"), blank=True)
    proposal = models.TextField(_("解决建议"), blank=True)
    deadline = models.DateTimeField(_("解决期限"))
    address = models.CharField(_("详细地点"), max_length=200, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("分类"), null=True, blank=True, on_delete=models.PROTECT
    )
    nature = models.CharField(_("诉求性质"), max_length=16, choices=Nature.choices)
    urgency = models.CharField(
        _("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    must_report = models.CharField(
        _("十必报类型"), max_length=24, choices=MustReport.choices, blank=True
    )
    households = models.ManyToManyField(
        "households.Household", verbose_name=_("关联户"), blank=True, related_name="cases"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.REGISTERED
    )
    # Who holds the case now: a unit (station, center, department) and optionally a person.
    unit = models.ForeignKey(
        Unit, verbose_name=_("承办单位"), null=True, blank=True, on_delete=models.PROTECT
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_cases",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("并入事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_children",
    )
    answer = models.TextField(_("办理结果/答复"), blank=True)
    answer_method = models.CharField(
        _("反馈方式"), max_length=16, choices=AnswerMethod.choices, blank=True
    )
    rating = models.CharField(_("评议结果"), max_length=16, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("评议意见"), blank=True)
    # status ∈ DEADLINE_STATUSES, kept by save(): lets "live cases by deadline" (overdue
    # lists, work queues, the deadline scan) walk one ordered index instead of sorting.
    is_live = models.BooleanField(default=True, editable=False)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    first_contact_at = models.DateTimeField(_("先行联系时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("逾期时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    return_visit_due = models.DateField(_("回访日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_cases",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("民情事项")
        verbose_name_plural = _("民情事项")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="cases_status_deadline_idx"),
            models.Index(fields=["is_live", "deadline"], name="cases_live_deadline_idx"),
            models.Index(fields=["unit", "is_live", "deadline"], name="cases_unit_live_idx"),
            models.Index(fields=["handler", "is_live", "deadline"], name="cases_handler_live_idx"),
            models.Index(fields=["unit", "status"], name="cases_unit_status_idx"),
            models.Index(fields=["node", "status"], name="cases_node_status_idx"),
            models.Index(fields=["-created_at"], name="cases_created_idx"),
            models.Index(fields=["county", "-created_at"], name="cases_county_created_idx"),
            models.Index(fields=["township", "-created_at"], name="cases_township_created_idx"),
            models.Index(fields=["village", "-created_at"], name="cases_village_created_idx"),
            models.Index(
                fields=["township", "is_live", "deadline"], name="cases_township_live_idx"
            ),
            models.Index(fields=["village", "is_live", "deadline"], name="cases_village_live_idx"),
            # "What changed since?": each worker's similar-matters index asks on every lookup.
            models.Index(fields=["updated_at"], name="cases_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.is_live = self.status in DEADLINE_STATUSES
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "status" in update_fields:
            kwargs["update_fields"] = {*update_fields, "is_live"}
        super().save(*args, **kwargs)

    @property
    def masked_reporter_phone(self) -> str:
        return mask_phone(self.reporter_phone)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.overdue_at is not None and self.status not in {
            Status.ANSWERED,
            Status.RATED,
            Status.CLOSED,
            Status.MERGED,
        }


class CaseChildQuerySet(ParentScopedQuerySet):
    """A case's timeline, supervision and files: seen by whoever may see the case (its
    department handlers included), by the case's own rules."""

    scope_parents = ("case",)


class CaseEvent(models.Model):
    """One step of the timeline: who did what, when, from which state to which."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT)
    data = models.JSONField(default=dict, blank=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="cases_event_case_at_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        return str(Action(self.action).label) if self.action in Action.values else self.action

    @property
    def to_status_label(self) -> str:
        return str(Status(self.to_status).label) if self.to_status in Status.values else ""


class SupervisionKind(models.TextChoices):
    TRACK = "track", _("挂账督办")
    INQUIRY = "inquiry", _("询问")
    CHECK = "check", _("检查")
    DISPATCH = "dispatch", _("调度")
    SPECIAL_CHECK = "special_check", _("个案专查")
    ONSITE = "onsite", _("实地核查")
    RELEASE = "release", _("销账")


class Supervision(models.Model):
    """A case on a supervising unit's tracked list (挂账督办), with its next due dates."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervisions")
    unit = models.ForeignKey(Unit, verbose_name=_("督办单位"), on_delete=models.PROTECT)
    reason = models.TextField(_("督办事由"))
    automatic = models.BooleanField(_("逾期自动督办"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(default=timezone.now)
    next_inquiry = models.DateField(_("下次询问"))
    next_check = models.DateField(_("下次检查"))
    next_dispatch = models.DateField(_("下次调度"))
    released_at = models.DateTimeField(_("销账时间"), null=True, blank=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("挂账督办")
        verbose_name_plural = _("挂账督办")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "unit"],
                condition=models.Q(released_at__isnull=True),
                name="cases_one_active_supervision_per_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} @ {self.unit}"


class SupervisionActionQuerySet(ParentScopedQuerySet):
    scope_parents = ("supervision",)


class SupervisionAction(models.Model):
    supervision = models.ForeignKey(Supervision, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("督办方式"), max_length=16, choices=SupervisionKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    note = models.TextField(_("督办情况"))

    objects = SupervisionActionQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class CaseAttachment(models.Model):
    """A photo or document on a case. Files live under MEDIA_ROOT/cases/ and are served
    only through the scoped download view, never by URL."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="cases/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=120)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.file.name.lower().endswith((".jpg", ".jpeg", ".png", ".webp"))
