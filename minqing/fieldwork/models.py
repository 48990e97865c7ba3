"""Fieldwork: sentiment diaries (民情日记), visits (走访/家访) and visit plans, talk days
(百姓说事点) and deputies' receptions (两代表工作室), with the county's quotas.

Every record names its place in the tree (`node`) so it is scoped like everything else;
what residents said that needs handling becomes a case through the case services, and the
record keeps the link.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.cases.models import Case
from minqing.households.models import Household
from minqing.org.models import Node
from minqing.org.scoping import CountyQuerySet, ParentScopedQuerySet, ScopedQuerySet


class FieldworkRules(models.Model):
    """A county's fieldwork quotas. Absent row = the documented defaults (seeds 002–004)."""

    county = models.OneToOneField(
        Node, verbose_name=_("县(区)"), on_delete=models.CASCADE, related_name="fieldwork_rules"
    )
    diary_per_week = models.PositiveIntegerField(_("每人每周民情日记(篇)"), default=1)
    visits_city_leader = models.PositiveIntegerField(_("市级领导每月接访(次)"), default=1)
    visits_county_leader = models.PositiveIntegerField(_("县级领导每月接访(次)"), default=2)
    visits_township_leader = models.PositiveIntegerField(_("乡镇领导每月接访(次)"), default=3)
    village_households_min = models.PositiveIntegerField(_("村两委干部每月走访户数下限"), default=3)
    village_households_max = models.PositiveIntegerField(_("村两委干部每月走访户数上限"), default=5)
    residence_days_section = models.PositiveIntegerField(_("科级干部每年住村(天)"), default=10)
    residence_days_other = models.PositiveIntegerField(_("其他干部每年住村(天)"), default=5)
    contacts_per_year = models.PositiveIntegerField(_("每名干部每年联系群众(次)"), default=3)
    talk_weekday = models.PositiveSmallIntegerField(
        _("说事日(星期几,1=周一)"), default=3
    )  # Wednesday (seed 004)
    talk_days_per_month = models.PositiveIntegerField(_("说事点每月开放(次)"), default=4)
    deputy_receptions_per_month = models.PositiveIntegerField(_("代表每月接待群众(次)"), default=2)

    objects = CountyQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访与日记规则")
        verbose_name_plural = _("走访与日记规则")

    def __str__(self) -> str:
        return str(self.county)


class DiaryCategory(models.TextChoices):
    """The eight diary categories of seed 002."""

    ECONOMY = "economy", _("农村经济发展")
    ORGANISATION = "organisation", _("村级组织建设")
    DEMOCRACY = "democracy", _("村务民主管理")
    DISPUTES = "disputes", _("农村矛盾纠纷")
    HOT_ISSUES = "hot_issues", _("热点难点问题")
    CIVILITY = "civility", _("精神文明建设")
    APPEARANCE = "appearance", _("村容村貌")
    OTHER = "other", _("其他")


class NodeScoped(ScopedQuerySet):
    scope_path_field = "node__path"


