"""Units (centers, stations, departments, offices) and the staff who work in them.

Primary keys are assigned up front so a unit can name its head and a user its unit in the
same pass; both foreign keys are DEFERRABLE INITIALLY DEFERRED on SQLite and PostgreSQL,
so the order of the two inserts inside the load's transaction does not matter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from minqing.demo import names
from minqing.demo.people import People
from minqing.demo.plan import CountyPlan, NodePlan, PkAllocator
from minqing.org.models import Unit, UnitKind, User
from minqing.org.roles import Rank, Role

# A fixed join date: nothing in the demo depends on when it was loaded.
DATE_JOINED = dt.datetime(2025, 3, 1, 1, 0, tzinfo=dt.UTC)

# The fixed demo accounts, in the order the accounts table lists them, with their names.
DEMO_ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("admin", "周文涛"),
    ("duban", "杨光明"),
    ("minzheng", "刘丽华"),
    ("zhen_lingdao", "张建国"),
    ("zhen_ganbu", "李晓燕"),
    ("cun_ganbu", "王德明"),
    ("lianluoyuan", "陈秀英"),
    ("daibiao", "吴志强"),
)
DEMO_USERNAMES: tuple[str, ...] = tuple(username for username, _ in DEMO_ACCOUNTS)


def _demo_slots(county: CountyPlan) -> dict[str, str]:
    """Generated username → demo username, for the first user of each role's first place."""
    c6 = county.root.code[:6]
    township = county.townships[0]
    village = township.children[0]
    generated = (
        f"gly{c6}01",
        f"dc{c6}01",
        f"bm{c6}011",
        f"zl{township.code[:9]}1",
        f"zg{township.code[:9]}01",
        f"cg{village.code}1",
        f"ll{village.children[0].code}",
        f"db{township.code[:9]}1",
    )
    return dict(zip(generated, DEMO_USERNAMES, strict=True))


@dataclass
class Staffing:
    units: list[Unit]
    users: list[User]


