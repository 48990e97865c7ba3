"""Households (户) and their members (居民): the registry that cases and visits refer to.

The issue on households extends this with tags, contact-household assignment and cards;
this module holds what the foundation needs: who lives where, scoped by the tree.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.lib.idcard import id_number_problem
from minqing.lib.masking import mask_id_number, mask_phone
from minqing.org.models import Node
from minqing.org.roles import Role
from minqing.org.scoping import ScopedQuerySet


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
        return mask_id_number(self.id_number)

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

    class Meta:
        verbose_name = _("户标签")
        verbose_name_plural = _("户标签")
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["county", "code"], name="households_tag_unique_code")
        ]

    def __str__(self) -> str:
        return self.name