class DiaryEntry(models.Model):
    """One matter, one entry (一事一记): followed until its result is recorded."""

    author = models.ForeignKey(
        "org.User", verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="diary"
    )
    node = models.ForeignKey(
        Node, verbose_name=_("地点(辖区)"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    households = models.ManyToManyField(Household, verbose_name=_("涉及的户"), blank=True)
    category = models.CharField(_("类别"), max_length=16, choices=DiaryCategory.choices)
    title = models.CharField(_("事由"), max_length=120)
    narrative = models.TextField(_("民情记述"), max_length=5000)
    analysis = models.TextField(_("原因分析"), max_length=3000, blank=True)
    comment = models.TextField(_("评述"), max_length=3000, blank=True)
    measures = models.TextField(_("建议措施"), max_length=3000, blank=True)
    result = models.TextField(_("办理结果"), max_length=3000, blank=True)
    result_at = models.DateTimeField(_("结果记录时间"), null=True, blank=True)
    case = models.ForeignKey(
        Case,
        verbose_name=_("转办的民情事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="diary_entries",
    )
    reviewed_by = models.ForeignKey(
        "org.User",
        verbose_name=_("审阅人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审阅时间"), null=True, blank=True)
    review_comment = models.TextField(_("审阅意见"), max_length=2000, blank=True)
    # The device's draft key: a draft sent twice after a lost connection is stored once.
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("填写时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NodeScoped.as_manager()

    class Meta:
        verbose_name = _("民情日记")
        verbose_name_plural = _("民情日记")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["author", "date"], name="fieldwork_diary_author_date")]

    def __str__(self) -> str:
        return self.title


class FollowUpQuerySet(ParentScopedQuerySet):
    scope_parents = ("entry",)


class DiaryFollowUp(models.Model):
    """跟踪记录: what happened next, appended until the result is recorded."""

    entry = models.ForeignKey(
        DiaryEntry, verbose_name=_("日记"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    date = models.DateField(_("日期"))
    text = models.TextField(_("跟踪情况"), max_length=3000)
    author = models.ForeignKey(
        "org.User", verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("跟踪记录")
        verbose_name_plural = _("跟踪记录")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.entry} {self.date}"


class VisitForm(models.TextChoices):
    """Seed 004's four forms of visit."""

    FIXED = "fixed", _("定点接访")
    APPOINTMENT = "appointment", _("重点约访")
    HOME = "home", _("主动家访")
    RETURN = "return", _("定期回访")


class Visit(models.Model):
    """民情家访日志: who went, when, to which households, what was heard and promised."""

    visitor = models.ForeignKey(
        "org.User", verbose_name=_("走访人"), on_delete=models.PROTECT, related_name="visits"
    )
    node = models.ForeignKey(
        Node, verbose_name=_("地点(辖区)"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("日期"))
    form = models.CharField(_("形式"), max_length=16, choices=VisitForm.choices)
    households = models.ManyToManyField(Household, verbose_name=_("走访的户"), blank=True)
    # The four contents (摸清实情、理顺心情、解决难情、排查隐情), ticked as covered.
    facts = models.BooleanField(_("摸清实情"), default=False)
    feelings = models.BooleanField(_("理顺心情"), default=False)
    difficulties = models.BooleanField(_("解决难情"), default=False)
    hidden_risks = models.BooleanField(_("排查隐情"), default=False)
    heard = models.TextField(_("群众反映"), max_length=5000, blank=True)
    promised = models.TextField(_("承诺事项"), max_length=3000, blank=True)
    residence_day = models.BooleanField(_("住村日"), default=False)
    cases = models.ManyToManyField(Case, verbose_name=_("转为民情事项"), blank=True)
    plan = models.ForeignKey(
        "fieldwork.VisitPlan",
        verbose_name=_("对应的走访安排"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NodeScoped.as_manager()

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["visitor", "date"], name="fieldwork_visit_who_date")]

    def __str__(self) -> str:
        return f"{self.visitor} {self.date}"


class FieldPhotoQuerySet(ParentScopedQuerySet):
    # A photo belongs to one visit or one diary entry (the check constraint below).
    scope_parents = ("visit", "entry")


class FieldPhoto(models.Model):
    """A photo taken in the field, on one visit or one diary entry. Like case attachments
    the file lives under MEDIA_ROOT (the var dir), re-encoded without EXIF/GPS, and is
    served only through the scoped view `field_photo`, never by URL."""

    visit = models.ForeignKey(
        Visit,
        verbose_name=_("走访记录"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
    )
    entry = models.ForeignKey(
        DiaryEntry,
        verbose_name=_("民情日记"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
    )
    file = models.FileField(upload_to="fieldwork/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=120)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = FieldPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visit__isnull=False, entry__isnull=True)
                | Q(visit__isnull=True, entry__isnull=False),
                name="fieldwork_photo_one_record",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class VisitPlan(models.Model):
    """家访公告 / 接访公示: who comes, on what duty, when and where — shown publicly."""

    visitor = models.ForeignKey(
        "org.User", verbose_name=_("走访(接访)人"), on_delete=models.PROTECT, related_name="+"
    )
    node = models.ForeignKey(
        Node, verbose_name=_("地点(辖区)"), on_delete=models.PROTECT, related_name="+"
    )
    form = models.CharField(_("形式"), max_length=16, choices=VisitForm.choices)
    starts_at = models.DateTimeField(_("时间"))
    place = models.CharField(_("地点"), max_length=200)
    duty = models.CharField(_("职务与接访事项"), max_length=200)
    public = models.BooleanField(_("公示"), default=True)
    created_by = models.ForeignKey(
        "org.User", verbose_name=_("安排人"), on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NodeScoped.as_manager()

    class Meta:
        verbose_name = _("走访安排")
        verbose_name_plural = _("走访安排")
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.visitor} {self.starts_at:%Y-%m-%d}"


class TalkDay(models.Model):
    """One opening of a village's talk point (百姓说事点); the quarter's last is 评事日."""

    node = models.ForeignKey(
        Node, verbose_name=_("村(社区)"), on_delete=models.PROTECT, related_name="talk_days"
    )
    date = models.DateField(_("日期"))
    on_duty = models.ManyToManyField("org.User", verbose_name=_("值班干部"), blank=True)
    evaluation = models.BooleanField(_("评事日"), default=False)
    note = models.TextField(_("说事记录"), max_length=3000, blank=True)

    objects = NodeScoped.as_manager()

    class Meta:
        verbose_name = _("说事日")
        verbose_name_plural = _("说事日")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["node", "date"], name="fieldwork_talkday_unique")
        ]

    def __str__(self) -> str:
        return f"{self.node} {self.date}"


class TalkPace(models.TextChoices):
    IMMEDIATE = "immediate", _("即时办理")
    STAGED = "staged", _("分步办理")


class TalkLevel(models.TextChoices):
    VILLAGE = "village", _("村内解决")
    HIGHER = "higher", _("需上级解决(代理)")


class DecisionLevel(models.TextChoices):
    """Seed 004: who decides, by the matter's size."""

    MAIN_CADRES = "main_cadres", _("主要干部商定")
    TWO_COMMITTEES = "two_committees", _("两委会议")
    JOINT_COUNCIL = "joint_council", _("干部、党员、村民代表联席会议")
    ALL_VILLAGERS = "all_villagers", _("全体村民表决")


class TalkItemQuerySet(ParentScopedQuerySet):
    scope_parents = ("talk_day",)


class TalkItem(models.Model):
    """One line of the talk register (说事登记簿), sorted (议事) and handled (办事)."""

    talk_day = models.ForeignKey(
        TalkDay, verbose_name=_("说事日"), on_delete=models.CASCADE, related_name="items"
    )
    speaker = models.CharField(_("说事人"), max_length=40, blank=True)
    household = models.ForeignKey(
        Household, verbose_name=_("户"), null=True, blank=True, on_delete=models.SET_NULL
    )
    text = models.TextField(_("所说事项"), max_length=3000)
    pace = models.CharField(_("办理方式"), max_length=16, choices=TalkPace.choices, blank=True)
    level = models.CharField(_("解决层级"), max_length=16, choices=TalkLevel.choices, blank=True)
    decision = models.CharField(
        _("决策层级"), max_length=16, choices=DecisionLevel.choices, blank=True
    )
    responsible = models.ForeignKey(
        "org.User",
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    promise = models.CharField(_("承诺及期限"), max_length=200, blank=True)
    case = models.ForeignKey(
        Case, verbose_name=_("转为民情事项"), null=True, blank=True, on_delete=models.SET_NULL
    )
    meeting_item = models.BooleanField(_("提交会议议事"), default=False)
    # 评事: rated at the quarter's evaluation day by Party members and representatives.
    rating = models.CharField(_("评事结果"), max_length=16, blank=True)
    rating_note = models.CharField(_("评事意见"), max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TalkItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("说事登记")
        verbose_name_plural = _("说事登记")
        ordering = ["talk_day", "id"]

    def __str__(self) -> str:
        return self.text[:30]


class Reception(models.Model):
    """A deputies' office reception (两代表工作室接待) or a deputy's visit to residents."""

    deputy = models.ForeignKey(
        "org.User", verbose_name=_("代表"), on_delete=models.PROTECT, related_name="receptions"
    )
    node = models.ForeignKey(
        Node, verbose_name=_("工作室所在地"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("日期"))
    collective = models.BooleanField(_("集中接待"), default=False)
    visitors = models.PositiveIntegerField(_("接待群众(人次)"), default=0)
    record = models.TextField(_("接待记录"), max_length=5000)
    cases = models.ManyToManyField(Case, verbose_name=_("转为民情事项"), blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NodeScoped.as_manager()

    class Meta:
        verbose_name = _("代表接待")
        verbose_name_plural = _("代表接待")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.deputy} {self.date}"
