"""Contact households (联系户): quotas from county rules, assignment, coverage, scoping."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from minqing.audit.models import AuditEvent
from minqing.households.contacts import quota_for, village_size_quota
from minqing.households.models import ContactAssignment, ContactRules, Household, QuotaRule, Tag
from minqing.households.network_selectors import coverage_by_village, network_overview
from minqing.households.services import contact_assign, tags_ensure_default
from minqing.org.roles import Rank
from tests.conftest import _household


@pytest.mark.parametrize(
    ("population", "quota"), [(0, 10), (499, 10), (500, 15), (1000, 15), (1001, 20)]
)
def test_village_size_sets_the_quota_at_the_documented_thresholds(population, quota):
    assert village_size_quota(ContactRules(), population) == quota


def test_quota_follows_the_county_rule_rank_and_department(county):
    rules = ContactRules(county=county.county)
    township_staff, dept = county.users["township_staff"], county.users["dept_handler"]
    county.v1.population = 1200
    township_staff.linked_village = county.v1
    assert quota_for(township_staff, rules).target == 20
    dept_quota = quota_for(dept, rules, county.v1)
    assert (dept_quota.target, dept_quota.at_least) == (2, True)
    assert dept_quota.status(5) == "met"

    rules.quota_rule = QuotaRule.RANK
    assert quota_for(township_staff, rules).target == 3
    township_staff.rank = Rank.SECTION
    assert quota_for(township_staff, rules).target == 5
    # A county that sets its own numbers gets them.
    rules.section_rank_quota = 6
    assert quota_for(township_staff, rules).target == 6


def _tag(county, code):
    tags_ensure_default(county=county.county)
    return Tag.objects.get(county=county.county, code=code)


def test_assigning_registers_once_links_the_village_and_is_audited(county):
    cadre, staff = county.users["cadre"], county.users["township_staff"]
    h1a, h1b = county.households["H1a"], county.households["H1b"]
    created, held = contact_assign(actor=cadre, cadre=staff, village=county.v1,
                                   households=[h1a, h1b])  # fmt: skip
    assert (len(created), held) == (2, 0)
    staff.refresh_from_db()
    assert staff.linked_village == county.v1
    # The same post again adds nothing.
    created, held = contact_assign(actor=cadre, cadre=staff, village=county.v1, households=[h1a])
    assert (len(created), held) == (0, 1)
    assert ContactAssignment.objects.active().filter(cadre=staff).count() == 2
    assert AuditEvent.objects.filter(object_type="households.contactassignment").count() == 2


def test_households_of_another_village_and_non_cadres_are_refused(county):
    cadre = county.users["cadre"]
    with pytest.raises(ValidationError):
        contact_assign(actor=cadre, cadre=county.users["colleague"], village=county.v1,
                       households=[county.households["H2"]])  # fmt: skip
    for persona in ("liaison", "deputy", "county_supervisor", "other_dept"):
        with pytest.raises(ValidationError):
            contact_assign(actor=cadre, cadre=county.users[persona], village=county.v1,
                           households=[county.households["H1a"]])  # fmt: skip


def test_coverage_counts_hardship_households_with_and_without_a_cadre(county):
    hardship = _tag(county, "hardship")
    h1a, h1b = county.households["H1a"], county.households["H1b"]
    h1a.tags.add(hardship)
    h1b.tags.add(hardship)
    extra = _household(county.g1a, "新户", 90)
    figures = coverage_by_village(county.v1.path)[county.v1.pk]
    assert (figures.households, figures.hardship, figures.hardship_covered) == (3, 2, 0)
    contact_assign(actor=county.users["cadre"], cadre=county.users["colleague"],
                   village=county.v1, households=[h1a, extra])  # fmt: skip
    figures = coverage_by_village(county.v1.path)[county.v1.pk]
    assert (figures.covered, figures.hardship_covered, figures.hardship_pct) == (2, 1, 50.0)
    # Released contacts no longer count.
    ContactAssignment.objects.filter(household=h1a).update(ended_at="2026-01-01T00:00Z")
    assert coverage_by_village(county.v1.path)[county.v1.pk].hardship_covered == 0


def test_overview_groups_villages_by_township_within_scope(county):
    townships = network_overview(county.t1.path)
    assert [t.name for t, _rows, _total in townships] == ["城关镇"]
    rows = townships[0][1]
    assert [r.village.name for r in rows] == ["东风村", "西岭村"]
    assert townships[0][2].households == 3  # H1a, H1b and H2


def test_village_page_shows_candidates_progress_and_uncovered_hardship(county, client_for):
    h1a = county.households["H1a"]
    h1a.tags.add(_tag(county, "hardship"))
    county.households["H1b"].tags.add(_tag(county, "petitioner"))
    page = client_for("cadre").get(reverse("network:contacts", args=[county.v1.code]))
    assert page.status_code == 200
    html = page.content.decode()
    candidates = html.split('data-testid="candidates"')[1].split("</div>\n          <div")[0]
    # Hardship first, then the petitioner; untagged households are not proposed.
    assert candidates.index("张建国") < candidates.index("李秀英")
    assert "uncovered-hardship" in html
    # No cadre is linked yet; the village's 两委 and the township's cadres can be chosen.
    assert html.count('data-cadre="') == 0
    options = html.split('name="cadre"')[1].split("</select>")[0]
    assert all(name in options for name in ("赵村官", "钱同事", "吴镇干"))
    assert "孙邻村" not in options
    # Once linked, a township cadre below quota (village of 0 people → 10) is warned about.
    county.users["township_staff"].linked_village = county.v1
    county.users["township_staff"].save()
    html = client_for("cadre").get(reverse("network:contacts", args=[county.v1.code])).content
    assert b'data-cadre="township_staff"' in html
    assert b"shortfall-warning" in html


def test_assign_through_the_page_and_release(county, client_for):
    client = client_for("cadre")
    staff = county.users["township_staff"]
    url = reverse("network:assign", args=[county.v1.code])
    ids = [county.households["H1a"].pk, county.households["H1b"].pk]
    response = client.post(url, {"cadre": staff.pk, "households": ids}, follow=True)
    assert "已为吴镇干登记 2 户联系户" in response.content.decode()
    # Posting the same form again (a double click) registers nothing new.
    client.post(url, {"cadre": staff.pk, "households": ids})
    assert ContactAssignment.objects.active().filter(cadre=staff).count() == 2
    page = client.get(reverse("network:contacts", args=[county.v1.code])).content.decode()
    assert f'data-cadre="{staff.username}"' in page
    assignment = ContactAssignment.objects.filter(cadre=staff).first()
    client.post(reverse("network:end", args=[assignment.pk]))
    assert ContactAssignment.objects.active().filter(cadre=staff).count() == 1


def test_assign_form_errors_are_in_chinese_and_store_nothing(county, client_for):
    client = client_for("cadre")
    url = reverse("network:assign", args=[county.v1.code])
    response = client.post(url, {"cadre": county.users["township_staff"].pk})
    assert "请至少选择一户" in response.content.decode()
    # A household of the sibling village cannot be smuggled into the form.
    response = client.post(
        url, {"cadre": county.users["colleague"].pk, "households": [county.households["H2"].pk]}
    )
    assert response.status_code == 200
    assert ContactAssignment.objects.count() == 0


@pytest.mark.parametrize("persona", ["sibling", "other_township", "other_admin", "dept_handler"])
def test_outsiders_get_404_on_the_village_and_its_actions(county, client_for, persona):
    client = client_for(persona)
    assert client.get(reverse("network:contacts", args=[county.v1.code])).status_code == 404
    response = client.post(
        reverse("network:assign", args=[county.v1.code]),
        {"cadre": county.users["cadre"].pk, "households": [county.households["H1a"].pk]},
    )
    assert response.status_code == 404
    assert ContactAssignment.objects.count() == 0


def test_release_outside_scope_is_404(county, client_for):
    cadre = county.users["cadre"]
    (assignment,), _ = contact_assign(actor=cadre, cadre=cadre, village=county.v1,
                                      households=[county.households["H1a"]])  # fmt: skip
    assert (
        client_for("sibling").post(reverse("network:end", args=[assignment.pk])).status_code == 404
    )
    assert ContactAssignment.objects.active().count() == 1


def test_viewing_without_manage_rights_shows_no_forms(county, client_for):
    page = client_for("liaison").get(reverse("network:index"))
    assert page.status_code == 200
    # The county supervisor may look at coverage but not assign.
    page = client_for("county_supervisor").get(reverse("network:contacts", args=[county.v1.code]))
    assert page.status_code == 200
    assert "assign-form" not in page.content.decode()
    response = client_for("county_supervisor").post(
        reverse("network:assign", args=[county.v1.code]), {}
    )
    assert response.status_code == 404


def test_index_query_count_does_not_grow_with_villages(
    county, client_for, django_assert_max_num_queries
):
    client = client_for("county_admin")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("network:index")).status_code == 200
    for n in range(20):
        Household.objects.create(code=f"X{n}", group=county.g3, address="x", head_name="x")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("network:index")).status_code == 200


def test_department_leaders_can_be_chosen_and_need_at_least_two(county, client_for):
    leader = county.users["dept_handler"]
    leader.rank = Rank.SECTION
    leader.save()
    html = client_for("cadre").get(reverse("network:contacts", args=[county.v1.code])).text
    assert "郑民政" in html.split('name="cadre"')[1].split("</select>")[0]
    client_for("cadre").post(
        reverse("network:assign", args=[county.v1.code]),
        {"cadre": leader.pk, "households": [county.households["H1a"].pk]},
    )
    row = client_for("cadre").get(reverse("network:contacts", args=[county.v1.code])).text
    row = row.split(f'data-cadre="{leader.username}"')[1].split("</tr>")[0]
    assert "1</span>/≥2" in row
    assert "不足" in row
