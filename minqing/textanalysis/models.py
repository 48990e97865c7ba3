"""民情分析: county settings, trained models and their versions, training examples, category
confirmations, urgency word lists and daily hot spots."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.cases.models import Case, Category, MustReport, Urgency
from minqing.org.models import Node
from minqing.org.scoping import CountyQuerySet, ParentScopedQuerySet, ScopedQuerySet


class InsightRules(models.Model):
    """A county's text-analysis settings. Absent row = the defaults below."""

    county = models.OneToOneField(
        Node, verbose_name=_("县(区)"), on_delete=models.CASCADE, related_name="insight_rules"
    )
    # Hot spots (issue 7 §5): matters of one topic in one place within a window.
    hotspot_window_days = models.PositiveIntegerField(
        _("热点统计窗口(天)"), default=14, validators=[MinValueValidator(1)]
    )
    # A "cluster" of one matter is no hot spot; a threshold of 0 would alert on everything.
    hotspot_min_cases = models.PositiveIntegerField(
        _("热点最少事项数"), default=3, validators=[MinValueValidator(2)]
    )
    hotspot_alert_heat = models.FloatField(
        _("热点预警热度阈值"), default=10.0, validators=[MinValueValidator(1.0)]
    )
    # Similar matters: closed matters stay comparable this long (open ones always).
    similar_recent_days = models.PositiveIntegerField(
        _("相似事项回溯(天)"), default=90, validators=[MinValueValidator(1)]
    )
    # Words jieba must keep whole (place names, local terms), one per line.
    custom_words = models.TextField(_("自定义词(每行一个)"), blank=True)
    # Words that carry no topic for keyword trends, one per line, on top of the built-in list.
    stop_words = models.TextField(_("停用词(每行一个)"), blank=True)
    min_training_cases = models.PositiveIntegerField(
        _("训练所需最少样本数"), default=30, validators=[MinValueValidator(10)]
    )

    objects = CountyQuerySet.as_manager()

    class Meta:
        verbose_name = _("民情分析设置")
        verbose_name_plural = _("民情分析设置")

    def __str__(self) -> str:
        return str(self.county)

    def custom_word_list(self) -> list[str]:
        return _lines(self.custom_words)

    def stop_word_list(self) -> list[str]:
        return _lines(self.stop_words)


def _lines(text: str) -> list[str]:
    return [w.strip() for w in text.splitlines() if w.strip()]


class ModelKind(models.TextChoices):
    CATEGORY = "category", _("分类建议")
    ROUTING = "routing", _("交办建议")
    URGENCY = "urgency", _("紧急识别")


class ModelStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    TRAINING = "training", _("训练中")
    READY = "ready", _("可用")
    FAILED = "failed", _("失败")


