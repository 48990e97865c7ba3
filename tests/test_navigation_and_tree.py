"""Navigation shows what a role may use; the tree browser shows counts per child node."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minqing.org.roles import Role
from minqing.web.nav import nav_for


@pytest.mark.parametrize(
    ("persona", "keys"),
    [
        (
            "county_admin",
            [
                "home",
                "cases",
                "tree",
                "households",
                "network",
                "fieldwork_review",
                "hotspots",
                "keywords",
                "models",
                "staff",
                "admin",
            ],
        ),
        (
            "county_supervisor",
            [
                "home",
                "cases",
                "tree",
                "households",
                "network",
                "fieldwork_review",
                "hotspots",
                "keywords",
                "staff",
            ],
        ),
        (
            "township_staff",
            [
                "home",
                "cases",
                "tree",
                "households",
                "network",
                "diary",
                "visits",
                "talk",
                "hotspots",
                "keywords",
                "staff",
            ],
        ),
        (
            "cadre",
            [
                "home",
                "cases",
                "tree",
                "households",
                "network",
                "diary",
                "visits",
                "talk",
                "hotspots",
                "keywords",
                "staff",
            ],
        ),
        ("dept_handler", ["home", "cases", "tree", "diary", "visits", "staff"]),
        ("liaison", ["home", "cases", "tree", "households", "network", "diary", "visits", "talk"]),
        ("deputy", ["home", "cases", "tree", "receptions", "staff"]),
    ],
)
def test_navigation_matches_the_role(county, persona, keys):
    assert [item.key for item in nav_for(county.users[persona])] == keys


def test_pages_outside_the_role_answer_404(county, client_for):
    assert client_for("dept_handler").get("/households/").status_code == 404
    assert client_for("liaison").get("/org/staff/").status_code == 404


def test_tree_root_redirects_to_own_node(county, client_for):
    response = client_for("township_staff").get("/org/tree/")
    assert response.status_code == 302
    assert response["Location"] == f"/org/tree/{county.t1.code}/"


def test_county_page_counts_each_township_subtree(county, client_for):
    response = client_for("county_admin").get(f"/org/tree/{county.county.code}/")
    rows = {row.node.name: row for row in response.context["children"]}
    assert set(rows) == {"城关镇", "河口乡"}
    assert (rows["城关镇"].groups, rows["城关镇"].households, rows["城关镇"].residents) == (3, 3, 3)
    assert (rows["河口乡"].groups, rows["河口乡"].households) == (1, 1)
    # staff at T1 and below: cadre, colleague, sibling, township_staff, liaison, deputy
    assert rows["城关镇"].staff == 6


def test_department_handler_sees_structure_but_no_resident_counts(county, client_for):
    response = client_for("dept_handler").get(f"/org/tree/{county.county.code}/")
    assert response.status_code == 200
    assert all(row.households is None for row in response.context["children"])
    table = response.text.split('data-testid="children-table"')[1].split("</table>")[0]
    assert "户数" not in table


def test_tree_page_query_count_does_not_grow_with_children(county, client_for):
    client = client_for("county_admin")
    url = f"/org/tree/{county.county.code}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    from minqing.org import services

    for i in range(5):
        services.node_create(
            actor=None, level="township", code=f"3301991{10 + i}000", name=f"新镇{i}",
            parent=county.county,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)
    assert len(few) <= 15


def test_role_labels_are_chinese():
    assert Role.VILLAGE_CADRE.label == "村(社区)两委干部"
