"""The staff navigation: each entry names the capability it needs, so a role sees only
what it may use. Later features add their entries here."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from minqing.org.roles import Cap, has_cap


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    icon: str
    cap: Cap | None = None
    # View names (or "namespace:" prefixes) under which this entry shows as current.
    match: tuple[str, ...] = ()

    def is_active(self, view_name: str) -> bool:
        return view_name == self.url_name or any(
            view_name == m or (m.endswith(":") and view_name.startswith(m)) for m in self.match
        )


NAV: tuple[NavItem, ...] = (
    NavItem("home", _("工作台"), "home", "bi-speedometer2"),
    NavItem("cases", _("民情事项"), "cases:queue", "bi-inboxes", Cap.VIEW_CASES, ("cases:",)),
    NavItem("tree", _("辖区"), "org:tree", "bi-diagram-3", Cap.VIEW_TREE, ("org:node",)),
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
    NavItem("staff", _("干部"), "org:staff", "bi-people", Cap.VIEW_STAFF),
    NavItem("admin", _("管理后台"), "admin:index", "bi-gear", Cap.USE_ADMIN),
)


def nav_for(user: object) -> list[NavItem]:
    return [item for item in NAV if item.cap is None or has_cap(user, item.cap)]
