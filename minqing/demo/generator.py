"""Load (or reload) the demo county: deterministic, fictional, and fast enough for a province.

Same seed + scale → the same rows: every random draw comes from a `random.Random` seeded by
(seed, scale, county index), and nothing depends on the clock. Counties are generated one at
a time so memory stays bounded at province scale, and all counties load in one transaction
so a failed load leaves nothing behind. Households and residents (99% of the rows) go in
through raw `executemany`; the few thousand nodes, units and users per county through
`bulk_create`. Primary keys are assigned here, so no insert has to wait for the database.
"""

from __future__ import annotations

import random
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.cases.models import Case
from minqing.cases.services import categories_ensure_default
from minqing.demo.cases import load_demo_cases
from minqing.demo.fieldwork import load_demo_fieldwork
from minqing.demo.insight import load_demo_insight
from minqing.demo.network import load_demo_network
from minqing.demo.people import HOUSEHOLD_FIELDS, RESIDENT_FIELDS, People
from minqing.demo.plan import (
    ALL_DEMO_COUNTY_CODES,
    FIRST_COUNTY_CODE,
    SCALES,
    CountyPlan,
    NodePlan,
    PkAllocator,
    county_names,
    plan_county,
)
from minqing.demo.staff import DEMO_USERNAMES, StaffBuilder
from minqing.demo.training import load_demo_training
from minqing.fieldwork.models import DiaryEntry, Reception, TalkDay, Visit, VisitPlan
from minqing.households.models import Household, Liaison, Resident
from minqing.households.services import tags_ensure_default
from minqing.org.models import PATH_WIDTH, Level, Node, Unit, User
from minqing.org.scoping import under

DEFAULT_SEED = 2026
Log = Callable[[str], None]

# The models the demo writes, keyed as PkAllocator keys, in insert order.
_MODELS: dict[str, type[models.Model]] = {
    "node": Node,
    "unit": Unit,
    "user": User,
    "household": Household,
    "resident": Resident,
}
_RAW_BATCH = 20_000
# The demo county's liaison hotline (联络服务专线), printed on its contact cards.
DEMO_HOTLINE = "0854-3612345"


@dataclass
class LoadResult:
    created: bool
    counts: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def is_loaded() -> bool:
    return Node.objects.filter(code=FIRST_COUNTY_CODE).exists()


