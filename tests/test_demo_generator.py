"""The demo county generator (`python -m minqing demo`), at the small scale.

Deterministic, valid ID numbers, totals that add up the tree, the eight demo accounts,
idempotent reruns, and admin access only for the county administrator.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections import Counter, defaultdict

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.db.models import Count

from minqing.audit.models import Action, AuditEvent
from minqing.demo.plan import FIRST_COUNTY_CODE
from minqing.households.models import Household, Resident
from minqing.lib.idcard import id_number_problem
from minqing.org.models import PATH_WIDTH, Level, Node, Unit, UnitKind, User
from minqing.org.roles import ROLE_LEVELS, Role

DEMO_ACCOUNTS = {
    "admin": (Role.COUNTY_ADMIN, Level.COUNTY),
    "duban": (Role.COUNTY_SUPERVISOR, Level.COUNTY),
    "minzheng": (Role.DEPT_HANDLER, Level.COUNTY),
    "zhen_lingdao": (Role.TOWNSHIP_LEADER, Level.TOWNSHIP),
    "zhen_ganbu": (Role.TOWNSHIP_STAFF, Level.TOWNSHIP),
    "cun_ganbu": (Role.VILLAGE_CADRE, Level.VILLAGE),
    "lianluoyuan": (Role.LIAISON, Level.GROUP),
    "daibiao": (Role.DEPUTY, Level.TOWNSHIP),
}


def load_demo(seed: int = 7, *, reset: bool = False) -> str:
    out = io.StringIO()
    args = ["--scale", "small", "--seed", str(seed), *(["--reset"] if reset else [])]
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def digest() -> str:
    """A fingerprint of the generated content (never of primary keys)."""
    queries = [
        Node.objects.order_by("code").values_list(
            "code", "path", "name", "level", "parent__code", "population", "household_count"
        ),
        Household.objects.order_by("code").values_list(
            "code", "group__code", "head_name", "phone", "address", "created_at"
        ),
        Resident.objects.order_by("id_number").values_list(
            "id_number", "household__code", "name", "relationship", "gender", "birth_date", "phone"
        ),
        User.objects.order_by("username").values_list(
            "username", "name", "role", "rank", "post", "phone", "node__code", "unit__name"
        ),
        Unit.objects.order_by("node__code", "name").values_list(
            "name", "kind", "node__code", "head__username", "phone", "address"
        ),
    ]
    sha = hashlib.sha256()
    for query in queries:
        for row in query:
            sha.update(repr(row).encode())
    return sha.hexdigest()


def row_counts() -> dict[str, int]:
    models = (Node, Unit, User, Household, Resident)
    return {m.__name__: m.objects.count() for m in models}


@pytest.fixture
def demo(db: None) -> str:
    return load_demo()


def test_small_scale_shape(demo: str) -> None:
    levels = Counter(Node.objects.values_list("level", flat=True))
    assert levels[Level.COUNTY] == 1
    assert levels[Level.TOWNSHIP] == 2
    assert levels[Level.VILLAGE] == 6
    assert levels[Level.GROUP] >= 6 * 4
    assert Household.objects.count() == 600
    members = Resident.objects.count() / Household.objects.count()
    assert 2.5 <= members <= 3.5
    assert Resident.objects.filter(relationship="head").count() == 600


def test_same_seed_gives_same_data_and_another_seed_does_not(db: None) -> None:
    load_demo(7)
    first = digest()
    load_demo(7, reset=True)
    assert digest() == first
    load_demo(8, reset=True)
    assert digest() != first


def test_id_numbers_are_valid_unique_and_match_the_person(demo: str) -> None:
    rows = list(Resident.objects.values_list("id_number", "gender", "birth_date"))
    numbers = [number for number, _, _ in rows]
    assert all(id_number_problem(number) is None for number in numbers)
    assert len(set(numbers)) == len(numbers)
    region = FIRST_COUNTY_CODE[:6]
    for number, gender, birth in rows:
        assert number.startswith(region)
        assert number[6:14] == f"{birth:%Y%m%d}"
        assert int(number[16]) % 2 == (1 if gender == "M" else 0)  # odd for men


def test_family_ages_are_consistent(demo: str) -> None:
    births: dict[int, dict[str, list[dt.date]]] = defaultdict(lambda: defaultdict(list))
    for household_id, relationship, birth in Resident.objects.values_list(
        "household_id", "relationship", "birth_date"
    ):
        births[household_id][relationship].append(birth)
    for members in births.values():
        (head,) = members["head"]
        assert dt.date(1930, 1, 1) < head <= dt.date(2004, 1, 1)  # heads are adults
        assert all(child > head for child in members["child"])
        assert all(parent < head for parent in members["parent"])
        assert all(kid.year - head.year >= 40 for kid in members["grandchild"])


def test_phones_are_mobile_numbers_and_unique(demo: str) -> None:
    phones = [p for p in Resident.objects.values_list("phone", flat=True) if p]
    phones += list(User.objects.values_list("phone", flat=True))
    assert all(len(p) == 11 and p.isdigit() and p[0] == "1" and p[1] in "3456789" for p in phones)
    assert len(set(phones)) == len(phones)
    heads = dict(Resident.objects.filter(relationship="head").values_list("household_id", "phone"))
    for pk, head_name, phone in Household.objects.values_list("pk", "head_name", "phone"):
        assert head_name
        assert phone == heads[pk]


def test_node_totals_add_up_at_every_level(demo: str) -> None:
    households = dict(Household.objects.values_list("group__code").annotate(n=Count("id")))
    residents = dict(Resident.objects.values_list("household__group__code").annotate(n=Count("id")))
    nodes = list(Node.objects.all())
    assert {n.level for n in nodes} == set(PATH_WIDTH)
    for node in nodes:
        assert node.path == node.code[: PATH_WIDTH[node.level]]
        in_subtree = [code for code in households if code.startswith(node.path)]
        assert node.household_count == sum(households[c] for c in in_subtree), node.name
        assert node.population == sum(residents[c] for c in in_subtree), node.name
    for household in Household.objects.select_related("group"):
        assert household.code[:12] == household.group.code[:12]
        assert len(household.code) == 16


def test_demo_accounts_have_their_roles_places_and_password(demo: str) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_ACCOUNTS)}
    assert set(users) == set(DEMO_ACCOUNTS)
    county = Node.objects.get(code=FIRST_COUNTY_CODE)
    township = county.children.order_by("code").first()
    village = township.children.order_by("code").first()
    group = village.children.order_by("code").first()
    for username, (role, level) in DEMO_ACCOUNTS.items():
        user = users[username]
        assert user.role == role
        assert user.node.level == level
        assert user.node.is_within(county)
        assert user.name
        assert user.post
        assert check_password(settings.MINQING_DEMO_PASSWORD, user.password)
    assert users["duban"].unit.name.endswith("县委督查室")
    assert users["minzheng"].unit.name.endswith("民政局")
    assert users["minzheng"].unit.kind == UnitKind.DEPARTMENT
    assert users["zhen_lingdao"].node == township
    assert users["daibiao"].node == township
    assert users["zhen_ganbu"].node == township
    assert users["zhen_ganbu"].unit.kind == UnitKind.CENTER
    assert users["zhen_ganbu"].unit.node == township
    assert users["cun_ganbu"].node == village
    assert users["cun_ganbu"].unit.kind == UnitKind.STATION
    assert users["cun_ganbu"].unit.node == village
    assert users["lianluoyuan"].node == group
    for username in DEMO_ACCOUNTS:
        assert username in demo  # the accounts table is printed


def test_every_user_sits_at_the_level_of_their_role(demo: str) -> None:
    for role, level in User.objects.values_list("role", "node__level"):
        assert level in ROLE_LEVELS[role], role
    assert not User.objects.filter(node__isnull=True).exists()
    assert User.objects.values("username").distinct().count() == User.objects.count()
    assert all(u.isascii() for u in User.objects.values_list("username", flat=True))


def test_every_unit_has_a_head_from_its_own_staff_and_a_phone(demo: str) -> None:
    kinds = Counter(Unit.objects.values_list("kind", flat=True))
    assert kinds == {
        UnitKind.OFFICE: 3,
        UnitKind.DEPARTMENT: 12,
        UnitKind.CENTER: 2,
        UnitKind.STATION: 6,
    }
    for unit in Unit.objects.select_related("head"):
        assert unit.head is not None, unit.name
        assert unit.head.unit_id == unit.pk
        assert unit.phone


def test_only_the_county_admin_is_staff(demo: str) -> None:
    staff_roles = set(User.objects.filter(is_staff=True).values_list("role", flat=True))
    assert staff_roles == {Role.COUNTY_ADMIN}
    assert not User.objects.filter(role=Role.COUNTY_ADMIN, is_staff=False).exists()
    assert not User.objects.filter(is_superuser=True).exists()


def test_rerun_changes_nothing_and_still_prints_the_accounts(demo: str) -> None:
    before, fingerprint = row_counts(), digest()
    output = load_demo(7)
    assert "已加载" in output
    assert row_counts() == before
    assert digest() == fingerprint
    for username in DEMO_ACCOUNTS:
        assert username in output
    assert settings.MINQING_DEMO_PASSWORD in output
    # One bulk-load record for the one load; the rerun wrote nothing.
    assert AuditEvent.objects.filter(action=Action.BULK_LOAD).count() == 1


def test_reset_rebuilds_without_leaving_old_rows(demo: str) -> None:
    before = row_counts()
    load_demo(7, reset=True)
    assert row_counts() == before
    assert AuditEvent.objects.filter(action=Action.BULK_LOAD).count() == 2


def test_reset_removes_merged_matters_too(demo: str) -> None:
    # A merged matter points at the one it joined (PROTECT): the reset must unhook it.
    from minqing.cases.models import Case
    from minqing.cases.services import case_register, case_transition
    from minqing.org.roles import Role

    staff = User.objects.filter(role=Role.TOWNSHIP_STAFF).select_related("node").first()
    group = Node.objects.filter(level=Level.GROUP, path__startswith=staff.node.path).first()
    first, second = (
        case_register(
            actor=staff,
            node=group,
            channel="hotline",
            nature="help",
            original_text=f"{text}路灯坏了",
            reporter_name="张三",
        )[0]
        for text in ("东头", "西头")
    )
    case_transition(case=second, action="merge", actor=staff, parent=first)
    assert Case.objects.filter(parent=first).exists()
    load_demo(7, reset=True)
    assert not Case.objects.filter(pk__in=[first.pk, second.pk]).exists()


def test_verbosity_zero_is_silent_and_keyword_options_work(db: None) -> None:
    out = io.StringIO()
    call_command("demo", scale="small", seed=3, verbosity=0, stdout=out)
    assert out.getvalue() == ""
    assert Household.objects.count() == 600


def test_demo_cases_run_through_the_real_case_loop(county):
    import random

    from minqing.cases.models import Case
    from minqing.demo.cases import load_demo_cases

    made = load_demo_cases(county=county.county, rng=random.Random(1), count=30)
    cases = list(Case.objects.all())
    assert made == len(cases) > 0
    assert len({c.number for c in cases}) == len(cases)
    assert {c.status for c in cases} >= {"registered", "assigned", "rated"}
    for case in cases:
        assert case.events.filter(action="register").exists()  # every step on the timeline
    again = load_demo_cases(county=county.county, rng=random.Random(1), count=30)
    assert Case.objects.count() == len(cases)  # idempotency keys: a re-run adds nothing
    assert again == made


def test_demo_network_has_liaisons_contacts_and_working_cards(demo: str, client) -> None:
    from minqing.households.models import ContactAssignment, ContactCard, GroupPost, Liaison
    from minqing.households.network_selectors import coverage_by_village

    groups = Node.objects.filter(level=Level.GROUP).count()
    # Nearly every group has a liaison and a leader; a few gaps are left on purpose.
    assert 0.9 * groups <= Liaison.objects.active().count() < groups + 1
    assert GroupPost.objects.filter(kind="leader").count() >= 0.9 * groups
    assert Resident.objects.filter(is_party_member=True).exists()
    assert ContactAssignment.objects.active().exists()
    assert ContactCard.objects.current().count() == Household.objects.count()
    # Every demo card opens its public page (tokens use the cards' own alphabet).
    for card in ContactCard.objects.order_by("?")[:5]:
        assert client.get(f"/k/{card.token}").status_code == 200
    village = Node.objects.filter(level=Level.VILLAGE).first()
    assert 0 < coverage_by_village(village.path)[village.pk].cards_issued
