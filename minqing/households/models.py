"""Households (户) and their members (居民): the registry that cases and visits refer to.

The issue on households extends this with tags, contact-household assignment and cards;
this module holds what the foundation needs: who lives where, scoped by the tree.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.lib.idcard import id_number_problem
from minqing.lib.masking import ID_TAIL_MAX, birth_year, mask_id_number, mask_phone
from minqing.org.models import Node
from minqing.org.roles import Role
from minqing.org.scoping import CountyQuerySet, ScopedQuerySet


class HouseholdQuerySet(ScopedQuerySet):
    scope_path_field = "group__path"
    # Department handlers see residents only through the cases sent to them.
    excluded_roles = frozenset({Role.DEPT_HANDLER, Role.DEPUTY})


class Household(models.Model):
    code = models.CharField(_("户编号"), max_length=24, unique=True)
    group = models.ForeignKey(
        Node,
        verbose_name=_("所属村民小组(网格)"),
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"level": "group"},
    )
    address = models.CharField(_("住址"), max_length=200)
    head_name = models.CharField(_("户主姓名"), max_length=40)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    tags = models.ManyToManyField("households.Tag", verbose_name=_("标签"), blank=True)
    # 四知四清 (seed 004): what a cadre is expected to know about the household.
    basic_situation = models.TextField(_("基本情况"), blank=True, max_length=2000, db_default="")
    economy = models.TextField(_("经济与就业"), blank=True, max_length=2000, db_default="")
    key_persons = models.TextField(_("重点人员"), blank=True, max_length=2000, db_default="")
    migrants = models.TextField(_("流动人口"), blank=True, max_length=2000, db_default="")
    hardship = models.TextField(_("困难情况"), blank=True, max_length=2000, db_default="")
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.head_name}户 ({self.code})"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Relationship(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class ResidentQuerySet(ScopedQuerySet):
    scope_path_field = "household__group__path"
    excluded_roles = HouseholdQuerySet.excluded_roles


def validate_id_number(value: str) -> None:
    problem = id_number_problem(value)
    if problem:
        raise ValidationError(problem)


class Resident(models.Model):
    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("姓名"), max_length=40)
    relationship = models.CharField(_("与户主关系"), max_length=16, choices=Relationship.choices)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = models.CharField(
        _("身份证号码"),
        max_length=18,
        blank=True,
        db_index=True,
        validators=[validate_id_number],
    )
    phone = models.CharField(_("手机号码"), max_length=20, blank=True, db_index=True)
    # db_default: the demo loader and bulk imports insert raw rows without these columns.
    is_party_member = models.BooleanField(_("中共党员"), default=False, db_default=False)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["household_id", "id"]
        constraints = [
            # One person, one registry entry; blank means "not yet collected".
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~models.Q(id_number=""),
                name="households_resident_unique_id_number",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        county_path = self.household.group.path[:6]
        return mask_id_number(self.id_number, keep_tail=ContactRules.id_mask_tail_for(county_path))

    @property
    def birth_year(self) -> str:
        """All a masked page shows of the birth date (the full date completes a mask)."""
        return birth_year(self.birth_date)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class TagKind(models.TextChoices):
    TARGET_GROUP = "target_group", _("四类对象")
    CONTACT_TYPE = "contact_type", _("联系户类型")
    OTHER = "other", _("其他标签")


# Seed 000 (四类对象) and seed 001 (联系户 types). A county adds its own in the admin.
DEFAULT_TAGS: tuple[tuple[str, str, str], ...] = (
    (TagKind.TARGET_GROUP, "hardship", "困难户"),
    (TagKind.TARGET_GROUP, "special", "特殊群体"),
    (TagKind.TARGET_GROUP, "relocated", "拆迁户"),
    (TagKind.TARGET_GROUP, "migrant", "外来务工人员"),
    (TagKind.CONTACT_TYPE, "old_party_member", "老党员"),
    (TagKind.CONTACT_TYPE, "retired_cadre", "老干部"),
    (TagKind.CONTACT_TYPE, "self_employed", "个体工商户"),
    (TagKind.CONTACT_TYPE, "tech_demo", "科技示范户"),
    (TagKind.CONTACT_TYPE, "petitioner", "上访户"),
)


class Tag(models.Model):
    """A county's household tag: the four target groups, contact-household types, its own."""

    county = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="household_tags")
    kind = models.CharField(_("类别"), max_length=16, choices=TagKind.choices)
    code = models.CharField(_("编码"), max_length=40)
    name = models.CharField(_("名称"), max_length=40)

    objects = CountyQuerySet.as_manager()

    class Meta:
        verbose_name = _("户标签")
        verbose_name_plural = _("户标签")
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["county", "code"], name="households_tag_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


