"""The staff navigation: each entry names the capability it needs, so a role sees only
what it may use. Later features add their entries here."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from minqing.org.roles import Cap, Role, has_cap


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    icon: str
    cap: Cap | None = None
    # View names (or "namespace:" prefixes) under which this entry shows as current.
    match: tuple[str, ...] = ()
    # Roles that hold the capability but have no use for the page (e.g. department staff
    # keep diaries, yet talk days are run by villages).
    hidden_for: frozenset[str] = frozenset()
    # Entries sharing a group fold into one dropdown (see GROUPS) to keep the bar short.
    group: str = ""

    def is_active(self, view_name: str) -> bool:
        return view_name == self.url_name or any(
            view_name == m or (m.endswith(":") and view_name.startswith(m)) for m in self.match
        )


NAV: tuple[NavItem, ...] = (
    NavItem("home", _("工作台"), "home", "bi-speedometer2"),
    NavItem("cases", _("民情事项"), "cases:queue", "bi-inboxes", Cap.VIEW_CASES, ("cases:",)),
    NavItem(
        "tree", _("辖区"), "org:tree", "bi-diagram-3", Cap.VIEW_TREE, ("org:node",), group="org"
    ),
    NavItem(
        "households",
        _("户籍档案"),
        "households:list",
        "bi-house-door",
        Cap.VIEW_RESIDENTS,
        ("households:",),
    ),
    NavItem(
        "network", _("联络网络"), "network:index", "bi-share", Cap.VIEW_RESIDENTS, ("network:",)
    ),
    NavItem(
        "diary",
        _("民情日记"),
        "diary:list",
        "bi-journal-text",
        Cap.FIELDWORK,
        ("diary:",),
        group="field",
    ),
    NavItem(
        "visits",
        _("走访"),
        "visits:list",
        "bi-door-open",
        Cap.FIELDWORK,
        ("visits:",),
        group="field",
    ),
    NavItem(
        "talk",
        _("说事点"),
        "talk:index",
        "bi-chat-square-text",
        Cap.FIELDWORK,
        ("talk:",),
        frozenset({Role.DEPT_HANDLER}),
        group="field",
    ),
    NavItem(
        "receptions",
        _("代表接待"),
        "talk:receptions",
        "bi-person-video2",
        Cap.RECEPTION,
        ("talk:reception",),
        group="field",
    ),
    NavItem(
        "fieldwork_review",
        _("走访日记督查"),
        "visits:progress",
        "bi-clipboard-check",
        Cap.REVIEW_FIELDWORK,
        group="field",
    ),
    NavItem(
        "hotspots",
        _("热点"),
        "insight:hot_list",
        "bi-fire",
        Cap.VIEW_INSIGHT,
        ("insight:hot_detail",),
        group="insight",
    ),
    NavItem(
        "keywords",
        _("关键词趋势"),
        "insight:keywords",
        "bi-tags",
        Cap.VIEW_INSIGHT,
        ("insight:keywords_export",),
        group="insight",
    ),
    NavItem(
        "models",
        _("分析模型"),
        "insight:models",
        "bi-cpu",
        Cap.MANAGE_MODELS,
        group="insight",
    ),
    NavItem("staff", _("干部"), "org:staff", "bi-people", Cap.VIEW_STAFF, group="org"),
    NavItem("admin", _("管理后台"), "admin:index", "bi-gear", Cap.USE_ADMIN),
)


def nav_for(user: object) -> list[NavItem]:
    role = getattr(user, "role", "")
    return [
        item
        for item in NAV
        if (item.cap is None or has_cap(user, item.cap)) and role not in item.hidden_for
    ]


# Groups keep the bar on one line at 1280 px for the roles with the most entries.
GROUPS: dict[str, tuple[str | Promise, str]] = {
    "org": (_("辖区"), "bi-diagram-3"),
    "field": (_("走访日记"), "bi-journal-text"),
    "insight": (_("民情分析"), "bi-graph-up-arrow"),
}


@dataclass
class NavEntry:
    """One slot in the bar: a single item, or a dropdown of a group's items."""

    key: str
    label: str | Promise
    icon: str
    items: list[NavItem]

    @property
    def is_group(self) -> bool:
        return len(self.items) > 1


def nav_entries(items: list[NavItem]) -> list[NavEntry]:
    entries: list[NavEntry] = []
    by_group: dict[str, NavEntry] = {}
    for item in items:
        if item.group and item.group in by_group:
            by_group[item.group].items.append(item)
            continue
        label, icon = GROUPS.get(item.group, (item.label, item.icon))
        entry = NavEntry(item.group or item.key, label, icon, [item])
        entries.append(entry)
        if item.group:
            by_group[item.group] = entry
    return entries