def load(
    *, seed: int = DEFAULT_SEED, scale: str = "county", reset: bool = False, log: Log = print
) -> LoadResult:
    """Build the demo unless it is already there (or rebuild it with `reset`)."""
    spec = SCALES[scale]
    if is_loaded() and not reset:
        log(
            "演示数据已加载，未做任何修改(用 --reset 重建)。"
            "Demo data already loaded; nothing changed (use --reset to rebuild)."
        )
        return LoadResult(created=False)
    started = time.perf_counter()
    # One hash for every account: Argon2 per user would take minutes at province scale.
    password = make_password(settings.MINQING_DEMO_PASSWORD)
    result = LoadResult(created=True)
    with _bulk_load_pragmas(), transaction.atomic():
        if reset:
            delete_demo(log)
        pks = PkAllocator({key: _next_pk(model) for key, model in _MODELS.items()})
        titles = county_names(seed, spec.counties)
        for index in range(spec.counties):
            tick = time.perf_counter()
            rng = random.Random(f"{seed}:{scale}:{index}")
            county = plan_county(rng, index, titles[index], spec, pks)
            people = People(rng, county, pks)
            for township in county.townships:
                for village in township.children:
                    people.fill_village(village)
            _roll_up(county.root)
            staffing = StaffBuilder(county, people, pks, password).build()
            counts = _write_county(county, people, staffing.units, staffing.users)
            # The demo's own bulk-load record below covers the categories too.
            county_node = Node.objects.get(pk=county.root.pk)
            counts["category"] = categories_ensure_default(county=county_node, audit=False)
            counts["tag"] = tags_ensure_default(county=county_node)
            result.counts.update(counts)
            log(
                f"[{index + 1}/{spec.counties}] {county.root.name} {county.root.code}: "
                f"{counts['township']} 乡镇(街道) {counts['village']} 村(社区) "
                f"{counts['group']} 小组(网格) {counts['household']} 户 {counts['resident']} 人 "
                f"{counts['user']} 干部 — {time.perf_counter() - tick:.1f}s"
            )
        _reset_sequences()
        first_county = Node.objects.get(code=FIRST_COUNTY_CODE)
        network = load_demo_network(
            county=first_county, rng=random.Random(f"{seed}:network"), hotline=DEMO_HOTLINE
        )
        log("联络网络: " + ", ".join(f"{k} {v}" for k, v in network.items()))
        fieldwork = load_demo_fieldwork(county=first_county, rng=random.Random(f"{seed}:field"))
        log("走访与日记: " + ", ".join(f"{k} {v}" for k, v in fieldwork.items()))
        if scale != "small":
            # The case loop in motion, in the first county only (fast; through the services).
            result.counts["case"] = load_demo_cases(
                county=Node.objects.get(code=FIRST_COUNTY_CODE), rng=random.Random(f"{seed}:cases")
            )
            # Months of categorised, routed matters and an imported file: models trained.
            training = load_demo_training(
                county=Node.objects.get(code=FIRST_COUNTY_CODE), rng=random.Random(f"{seed}:ml")
            )
            log("分析模型: " + ", ".join(f"{k} {v}" for k, v in training.items()))
            result.counts["case"] += training.get("history", 0)
            # Two clusters of matters and the hot-spot job run once: the 热点 card is live.
            insight = load_demo_insight(
                county=Node.objects.get(code=FIRST_COUNTY_CODE), rng=random.Random(f"{seed}:hot")
            )
            log("热点: " + ", ".join(f"{k} {v}" for k, v in insight.items()))
            result.counts["case"] += insight["hot_case"]
        note = (
            f"演示数据 scale={scale} seed={seed}: {result.counts['county']} 个县, "
            f"{result.counts['township']} 个乡镇(街道), {result.counts['village']} 个村(社区), "
            f"{result.counts['group']} 个村民小组(网格), {result.counts['household']} 户, "
            f"{result.counts['resident']} 名居民, {result.counts['unit']} 个单位, "
            f"{result.counts['user']} 名干部, {result.counts['case']} 件民情事项。"
        )
        record(
            action=Action.BULK_LOAD,
            obj=Node.objects.get(code=FIRST_COUNTY_CODE),
            note=note,
            changes={"seed": seed, "scale": scale, **result.counts},
        )
    result.seconds = time.perf_counter() - started
    log(f"{note} 用时 {result.seconds:.1f}s")
    return result


def delete_demo(log: Log = print) -> None:
    """Remove every demo county's rows, children before parents (the tree's FKs PROTECT)."""
    for county in Node.objects.filter(level=Level.COUNTY, code__in=ALL_DEMO_COUNTY_CODES):
        path = county.path
        # A merged matter protects the one it joined: unhook merges, then delete the lot
        # (timeline, supervision and files cascade).
        Case.objects.filter(county=county, parent__isnull=False).update(parent=None)
        Case.objects.filter(county=county).delete()
        # The ORM's delete (not raw SQL) so cascades other apps add to these models still run;
        # one county at a time keeps the collector's in-memory batches small.
        # Fieldwork records protect their place and their author: remove them first.
        for model in (DiaryEntry, Visit, VisitPlan, TalkDay, Reception):
            model.objects.filter(under(path, "node__path")).delete()
        # Liaisons protect their group and their appointing user: remove them first.
        Liaison.objects.filter(under(path, "group__path")).delete()
        Resident.objects.filter(under(path, "household__group__path")).delete()
        Household.objects.filter(under(path, "group__path")).delete()
        User.objects.filter(under(path, "node__path")).delete()  # unit heads → NULL
        Unit.objects.filter(under(path, "node__path")).delete()
        for level in (Level.GROUP, Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY):
            Node.objects.filter(under(path), level=level).delete()
        log(f"已删除演示县 {county.name} {county.code} (deleted)")