PROFILE_FIELDS = ("basic_situation", "economy", "key_persons", "migrants", "hardship")


class QuotaRule(models.TextChoices):
    POPULATION = "population", _("按挂联村人口(民情联系户制度)")
    RANK = "rank", _("按职级(科级5户、一般干部3户)")


class ContactRules(models.Model):
    """A county's contact-household and card rules. Absent row = the documented defaults.

    Seed 001: 10 / 15 / 20 households by village population (< 500, 500–1000, > 1000),
    department leaders at least 2. Seed 003's alternative: 科级 5, others 3.
    """

    county = models.OneToOneField(
        Node, verbose_name=_("县(区)"), on_delete=models.CASCADE, related_name="contact_rules"
    )
    quota_rule = models.CharField(
        _("联系户数量规则"), max_length=16, choices=QuotaRule.choices, default=QuotaRule.POPULATION
    )
    small_village_below = models.PositiveIntegerField(_("小村人口上限(不含)"), default=500)
    large_village_above = models.PositiveIntegerField(_("大村人口下限(不含)"), default=1000)
    quota_small = models.PositiveIntegerField(_("小村联系户数"), default=10)
    quota_medium = models.PositiveIntegerField(_("中等村联系户数"), default=15)
    quota_large = models.PositiveIntegerField(_("大村联系户数"), default=20)
    department_leader_min = models.PositiveIntegerField(_("部门领导至少联系户数"), default=2)
    section_rank_quota = models.PositiveIntegerField(_("科级及以上干部联系户数"), default=5)
    general_rank_quota = models.PositiveIntegerField(_("一般干部联系户数"), default=3)
    hotline = models.CharField(_("联络服务专线"), max_length=40, blank=True)
    card_issue_target = models.PositiveIntegerField(_("联系卡发放率目标(%)"), default=99)
    # The card exists to publish these numbers (seed 000: 联络员手机24小时开通); a county
    # may still decide to print them masked. Everywhere else they are masked for roles
    # that may not reveal residents' numbers.
    card_shows_network_phones = models.BooleanField(
        _("联系卡公开网络成员手机号"),
        default=True,
        help_text=_(
            "选中时，组长、成员、联户党员和联络员的完整手机号印在联系卡及其扫码页上；"
            "其他页面对无查看权限的角色一律脱敏显示。"
        ),
    )
    id_mask_tail = models.PositiveSmallIntegerField(
        _("身份证号脱敏保留末尾位数"),
        default=ID_TAIL_MAX,
        validators=[MaxValueValidator(ID_TAIL_MAX)],
        help_text=_("0–4 位；其余各位一律以 * 显示。"),
    )

    objects = CountyQuerySet.as_manager()

    class Meta:
        verbose_name = _("联系户、联系卡与隐私规则")
        verbose_name_plural = _("联系户、联系卡与隐私规则")

    def __str__(self) -> str:
        return str(self.county)

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        cache.delete(_mask_tail_key(self.county.path))

    @staticmethod
    def id_mask_tail_for(county_path: str) -> int:
        """The county's mask width, cached briefly: every masked row asks for it."""
        key = _mask_tail_key(county_path)
        tail = cache.get(key)
        if tail is None:
            tail = (
                ContactRules.objects.filter(county__path=county_path)
                .values_list("id_mask_tail", flat=True)
                .first()
            )
            tail = ID_TAIL_MAX if tail is None else tail
            cache.set(key, tail, 60)
        return int(tail)


def _mask_tail_key(county_path: str) -> str:
    return f"minqing:id-mask-tail:{county_path}"


class ContactAssignmentQuerySet(ScopedQuerySet):
    scope_path_field = "household__group__path"
    excluded_roles = HouseholdQuerySet.excluded_roles

    def active(self) -> ContactAssignmentQuerySet:
        return self.filter(ended_at__isnull=True)


