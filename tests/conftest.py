"""The fixture county and its personas, shared by every test.

清河县 (county) ─┬─ 城关镇 (T1) ─┬─ 东风村 (V1) ─┬─ 一组 (G1a): household H1a
                 │               │               └─ 二组 (G1b): household H1b
                 │               └─ 西岭村 (V2, sibling) ── 一组 (G2): household H2
                 └─ 河口乡 (T2) ── 南湾村 (V3) ── 一组 (G3): household H3
邻县 (another county) ── 某镇 ── 某村 ── 一组: household HX

Personas: `cadre` (V1), `colleague` (V1), `sibling` (V2), `other_township` (V3),
`township_staff` (T1), `dept_handler` (民政局), `county_admin`, `county_supervisor`,
`liaison` (G1a), `deputy` (T1), and the anonymous client.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client

from minqing.households.models import Household, Resident
from minqing.lib.idcard import make_id_number
from minqing.org import services
from minqing.org.models import Level, Node, Unit, UnitKind, User
from minqing.org.roles import Rank, Role

PASSWORD = "correct-horse-battery-9"


@pytest.fixture(autouse=True)
def _fast_settings(settings: object) -> None:
    # Argon2 is proven by its own test; everywhere else a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = [  # type: ignore[attr-defined]
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    # No collectstatic in tests: serve static files by their plain names.
    settings.STORAGES = {  # type: ignore[attr-defined]
        **settings.STORAGES,  # type: ignore[attr-defined]
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}  # type: ignore[attr-defined]


@dataclass
class County:
    county: Node
    t1: Node
    t2: Node
    v1: Node
    v2: Node
    v3: Node
    g1a: Node
    g1b: Node
    g2: Node
    g3: Node
    other_county: Node
    gx: Node
    households: dict[str, Household]
    department: Unit
    center: Unit
    station: Unit
    users: dict[str, User]

    def household_codes(self, *keys: str) -> set[str]:
        return {self.households[k].code for k in keys}


def _node(level: str, code: str, name: str, parent: Node | None) -> Node:
    return services.node_create(actor=None, level=level, code=code, name=name, parent=parent)


def _household(group: Node, head: str, seq: int) -> Household:
    household = Household.objects.create(
        code=f"{group.code[:12]}{seq:04d}",
        group=group,
        address=f"{group.parent.name}{group.name}{seq}号",
        head_name=head,
        phone=f"1380000{seq:04d}",
    )
    Resident.objects.create(
        household=household,
        name=head,
        relationship="head",
        gender="M",
        id_number=make_id_number(group.code[:6], dt.date(1970, 1, 1), seq),
        phone=f"1390000{seq:04d}",
    )
    return household


def build_county() -> County:
    county = _node(Level.COUNTY, "330199000000", "清河县", None)
    t1 = _node(Level.TOWNSHIP, "330199101000", "城关镇", county)
    t2 = _node(Level.TOWNSHIP, "330199102000", "河口乡", county)
    v1 = _node(Level.VILLAGE, "330199101201", "东风村", t1)
    v2 = _node(Level.VILLAGE, "330199101202", "西岭村", t1)
    v3 = _node(Level.VILLAGE, "330199102201", "南湾村", t2)
    g1a = _node(Level.GROUP, "330199101201001", "一组", v1)
    g1b = _node(Level.GROUP, "330199101201002", "二组", v1)
    g2 = _node(Level.GROUP, "330199101202001", "一组", v2)
    g3 = _node(Level.GROUP, "330199102201001", "一组", v3)
    other = _node(Level.COUNTY, "330288000000", "邻县", None)
    ot = _node(Level.TOWNSHIP, "330288101000", "某镇", other)
    ov = _node(Level.VILLAGE, "330288101201", "某村", ot)
    gx = _node(Level.GROUP, "330288101201001", "一组", ov)

    households = {
        "H1a": _household(g1a, "张建国", 1),
        "H1b": _household(g1b, "李秀英", 2),
        "H2": _household(g2, "王德明", 3),
        "H3": _household(g3, "刘桂兰", 4),
        "HX": _household(gx, "陈志强", 5),
    }
    department = services.unit_create(
        actor=None, kind=UnitKind.DEPARTMENT, name="县民政局", node=county
    )
    center = services.unit_create(
        actor=None, kind=UnitKind.CENTER, name="城关镇民情民意联络服务中心", node=t1
    )
    station = services.unit_create(
        actor=None, kind=UnitKind.STATION, name="东风村民情民意联络服务站", node=v1
    )
    other_dept = services.unit_create(
        actor=None, kind=UnitKind.DEPARTMENT, name="邻县民政局", node=other
    )

    def staff(username: str, name: str, role: str, node: Node, unit: Unit | None = None) -> User:
        return services.staff_create(
            actor=None, username=username, name=name, role=role, node=node, unit=unit,
            password=PASSWORD, rank=Rank.GENERAL,
        )  # fmt: skip

    users = {
        "cadre": staff("cadre", "赵村官", Role.VILLAGE_CADRE, v1, station),
        "colleague": staff("colleague", "钱同事", Role.VILLAGE_CADRE, v1, station),
        "sibling": staff("sibling", "孙邻村", Role.VILLAGE_CADRE, v2),
        "other_township": staff("other_township", "周外乡", Role.VILLAGE_CADRE, v3),
        "township_staff": staff("township_staff", "吴镇干", Role.TOWNSHIP_STAFF, t1, center),
        "dept_handler": staff("dept_handler", "郑民政", Role.DEPT_HANDLER, county, department),
        "county_admin": staff("county_admin", "冯管理", Role.COUNTY_ADMIN, county),
        "county_supervisor": staff("county_supervisor", "陈督查", Role.COUNTY_SUPERVISOR, county),
        "liaison": staff("liaison", "褚联络", Role.LIAISON, g1a),
        "deputy": staff("deputy", "卫代表", Role.DEPUTY, t1),
        "other_admin": staff("other_admin", "蒋邻管", Role.COUNTY_ADMIN, other),
        "other_dept": staff("other_dept", "沈邻民", Role.DEPT_HANDLER, other, other_dept),
    }
    return County(
        county=county, t1=t1, t2=t2, v1=v1, v2=v2, v3=v3, g1a=g1a, g1b=g1b, g2=g2, g3=g3,
        other_county=other, gx=gx, households=households, department=department,
        center=center, station=station, users=users,
    )  # fmt: skip


@pytest.fixture
def county(db: None) -> County:
    return build_county()


@pytest.fixture
def client_for(county: County):  # type: ignore[no-untyped-def]
    """client_for("cadre") → a Django test client signed in as that persona."""

    def make(persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(county.users[persona])
        return client

    return make