def _next_pk(model: type[models.Model]) -> int:
    top = model._default_manager.aggregate(top=models.Max("pk"))["top"]
    return (top or 0) + 1


def _roll_up(node: NodePlan) -> None:
    """Every node's totals are the sums of its groups', so the tree always adds up."""
    if node.level == Level.GROUP:
        return
    for child in node.children:
        _roll_up(child)
    node.households = sum(c.households for c in node.children)
    node.population = sum(c.population for c in node.children)


def _write_county(
    county: CountyPlan, people: People, units: list[Unit], users: list[User]
) -> Counter[str]:
    nodes = [
        Node(
            pk=n.pk,
            level=n.level,
            code=n.code,
            name=n.name,
            parent_id=n.parent.pk if n.parent else None,
            # bulk_create skips Node.save(), which is what normally derives the path.
            path=n.code[: PATH_WIDTH[n.level]],
            population=n.population,
            household_count=n.households,
            address=n.address,
        )
        for n in county.root.walk()
    ]
    Node.objects.bulk_create(nodes, batch_size=2000)
    Unit.objects.bulk_create(units, batch_size=2000)
    User.objects.bulk_create(users, batch_size=2000)
    _insert_rows(Household, HOUSEHOLD_FIELDS, people.households)
    _insert_rows(Resident, RESIDENT_FIELDS, people.residents)
    counts: Counter[str] = Counter(n.level for n in nodes)
    counts.update(
        unit=len(units),
        user=len(users),
        household=len(people.households),
        resident=len(people.residents),
    )
    return counts


def _insert_rows(model: type[models.Model], fields: Sequence[str], rows: list[Any]) -> None:
    meta = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # Table and column names come from the model's metadata, never from input.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is several times faster than INSERT on PostgreSQL; psycopg adapts the values.
            copy_sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        for start in range(0, len(rows), _RAW_BATCH):
            cursor.executemany(sql, rows[start : start + _RAW_BATCH])


def _reset_sequences() -> None:
    # PostgreSQL sequences do not see explicit primary keys; SQLite needs nothing here.
    statements = connection.ops.sequence_reset_sql(no_style(), list(_MODELS.values()))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@contextmanager
def _bulk_load_pragmas() -> Iterator[None]:
    """On SQLite, trade durability for speed on this connection while the load runs.

    A crash mid-load loses only the demo (the load is one transaction, rerun it); the
    settings' synchronous=FULL comes back afterwards. SQLite refuses to change `synchronous`
    inside a transaction, so under a test's atomic block this does nothing.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        synchronous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size")
        cache_size = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-1048576")  # 1 GiB keeps the indexes in memory
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute(f"PRAGMA cache_size={cache_size}")


# --- the accounts table -------------------------------------------------------------------
def demo_accounts() -> list[tuple[str, str, str, str]]:
    """(username, role, place, password) for each fixed demo account that exists."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related(
            "node__parent__parent__parent"
        )
    }
    rows = []
    for username in DEMO_USERNAMES:
        user = users.get(username)
        if user is not None:
            role = str(user.get_role_display())
            rows.append((username, role, _place(user.node), settings.MINQING_DEMO_PASSWORD))
    return rows


def _place(node: Node | None) -> str:
    chain: list[str] = []
    while node is not None:
        chain.append(node.name)
        node = node.parent
    return "".join(reversed(chain))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_accounts(rows: Sequence[tuple[str, ...]]) -> str:
    header = ("账号 username", "角色 role", "辖区 node", "密码 password")
    table = [header, *rows]
    widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
    lines = []
    for n, row in enumerate(table):
        cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