class ContactAssignment(models.Model):
    """联系户: a household a named cadre keeps in touch with (登记在联系户登记表)."""

    cadre = models.ForeignKey(
        "org.User",
        verbose_name=_("联系干部"),
        on_delete=models.PROTECT,
        related_name="contact_assignments",
    )
    household = models.ForeignKey(
        Household, verbose_name=_("联系户"), on_delete=models.CASCADE, related_name="contacts"
    )
    assigned_by = models.ForeignKey(
        "org.User", verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    ended_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    ended_by = models.ForeignKey(
        "org.User",
        verbose_name=_("解除人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ContactAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("联系户登记")
        verbose_name_plural = _("联系户登记")
        ordering = ["-assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "household"],
                condition=models.Q(ended_at__isnull=True),
                name="households_contact_unique_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cadre} — {self.household}"


class GroupPostKind(models.TextChoices):
    LEADER = "leader", _("组长")
    MEMBER = "member", _("成员")
    PARTY_LINK = "party_link", _("联户党员")


class GroupPostQuerySet(ScopedQuerySet):
    scope_path_field = "group__path"


class GroupPost(models.Model):
    """A person on a group's liaison network: its leader, members, linked Party members."""

    group = models.ForeignKey(
        Node,
        verbose_name=_("村民小组(网格)"),
        on_delete=models.CASCADE,
        related_name="network_posts",
        limit_choices_to={"level": "group"},
    )
    kind = models.CharField(_("网络职责"), max_length=16, choices=GroupPostKind.choices)
    name = models.CharField(_("姓名"), max_length=40)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    duties = models.CharField(_("职责"), max_length=200, blank=True)
    resident = models.ForeignKey(
        Resident,
        verbose_name=_("对应居民"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="network_posts",
    )
    # 联户党员: the households this Party member is linked to; empty = the whole group.
    linked_households = models.ManyToManyField(
        Household, verbose_name=_("联系的户"), blank=True, related_name="party_links"
    )

    objects = GroupPostQuerySet.as_manager()

    class Meta:
        verbose_name = _("小组网络成员")
        verbose_name_plural = _("小组网络成员")
        ordering = ["group__code", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class LiaisonBackground(models.TextChoices):
    OLD_PARTY_MEMBER = "old_party_member", _("老党员")
    RETIRED_CADRE = "retired_cadre", _("退休干部")
    DEPUTY = "deputy", _("人大代表/党代表")
    VETERAN = "veteran", _("退役军人")
    GROUP_LEADER = "group_leader", _("村民小组长")
    OTHER = "other", _("其他")


class LiaisonQuerySet(ScopedQuerySet):
    scope_path_field = "group__path"

    def active(self) -> LiaisonQuerySet:
        return self.filter(ended_on__isnull=True)


class Liaison(models.Model):
    """民情民意联络员: at least one per villager group, appointed with a letter (聘书)."""

    group = models.ForeignKey(
        Node,
        verbose_name=_("村民小组(网格)"),
        on_delete=models.PROTECT,
        related_name="liaisons",
        limit_choices_to={"level": "group"},
    )
    name = models.CharField(_("姓名"), max_length=40)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20)
    background = models.CharField(_("人员类别"), max_length=24, choices=LiaisonBackground.choices)
    duties = models.TextField(_("职责"), max_length=1000, blank=True)
    resident = models.ForeignKey(
        Resident,
        verbose_name=_("对应居民"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="liaison_posts",
    )
    user = models.ForeignKey(
        "org.User",
        verbose_name=_("系统账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="liaison_posts",
    )
    letter_number = models.CharField(_("聘书编号"), max_length=40, unique=True)
    appointed_on = models.DateField(_("聘任日期"))
    term_until = models.DateField(_("聘期至"), null=True, blank=True)
    appointed_by = models.ForeignKey(
        "org.User", verbose_name=_("聘任登记人"), on_delete=models.PROTECT, related_name="+"
    )
    ended_on = models.DateField(_("解聘日期"), null=True, blank=True)
    end_reason = models.CharField(_("解聘原因"), max_length=200, blank=True)

    objects = LiaisonQuerySet.as_manager()

    class Meta:
        verbose_name = _("民情联络员")
        verbose_name_plural = _("民情联络员")
        ordering = ["group__code", "-appointed_on"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class ContactCardQuerySet(ScopedQuerySet):
    scope_path_field = "household__group__path"
    excluded_roles = HouseholdQuerySet.excluded_roles

    def current(self) -> ContactCardQuerySet:
        return self.filter(voided_at__isnull=True)


class ContactCard(models.Model):
    """民情联系卡 (连心卡): one current card per household, its QR token, and its issuance."""

    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.CASCADE, related_name="cards"
    )
    # Printed in the QR code's URL: short, ASCII, unguessable; names nobody by itself.
    token = models.CharField(_("卡号"), max_length=16, unique=True)
    created_at = models.DateTimeField(_("制卡时间"), auto_now_add=True)
    printed_at = models.DateTimeField(_("最近打印时间"), null=True, blank=True)
    issued_at = models.DateTimeField(_("发放时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        "org.User",
        verbose_name=_("发放人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_by = models.CharField(_("签收人"), max_length=40, blank=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    objects = ContactCardQuerySet.as_manager()

    class Meta:
        verbose_name = _("民情联系卡")
        verbose_name_plural = _("民情联系卡")
        ordering = ["household__code", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(voided_at__isnull=True),
                name="households_card_one_current",
            )
        ]

    def __str__(self) -> str:
        return self.token