class TextModel(models.Model):
    """One trained model version. The file lives under MINQING_MODEL_DIR; the row keeps its
    evaluation, so a county can compare versions and roll back to an earlier one."""

    county = models.ForeignKey(
        Node, verbose_name=_("县(区)"), on_delete=models.CASCADE, related_name="text_models"
    )
    kind = models.CharField(_("模型类型"), max_length=16, choices=ModelKind.choices)
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(
        _("状态"), max_length=16, choices=ModelStatus.choices, default=ModelStatus.QUEUED
    )
    active = models.BooleanField(_("在用"), default=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    n_train = models.PositiveIntegerField(_("训练样本数"), default=0)
    labels = models.JSONField(_("类别"), default=list, blank=True)
    evaluation = models.JSONField(_("评估结果"), default=dict, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(_("错误信息"), blank=True)

    objects = CountyQuerySet.as_manager()

    class Meta:
        verbose_name = _("分析模型")
        verbose_name_plural = _("分析模型")
        ordering = ["county", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "kind", "version"], name="textanalysis_model_version"
            ),
            models.UniqueConstraint(
                fields=["county", "kind"],
                condition=models.Q(active=True),
                name="textanalysis_one_active_model",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"

    @property
    def method_label(self) -> str:
        """How the version was evaluated, for the county admin."""
        method = str(self.evaluation.get("method", ""))
        if method.endswith("-fold"):
            return _("%(k)s 折交叉验证") % {"k": method.removesuffix("-fold")}
        if method.startswith("holdout"):
            return str(_("留出五分之一样本验证"))
        if method == "none":
            return str(_("样本太少，未评估"))
        return "—"

    @property
    def macro_f1(self) -> float | None:
        value = self.evaluation.get("macro_f1")
        return float(value) if value is not None else None


class ExampleSource(models.TextChoices):
    IMPORT = "import", _("导入")
    DEMO = "demo", _("演示")


class LabelledExample(models.Model):
    """A labelled message a county imported to start its models before it has confirmed
    cases of its own. The label is a category of the county's tree."""

    county = models.ForeignKey(
        Node, verbose_name=_("县(区)"), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=200, blank=True)
    detail = models.TextField(_("内容"), blank=True)
    category = models.ForeignKey(Category, verbose_name=_("分类"), on_delete=models.CASCADE)
    source = models.CharField(
        _("来源"), max_length=16, choices=ExampleSource.choices, default=ExampleSource.IMPORT
    )
    batch = models.CharField(_("导入批次"), max_length=64, blank=True)
    # Same text and label imported twice is stored once (re-running an import is harmless).
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CountyQuerySet.as_manager()

    class Meta:
        verbose_name = _("标注样本")
        verbose_name_plural = _("标注样本")
        constraints = [
            models.UniqueConstraint(fields=["county", "digest"], name="textanalysis_example_once")
        ]

    def __str__(self) -> str:
        return self.title or self.detail[:30]


class ConfirmationQuerySet(ParentScopedQuerySet):
    scope_parents = ("case",)


class CategoryConfirmation(models.Model):
    """Staff confirmed or corrected a case's category: the training data of the county's
    category model. What was suggested is kept, so acceptance can be measured."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="category_confirmation"
    )
    category = models.ForeignKey(Category, verbose_name=_("分类"), on_delete=models.CASCADE)
    suggested = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    model = models.ForeignKey(TextModel, null=True, blank=True, on_delete=models.SET_NULL)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(default=timezone.now)

    objects = ConfirmationQuerySet.as_manager()

    class Meta:
        verbose_name = _("分类确认")
        verbose_name_plural = _("分类确认")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.category_id}"

    @property
    def accepted(self) -> bool:
        return self.suggested_id == self.category_id


class UrgencyTerm(models.Model):
    """A county-editable word or phrase that flags a matter as urgent or as 十必报."""

    county = models.ForeignKey(
        Node, verbose_name=_("县(区)"), on_delete=models.CASCADE, related_name="urgency_terms"
    )
    phrase = models.CharField(_("词语"), max_length=40)
    urgency = models.CharField(
        _("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.URGENT
    )
    must_report = models.CharField(
        _("十必报类型"), max_length=24, choices=MustReport.choices, blank=True
    )
    reason = models.CharField(_("提示理由"), max_length=120)
    active = models.BooleanField(_("启用"), default=True)

    objects = CountyQuerySet.as_manager()

    class Meta:
        verbose_name = _("紧急与十必报词语")
        verbose_name_plural = _("紧急与十必报词语")
        ordering = ["county", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["county", "phrase"], name="textanalysis_term_once")
        ]

    def __str__(self) -> str:
        return self.phrase


class HotSpotStatus(models.TextChoices):
    WATCH = "watch", _("关注")
    ALERT = "alert", _("预警")
    HANDLED = "handled", _("已研判")


class HotSpotQuerySet(ScopedQuerySet):
    # The cluster's place, not its county: a township sees its own villages' hot spots.
    scope_path_field = "node__path"


class HotSpot(models.Model):
    """A cluster of matters on one topic in one place within a time window, with its heat.
    Recomputed by the daily job; a cluster keeps its row (by `key`) from day to day. A
    cluster the job no longer finds is kept, inactive, as history (heat as last seen)."""

    county = models.ForeignKey(
        Node, verbose_name=_("县(区)"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=64)
    node = models.ForeignKey(
        Node, verbose_name=_("所在地"), on_delete=models.CASCADE, related_name="hot_spots"
    )
    topic = models.CharField(_("主题"), max_length=120)
    keywords = models.JSONField(_("关键词"), default=list)
    window_start = models.DateField(_("起始日期"))
    window_end = models.DateField(_("截止日期"))
    case_count = models.PositiveIntegerField(_("事项数"), default=0)
    household_count = models.PositiveIntegerField(_("涉及户数"), default=0)
    place_count = models.PositiveIntegerField(_("涉及地点数"), default=0)
    previous_count = models.PositiveIntegerField(_("前一窗口事项数"), default=0)
    growth = models.FloatField(_("增长"), default=0.0)
    support = models.PositiveIntegerField(_("附议数"), default=0)
    heat = models.FloatField(_("热度"), default=0.0)
    heat_parts = models.JSONField(_("热度构成"), default=dict, blank=True)
    peak_heat = models.FloatField(_("最高热度"), default=0.0)
    # Found by the latest run of the daily job; False = cooled down (kept as history).
    active = models.BooleanField(_("当前热点"), default=True)
    last_seen = models.DateField(_("最近发现日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=HotSpotStatus.choices, default=HotSpotStatus.WATCH
    )
    series = models.JSONField(_("每日事项数"), default=list)  # [[YYYY-MM-DD, n], …]
    agenda = models.TextField(_("分析会议题建议"), blank=True)
    cases = models.ManyToManyField(Case, verbose_name=_("事项"), related_name="hot_spots")
    first_seen = models.DateTimeField(_("首次发现"), default=timezone.now)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)
    alerted_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    handled_at = models.DateTimeField(_("研判时间"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("研判人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_note = models.TextField(_("研判意见"), blank=True)

    objects = HotSpotQuerySet.as_manager()

    class Meta:
        verbose_name = _("热点")
        verbose_name_plural = _("热点")
        ordering = ["-heat", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["county", "key"], name="textanalysis_hotspot_key")
        ]
        indexes = [models.Index(fields=["county", "-heat"], name="textanalysis_hot_heat_idx")]

    def __str__(self) -> str:
        return self.topic
