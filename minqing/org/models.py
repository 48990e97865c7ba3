"""The jurisdiction tree, the units that receive cases, and the staff who work in them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.org.roles import Rank, Role
from minqing.org.scoping import ScopedQuerySet, under, user_scope_path, within


class Level(models.TextChoices):
    COUNTY = "county", _("县(区)")
    TOWNSHIP = "township", _("乡镇(街道)")
    VILLAGE = "village", _("村(社区)")
    GROUP = "group", _("村民小组(网格)")


# Administrative-division codes are positional: 6 digits name the county, 3 more the
# township, 3 more the village (the 12-digit national code). Groups have no national code,
# so they extend their village's code by 3 digits. The significant prefix of a node's code
# is its `path`, and a subtree is a prefix of it (`org.scoping.under`).
PATH_WIDTH: dict[str, int] = {
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
    Level.GROUP: 15,
}
CODE_LENGTH: dict[str, int] = {
    Level.COUNTY: 12,
    Level.TOWNSHIP: 12,
    Level.VILLAGE: 12,
    Level.GROUP: 15,
}
CHILD_LEVEL: dict[str, str | None] = {
    Level.COUNTY: Level.TOWNSHIP,
    Level.TOWNSHIP: Level.VILLAGE,
    Level.VILLAGE: Level.GROUP,
    Level.GROUP: None,
}

digits_only = RegexValidator(r"^\d+$", _("编码只能由数字组成。"))


class NodeQuerySet(ScopedQuerySet):
    scope_path_field = "path"

    def subtree(self, node: Node) -> NodeQuerySet:
        return self.filter(under(node))


class Node(models.Model):
    """A place in the tree: county → township (街道) → village (社区) → group (网格)."""

    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    code = models.CharField(_("区划代码"), max_length=15, unique=True, validators=[digits_only])
    path = models.CharField(_("路径"), max_length=15, editable=False)
    name = models.CharField(_("名称"), max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    population = models.PositiveIntegerField(_("户籍人口"), default=0)
    household_count = models.PositiveIntegerField(_("户数"), default=0)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # 片区: townships group their villages into zones on the network map (seed 000 item 3).
    zone = models.CharField(_("所属片区"), max_length=40, blank=True)

    objects = NodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("辖区节点")
        verbose_name_plural = _("辖区节点")
        ordering = ["code"]
        indexes = [
            # varchar_pattern_ops lets PostgreSQL use the index for LIKE 'prefix%';
            # other backends ignore opclasses.
            models.Index(
                fields=["path"], name="org_node_path_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["level", "path"], name="org_node_level_path_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.path = self.code[: PATH_WIDTH[self.level]]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        expected = CODE_LENGTH.get(self.level)
        if expected and len(self.code or "") != expected:
            raise ValidationError(
                {"code": _("该层级的区划代码应为 %(n)d 位数字。") % {"n": expected}}
            )
        if self.level == Level.COUNTY:
            if self.parent_id:
                raise ValidationError({"parent": _("县(区)不能有上级节点。")})
            return
        if self.parent is None:
            raise ValidationError({"parent": _("请选择上级节点。")})
        if CHILD_LEVEL[self.parent.level] != self.level:
            raise ValidationError({"parent": _("上级节点的层级不对。")})
        if not self.code.startswith(self.parent.path):
            raise ValidationError({"code": _("区划代码必须以上级节点的代码开头。")})

    @property
    def child_level(self) -> str | None:
        return CHILD_LEVEL[self.level]

    def ancestors(self) -> list[Node]:
        """From the county down to the parent: cheap because the tree is shallow."""
        chain: list[Node] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def is_within(self, other: Node) -> bool:
        return within(self, other)


class UnitKind(models.TextChoices):
    CENTER = "center", _("联络服务中心")
    STATION = "station", _("联络服务站")
    DEPARTMENT = "department", _("县直部门")
    OFFICE = "office", _("县级办公室")


class UnitQuerySet(ScopedQuerySet):
    scope_path_field = "node__path"

    def for_user(self, user: Any) -> UnitQuerySet:
        """Units in the user's subtree, the units above it (where matters are escalated),
        and the county's departments and offices (which receive and supervise cases from
        everywhere in the county)."""
        path = user_scope_path(user)
        if path is None:
            return self.none()
        above = [path[:width] for width in PATH_WIDTH.values() if width < len(path)]
        county = path[: PATH_WIDTH[Level.COUNTY]]
        return self.filter(
            under(path, "node__path")
            | models.Q(node__path__in=above)
            | models.Q(kind__in=[UnitKind.DEPARTMENT, UnitKind.OFFICE], node__path=county)
        )


class Unit(models.Model):
    """An office that can receive and handle cases: a center, a station or a department."""

    kind = models.CharField(_("类型"), max_length=16, choices=UnitKind.choices)
    name = models.CharField(_("名称"), max_length=80)
    short_name = models.CharField(_("简称"), max_length=20, blank=True)
    node = models.ForeignKey(
        Node, verbose_name=_("所在辖区"), on_delete=models.PROTECT, related_name="units"
    )
    head = models.ForeignKey(
        "org.User",
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_units",
    )
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    receives_cases = models.BooleanField(_("可承办民情事项"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["node__code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["node", "name"], name="org_unit_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class StaffQuerySet(ScopedQuerySet):
    scope_path_field = "node__path"

    def for_user(self, user: object) -> StaffQuerySet:
        # A department handler works inside a department, not a territory: colleagues only.
        if getattr(user, "is_authenticated", False) and user.role == Role.DEPT_HANDLER:  # type: ignore[attr-defined]
            if not user.is_active or user.unit_id is None:  # type: ignore[attr-defined]
                return self.none()
            return self.filter(unit_id=user.unit_id)  # type: ignore[attr-defined]
        return super().for_user(user)


class StaffManager(UserManager.from_queryset(StaffQuerySet)):  # type: ignore[misc]
    pass


phone_validator = RegexValidator(r"^[0-9+\- ]{5,20}$", _("请输入有效的电话号码。"))


class User(AbstractUser):
    """A staff user (干部). Residents never sign in here; they use the portal."""

    name = models.CharField(_("姓名"), max_length=40, blank=True)
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, blank=True)
    rank = models.CharField(_("职级"), max_length=16, choices=Rank.choices, blank=True)
    post = models.CharField(_("职务"), max_length=60, blank=True)
    node = models.ForeignKey(
        Node,
        verbose_name=_("所在辖区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    phone = models.CharField(_("手机号码"), max_length=20, blank=True, validators=[phone_validator])
    # 挂联村: the village a township cadre or department leader takes contact households in;
    # its population sets their quota (seed 001).
    linked_village = models.ForeignKey(
        Node,
        verbose_name=_("挂联村(社区)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="linked_cadres",
        limit_choices_to={"level": "village"},
    )
    # 联系点: the townships and villages a county-level leader is linked to; their visits
    # should reach every one of them in the year (seed 004, coverage 100 %).
    linked_places = models.ManyToManyField(
        Node,
        verbose_name=_("联系点(乡镇/村)"),
        blank=True,
        related_name="linked_leaders",
        limit_choices_to={"level__in": ["township", "village"]},
    )

    objects = StaffManager()

    class Meta:
        verbose_name = _("干部")
        verbose_name_plural = _("干部")
        ordering = ["node__code", "username"]

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name or self.username

    def get_short_name(self) -> str:
        return self.name or self.username
