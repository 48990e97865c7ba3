"""Visit quotas and coverage over a known month of activity (March 2025), with the county's
default numbers (seeds 003, 004) and with numbers a county sets itself."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minqing.fieldwork.models import FieldworkRules
from minqing.fieldwork.quotas import Period, Target, monthly_target, progress_for, team_in_scope
from minqing.fieldwork.rules import fieldwork_rules_for
from minqing.fieldwork.services import visit_record
from minqing.org.models import Level, User
from minqing.org.roles import Rank, Role
from minqing.org.services import node_create, staff_create
from tests.conftest import _household

MARCH = Period.of(dt.date(2025, 3, 15))


def visit(user, day, node, households=(), residence=False):
    return visit_record(
        actor=user, node=node, date=dt.date.fromisoformat(day), form="home",
        households=list(households), heard="了解家庭生产生活情况。", residence_day=residence,
    )[0]  # fmt: skip


@pytest.fixture
def month(county):
    """A township leader, a county-level leader and the fixture's cadres, with visits
    from December 2024 to April 2025; figures are read for March 2025."""
    t1, v1, v2 = county.t1, county.v1, county.v2
    v4 = node_create(actor=None, level=Level.VILLAGE, code="330199101204", name="北坡村", parent=t1)
    h = county.households
    x1 = _household(county.g1a, "赵一", 11)
    x2 = _household(county.g1b, "钱二", 12)
    x3 = _household(county.g1b, "孙三", 13)  # nobody reaches this one in 2025
    leader = staff_create(
        actor=None, username="leader", name="郑镇长", role=Role.TOWNSHIP_LEADER, node=t1,
        unit=county.center, password="x", rank=Rank.SECTION, post="镇长",
    )  # fmt: skip
    county_leader = staff_create(
        actor=None, username="xianling", name="王副县长", role=Role.DEPT_HANDLER,
        node=county.county, unit=county.department, password="x", rank=Rank.COUNTY,
    )  # fmt: skip
    cadre, colleague = county.users["cadre"], county.users["colleague"]

    # Township leader: two visits in February on one date (one residence day), two in
    # March on two dates (two residence days), one in April (after the month).
    visit(leader, "2025-02-20", v2, residence=True)
    visit(leader, "2025-02-20", v2, residence=True)
    visit(leader, "2025-03-05", v1, [h["H1a"]], residence=True)
    visit(leader, "2025-03-12", county.g1b, [h["H1b"]], residence=True)
    visit(leader, "2025-04-02", v4, residence=True)
    # Village cadre: three visits reaching four distinct households in March.
    visit(cadre, "2025-03-03", v1, [h["H1a"], h["H1b"]])
    visit(cadre, "2025-03-10", v1, [h["H1a"], x1])
    visit(cadre, "2025-03-20", v1, [x2])
    # Colleague: nothing in March; last year's visit to x3 does not count in 2025.
    visit(colleague, "2024-12-28", v1, [x3])
    # County leader: one visit in March.
    visit(county_leader, "2025-03-18", v4)
    return {"leader": leader, "county_leader": county_leader, "v4": v4, "x3": x3}


def figures(county, *users, detail=False):
    rules = fieldwork_rules_for(county.county)
    rows = progress_for(list(users), rules=rules, period=MARCH, detail=detail)
    return rows if len(rows) > 1 else rows[0]


def test_township_leader_figures(county, month):
    leader = User.objects.select_related("node").get(pk=month["leader"].pk)
    p = figures(county, leader, detail=True)
    assert (p.visits, p.households) == (2, 2)
    assert (p.monthly.done, p.monthly.minimum, p.monthly.gap, p.monthly.status) == (
        2,
        3,
        1,
        "behind",
    )
    # Residence: distinct dates in 2025 up to March's end: 02-20, 03-05, 03-12 (not 04-02).
    r = p.residence
    assert (r.done, r.minimum, r.due, r.gap, r.status) == (3, 10, 2, 0, "on_track")
    c = p.contacts
    assert (c.done, c.minimum, c.due, c.status) == (4, 3, 0, "met")
    # Villages of 城关镇 reached by the leader in 2025: 东风村 (by place and household) and
    # 西岭村; 北坡村 only in April.
    cov = p.coverage
    assert (cov.kind, cov.total, cov.reached, cov.percent) == ("villages", 3, 2, 66)
    assert list(cov.missing) == ["北坡村"]
    assert p.behind
    assert p.gaps == ["本月家访差 1 次"]


def test_village_cadre_figures(county, month):
    cadre = User.objects.select_related("node").get(pk=county.users["cadre"].pk)
    p = figures(county, cadre, detail=True)
    assert (p.visits, p.households) == (3, 4)
    m = p.monthly
    assert (m.done, m.minimum, m.maximum, m.gap, m.status) == (4, 3, 5, 0, "met")
    assert p.residence is None  # village cadres live in their village
    # 东风村 has 5 households; 4 reached in 2025 (the leader's and the cadre's visits).
    cov = p.coverage
    assert (cov.kind, cov.total, cov.reached, cov.percent) == ("households", 5, 4, 80)
    assert [x.code for x in cov.missing] == [month["x3"].code]
    assert not p.behind


def test_colleague_is_behind_and_clerk_misses_residence_days(county, month):
    colleague = User.objects.select_related("node").get(pk=county.users["colleague"].pk)
    clerk = User.objects.select_related("node").get(pk=county.users["township_staff"].pk)
    c, s = figures(county, colleague, clerk)
    assert (c.monthly.done, c.monthly.gap, c.monthly.status) == (0, 3, "behind")
    assert c.gaps == ["本月走访差 3 户"]
    assert (c.coverage.reached, c.coverage.total) == (4, 5)  # the village's list is shared
    assert s.monthly is None  # an ordinary township cadre has no monthly number
    assert (s.residence.minimum, s.residence.due, s.residence.gap) == (5, 1, 1)
    assert s.gaps == ["住村落后 1 天"]


def test_county_leader_quota_and_rank_rules(county, month):
    county_leader = User.objects.select_related("node").get(pk=month["county_leader"].pk)
    p = figures(county, county_leader)
    assert (p.monthly.done, p.monthly.minimum, p.monthly.gap) == (1, 2, 1)
    assert (p.residence.minimum, p.residence.due) == (10, 2)  # 县级 counts as 科级 and above
    assert p.coverage is None
    rules = FieldworkRules()
    city = User(rank=Rank.CITY, role=Role.DEPT_HANDLER)
    assert monthly_target(city, rules, 0, 0).minimum == 1
    section_at_county = User(rank=Rank.SECTION, role=Role.DEPT_HANDLER, node=county.county)
    assert monthly_target(section_at_county, rules, 0, 0) is None
    section_at_township = User(rank=Rank.SECTION, role=Role.TOWNSHIP_STAFF, node=county.t1)
    assert monthly_target(section_at_township, rules, 0, 0).minimum == 3


def test_county_numbers_replace_the_defaults(county, month):
    FieldworkRules.objects.create(
        county=county.county, visits_township_leader=2, village_households_min=5,
        village_households_max=8, residence_days_section=12,
    )  # fmt: skip
    leader = User.objects.select_related("node").get(pk=month["leader"].pk)
    cadre = User.objects.select_related("node").get(pk=county.users["cadre"].pk)
    lp, cp = figures(county, leader, cadre)
    assert lp.monthly.status == "met"
    assert (lp.residence.minimum, lp.residence.due) == (12, 3)
    assert (cp.monthly.minimum, cp.monthly.maximum, cp.monthly.gap) == (5, 8, 1)


def test_target_over_the_range_is_not_behind():
    assert Target(6, 3, 5).status == "over"
    assert Target(2, 3, 5).gap == 1


def test_team_lists_field_cadres_in_scope(county, month):
    names = {u.username for u in team_in_scope(month["leader"])}
    assert {"cadre", "colleague", "sibling", "township_staff", "leader", "liaison"} <= names
    assert not names & {"other_township", "county_admin", "deputy", "xianling"}


def test_progress_pages(county, month, client, client_for):
    client.force_login(month["leader"])
    page = client.get("/field/visits/progress/?month=2025-03")
    assert page.status_code == 200
    mine = page.text.split('data-testid="my-progress"')[1].split('data-testid="team-progress"')[0]
    assert "2/3" in mine
    assert "本月家访差 1 次" in mine
    assert "北坡村" in mine
    assert "66%" in mine
    team = {p.user.username: p for p in page.context["page"]}
    assert team["colleague"].behind
    assert team["leader"].behind
    assert not team["cadre"].behind
    assert 'data-user="colleague" data-behind="1"' in page.text
    assert 'data-user="cadre">' in page.text  # met: not highlighted
    # Behind first, and "only behind" leaves the cadre out.
    assert next(iter(page.context["page"])).behind
    behind = client.get("/field/visits/progress/?month=2025-03&behind=1")
    assert "cadre" not in {p.user.username for p in behind.context["page"]}
    assert "colleague" in {p.user.username for p in behind.context["page"]}

    cadre = client_for("cadre").get("/field/visits/progress/?month=2025-03")
    assert cadre.context["team"] is None
    assert 'data-testid="team-progress"' not in cadre.text
    assert "80%" in cadre.text
    assert "孙三" in cadre.text
    supervisor = client_for("county_supervisor").get("/field/visits/progress/?month=2025-03")
    assert supervisor.context["mine"] is None
    assert "leader" in {p.user.username for p in supervisor.context["team"]}
    # A month in the future or garbage falls back to this month.
    assert client_for("cadre").get("/field/visits/progress/?month=2999-01").status_code == 200
    assert client_for("cadre").get("/field/visits/progress/?month=x").status_code == 200
    assert client_for("deputy").get("/field/visits/progress/").status_code == 404


def test_team_page_query_count_does_not_grow_with_cadres(county, month, client):
    client.force_login(month["leader"])
    url = "/field/visits/progress/?month=2025-03"

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    count()  # the first request of a session warms caches
    before = count()
    for seq in range(5, 9):
        village = node_create(
            actor=None, level=Level.VILLAGE, code=f"330199101{200 + seq}", name=f"新村{seq}",
            parent=county.t1,
        )  # fmt: skip
        group = node_create(
            actor=None, level=Level.GROUP, code=f"{village.code}001", name="一组", parent=village
        )
        household = _household(group, f"户主{seq}", 40 + seq)
        cadre = staff_create(
            actor=None, username=f"c{seq}", name=f"村干{seq}", role=Role.VILLAGE_CADRE,
            node=village, password="x", rank=Rank.VILLAGE,
        )  # fmt: skip
        visit(cadre, "2025-03-09", village, [household])
    assert count() == before


def test_county_leader_coverage_of_linked_places(county, month):
    """A county leader linked to 北坡村 and the township 河口乡 reached the village in March
    (a visit placed there) but nothing in 河口乡: 1 of 2, with 河口乡 listed."""
    county_leader = User.objects.select_related("node").get(pk=month["county_leader"].pk)
    county_leader.linked_places.set([month["v4"], county.t2])
    p = figures(county, county_leader, detail=True)
    assert (p.coverage.kind, p.coverage.total, p.coverage.reached) == ("places", 2, 1)
    assert list(p.coverage.missing) == ["河口乡"]
    # A visit to a household in 河口乡 reaches the township.
    visit(county_leader, "2025-03-25", county.v3, [county.households["H3"]])
    assert figures(county, county_leader).coverage.percent == 100
