"""Each persona sees exactly its jurisdiction: lists, counts and detail pages (404 outside)."""

import pytest

from minqing.audit.models import Action, AuditEvent
from minqing.households.models import Household, Resident
from minqing.org.models import Node, Unit, User
from minqing.org.selectors import scope_counts

# Which fixture households each persona may see.
VISIBLE_HOUSEHOLDS = {
    "cadre": {"H1a", "H1b"},
    "colleague": {"H1a", "H1b"},
    "sibling": {"H2"},
    "other_township": {"H3"},
    "township_staff": {"H1a", "H1b", "H2"},
    "county_admin": {"H1a", "H1b", "H2", "H3"},
    "county_supervisor": {"H1a", "H1b", "H2", "H3"},
    "liaison": {"H1a"},
    "dept_handler": set(),  # residents reach a department only through cases
    "deputy": set(),
    "other_admin": {"HX"},
}


@pytest.mark.parametrize(("persona", "expected"), VISIBLE_HOUSEHOLDS.items())
def test_household_queryset_is_exactly_the_personas_scope(county, persona, expected):
    user = county.users[persona]
    seen = set(Household.objects.for_user(user).values_list("code", flat=True))
    assert seen == county.household_codes(*expected)
    residents = set(Resident.objects.for_user(user).values_list("household__code", flat=True))
    assert residents == county.household_codes(*expected)


@pytest.mark.parametrize(("persona", "expected"), VISIBLE_HOUSEHOLDS.items())
def test_household_pages_answer_404_outside_scope(county, client_for, persona, expected):
    client = client_for(persona)
    for key, household in county.households.items():
        response = client.get(f"/households/{household.code}/")
        if key in expected:
            assert response.status_code == 200, key
            assert household.head_name in response.text
        else:
            assert response.status_code == 404, key


@pytest.mark.parametrize(("persona", "expected"), VISIBLE_HOUSEHOLDS.items())
def test_household_list_shows_only_scope(county, client_for, persona, expected):
    response = client_for(persona).get("/households/")
    if not expected and persona in {"dept_handler", "deputy"}:
        assert response.status_code == 404  # the page does not exist for these roles
        return
    assert response.status_code == 200
    for key, household in county.households.items():
        assert (household.code in response.text) == (key in expected), key


def test_anonymous_is_sent_to_login_and_sees_nothing(county, client_for):
    client = client_for("anonymous")
    for url in [
        "/",
        "/households/",
        f"/households/{county.households['H1a'].code}/",
        "/org/staff/",
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_anonymous_user_object_scopes_to_nothing(county):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert Household.objects.for_user(anonymous).count() == 0
    assert Node.objects.for_user(anonymous).count() == 0
    assert User.objects.for_user(anonymous).count() == 0


def test_inactive_user_sees_nothing(county):
    cadre = county.users["cadre"]
    cadre.is_active = False
    assert Household.objects.for_user(cadre).count() == 0


@pytest.mark.parametrize(
    ("persona", "visible", "hidden"),
    [
        ("cadre", ["v1", "g1a", "g1b"], ["county", "t1", "v2", "v3", "g2", "gx"]),
        ("township_staff", ["t1", "v1", "v2", "g2"], ["county", "t2", "v3", "gx"]),
        ("county_admin", ["county", "t1", "t2", "v3", "g3"], ["other_county", "gx"]),
        ("dept_handler", ["county", "t2", "g3"], ["other_county", "gx"]),
        ("liaison", ["g1a"], ["v1", "g1b"]),
    ],
)
def test_tree_pages_answer_404_outside_scope(county, client_for, persona, visible, hidden):
    client = client_for(persona)
    for attr in visible:
        assert client.get(f"/org/tree/{getattr(county, attr).code}/").status_code == 200, attr
    for attr in hidden:
        assert client.get(f"/org/tree/{getattr(county, attr).code}/").status_code == 404, attr


def test_out_of_scope_access_is_logged_and_changes_nothing(county, client_for):
    before = Household.objects.count()
    target = county.households["H2"]
    response = client_for("cadre").get(f"/households/{target.code}/")
    assert response.status_code == 404
    denial = AuditEvent.objects.get(action=Action.DENIED)
    assert denial.actor == county.users["cadre"]
    assert denial.object_type == "households.household"
    assert target.code in denial.object_id
    assert Household.objects.count() == before


def test_unknown_object_is_404_without_a_denial_record(county, client_for):
    assert client_for("cadre").get("/households/000000000000000/").status_code == 404
    assert not AuditEvent.objects.filter(action=Action.DENIED).exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("cadre", {"groups": 2, "households": 2, "residents": 2, "villages": 1}),
        ("township_staff", {"groups": 3, "households": 3, "villages": 2, "townships": 1}),
        ("county_admin", {"groups": 4, "households": 4, "villages": 3, "townships": 2}),
        ("dept_handler", {"groups": 4, "households": None, "residents": None}),
        ("other_admin", {"groups": 1, "households": 1, "townships": 1}),
    ],
)
def test_home_counts_come_from_the_scoped_queryset(county, persona, expected):
    counts = scope_counts(county.users[persona])
    for field, value in expected.items():
        assert getattr(counts, field) == value, field


def test_home_page_shows_the_scope_counts(county, client_for):
    response = client_for("township_staff").get("/")
    assert response.status_code == 200
    counts = response.context["counts"]
    assert (counts.villages, counts.groups, counts.households) == (2, 3, 3)
    assert "城关镇" in response.text


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("cadre", {"cadre", "colleague", "liaison"}),
        (
            "township_staff",
            {"cadre", "colleague", "sibling", "township_staff", "liaison", "deputy"},
        ),
        ("dept_handler", {"dept_handler"}),
    ],
)
def test_staff_list_is_scoped(county, client_for, persona, expected):
    seen = set(User.objects.for_user(county.users[persona]).values_list("username", flat=True))
    assert seen == expected
    response = client_for(persona).get("/org/staff/")
    assert response.status_code == 200
    for username, user in county.users.items():
        assert (user.name in response.text) == (username in expected), username


def test_staff_see_their_units_the_offices_above_and_their_countys_departments(county):
    units = set(Unit.objects.for_user(county.users["cadre"]).values_list("name", flat=True))
    assert "县民政局" in units
    assert "东风村民情民意联络服务站" in units
    assert "城关镇民情民意联络服务中心" in units  # the office above, where matters go up
    assert "邻县民政局" not in units


def test_sibling_village_station_is_not_visible(county):
    from minqing.org import services

    services.unit_create(actor=None, kind="station", name="西岭村服务站", node=county.v2)
    units = set(Unit.objects.for_user(county.users["cadre"]).values_list("name", flat=True))
    assert "西岭村服务站" not in units


def test_county_offices_are_visible_to_township_and_village_staff(county):
    from minqing.org import services

    services.unit_create(actor=None, kind="office", name="县委督查室", node=county.county)
    services.unit_create(actor=None, kind="office", name="邻县督查室", node=county.other_county)
    for persona in ["cadre", "township_staff"]:
        units = set(Unit.objects.for_user(county.users[persona]).values_list("name", flat=True))
        assert "县委督查室" in units
        assert "邻县督查室" not in units