class StaffBuilder:
    def __init__(self, county: CountyPlan, people: People, pks: PkAllocator, password: str) -> None:
        self.county = county
        self.people = people
        self.rng = people.rng
        self.pks = pks
        self.password = password
        self.units: list[Unit] = []
        self.users: list[User] = []
        self.slots = _demo_slots(county) if county.index == 0 else {}
        self.fixed_names = dict(DEMO_ACCOUNTS)

    def build(self) -> Staffing:
        self._county_level()
        for township in self.county.townships:
            self._township(township)
        # The slot table mirrors the username patterns below; fail loudly if they drift.
        missing = set(self.slots.values()) - {user.username for user in self.users}
        if missing:
            raise RuntimeError(f"demo accounts not generated: {sorted(missing)}")
        return Staffing(self.units, self.users)

    # --- helpers -------------------------------------------------------------------------
    def _landline(self) -> str:
        return f"{self.county.area_code}-8{self.rng.randrange(10**6):06d}"

    def _unit(self, kind: str, name: str, short: str, node: NodePlan, address: str) -> Unit:
        unit = Unit(
            pk=self.pks.take("unit"),
            kind=kind,
            name=name,
            short_name=short,
            node_id=node.pk,
            phone=self._landline(),
            address=address,
        )
        self.units.append(unit)
        return unit

    def _user(
        self,
        username: str,
        role: str,
        rank: str,
        post: str,
        node: NodePlan,
        unit: Unit | None = None,
        male_share: float = 0.6,
    ) -> User:
        rng = self.rng
        name, phone = self.people.person(rng.random() < male_share, rng.randint(24, 58))
        username = self.slots.get(username, username)
        user = User(
            pk=self.pks.take("user"),
            username=username,
            password=self.password,
            name=self.fixed_names.get(username, name),
            role=role,
            rank=rank,
            post=post,
            node_id=node.pk,
            unit_id=unit.pk if unit else None,
            phone=phone,
            # Admin access follows the role (as in the staff admin), never a hand-set flag.
            is_staff=role == Role.COUNTY_ADMIN,
            is_active=True,
            date_joined=DATE_JOINED,
        )
        self.users.append(user)
        return user

    # --- levels --------------------------------------------------------------------------
    def _county_level(self) -> None:
        root = self.county.root
        c6 = root.code[:6]
        hall = f"{root.name}行政中心"
        offices = {
            short: self._unit(UnitKind.OFFICE, f"{root.name}{suffix}", short, root, f"{hall}1号楼")
            for suffix, short in names.OFFICES
        }
        # (username, role, rank, post, office); each office's first member heads it.
        county_staff = (
            (f"gly{c6}01", Role.COUNTY_ADMIN, Rank.SECTION, "民情办主任", "民情办"),
            (f"gly{c6}02", Role.COUNTY_ADMIN, Rank.GENERAL, "信息化专干", "民情办"),
            (f"dc{c6}01", Role.COUNTY_SUPERVISOR, Rank.SECTION, "督查室主任", "督查室"),
            (f"dc{c6}02", Role.COUNTY_SUPERVISOR, Rank.GENERAL, "督查专员", "督查室"),
            (f"dc{c6}03", Role.COUNTY_SUPERVISOR, Rank.SECTION, "党建办主任", "党建办"),
        )
        for username, role, rank, post, short in county_staff:
            office = offices[short]
            user = self._user(username, role, rank, post, root, office)
            office.head_id = office.head_id or user.pk
        for d, department in enumerate(names.DEPARTMENTS, start=1):
            unit = self._unit(
                UnitKind.DEPARTMENT,
                f"{root.name}{department}",
                department,
                root,
                f"{hall}{self.rng.randint(2, 6)}号楼",
            )
            for n in range(1, self.rng.randint(2, 3) + 1):
                post = names.DEPARTMENT_POSTS[n - 1]
                rank = Rank.SECTION if n == 1 else Rank.GENERAL
                user = self._user(f"bm{c6}{d:02d}{n}", Role.DEPT_HANDLER, rank, post, root, unit)
                unit.head_id = unit.head_id or user.pk  # the deputy director in charge

    def _township(self, township: NodePlan) -> None:
        rng = self.rng
        t9 = township.code[:9]
        road = rng.choice(names.ROAD_NAMES)
        township.address = f"{township.full_name}{road}{rng.randint(1, 120)}号"
        center = self._unit(
            UnitKind.CENTER,
            f"{township.name}民情民意联络服务中心",
            f"{township.name}中心",
            township,
            f"{township.address}便民服务中心",
        )
        secretary, chief = names.TOWNSHIP_LEADER_POSTS[township.kind]
        for n, post in enumerate((secretary, chief), start=1):
            self._user(f"zl{t9}{n}", Role.TOWNSHIP_LEADER, Rank.SECTION, post, township, center)
        posts = names.TOWNSHIP_STAFF_POSTS
        # The center's director comes first and heads it; the rest are a mix of clerks.
        chosen = (posts[0], *rng.sample(posts[1:], rng.randint(8, 12) - 1))
        for n, post in enumerate(chosen, start=1):
            user = self._user(
                f"zg{t9}{n:02d}", Role.TOWNSHIP_STAFF, Rank.GENERAL, post, township, center
            )
            center.head_id = center.head_id or user.pk
        for n in range(1, rng.randint(1, 2) + 1):
            post = rng.choice(names.DEPUTY_POSTS)
            self._user(f"db{t9}{n}", Role.DEPUTY, Rank.NONE, post, township)
        for village in township.children:
            self._village(village)

    def _village(self, village: NodePlan) -> None:
        village.address = f"{village.full_name}党群服务中心"
        station = self._unit(
            UnitKind.STATION,
            f"{village.name}民情民意联络服务站",
            f"{village.name}站",
            village,
            village.address,
        )
        posts = names.VILLAGE_CADRE_POSTS[village.kind]
        for n, post in enumerate(posts[: self.rng.randint(3, 5)], start=1):
            user = self._user(
                f"cg{village.code}{n}", Role.VILLAGE_CADRE, Rank.VILLAGE, post, village, station
            )
            station.head_id = station.head_id or user.pk  # the party secretary
        liaison_post = names.LIAISON_POSTS[village.kind]
        for group in village.children:
            # Liaisons report to their village's station, which takes the cases they record.
            self._user(
                f"ll{group.code}",
                Role.LIAISON,
                Rank.NONE,
                liaison_post,
                group,
                station,
                male_share=0.5,
            )
