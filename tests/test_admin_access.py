"""Django admin is for the county administrator only, and respects the same scoping."""

import pytest

from minqing.households.models import Household


@pytest.mark.parametrize(
    "persona",
    ["cadre", "township_staff", "county_supervisor", "dept_handler", "liaison", "deputy"],
)
def test_other_roles_cannot_open_admin(county, client_for, persona):
    client = client_for(persona)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/households/household/").status_code == 302


def test_county_admin_sees_only_their_county_in_admin(county, client_for):
    client = client_for("county_admin")
    response = client.get("/admin/households/household/")
    assert response.status_code == 200
    for key, household in county.households.items():
        assert (household.code in response.text) == (key != "HX"), key


def test_admin_change_page_of_another_county_is_not_reachable(county, client_for):
    client = client_for("county_admin")
    other = county.households["HX"]
    response = client.get(f"/admin/households/household/{other.pk}/change/")
    # Django admin redirects to the index with "doesn't exist" for objects outside the queryset.
    assert response.status_code == 302
    assert (
        client.post(f"/admin/households/household/{other.pk}/delete/", {"post": "yes"}).status_code
        == 302
    )
    assert Household.objects.filter(pk=other.pk).exists()


def test_admin_does_not_show_id_numbers(county, client_for):
    household = county.households["H1a"]
    member = household.members.get()
    response = client_for("county_admin").get(f"/admin/households/household/{household.pk}/change/")
    assert response.status_code == 200
    assert member.id_number not in response.text
    assert member.phone not in response.text


def test_county_admin_sees_navigation_entry_and_others_do_not(county, client_for):
    assert "管理后台" in client_for("county_admin").get("/").text
    assert "管理后台" not in client_for("county_supervisor").get("/").text


def test_admin_action_recounts_node_statistics(county, client_for):
    response = client_for("county_admin").post(
        "/admin/org/node/",
        {"action": "refresh_statistics", "_selected_action": [county.county.pk]},
    )
    assert response.status_code == 302
    county.t1.refresh_from_db()
    assert (county.t1.household_count, county.t1.population) == (3, 3)


def test_county_admin_edits_case_rules_of_their_county_only(county, client_for):
    from minqing.audit.models import AuditEvent
    from minqing.cases.models import CaseRules

    client = client_for("county_admin")
    page = client.get("/admin/cases/caserules/add/")
    assert page.status_code == 200
    assert "清河县" in page.text
    assert "邻县" not in page.text
    response = client.post(
        "/admin/cases/caserules/add/",
        {
            "county": county.county.pk, "normal_days": 5, "important_days": 20,
            "urgent_hours": 12, "remind_before_hours": 24, "return_visit_days": 3,
            "inquiry_days": 7, "check_days": 15, "dispatch_days": 30, "slow_after_days": 15,
        },
    )  # fmt: skip
    assert response.status_code == 302, response.text[:3000]
    assert CaseRules.objects.get(county=county.county).normal_days == 5
    assert AuditEvent.objects.filter(object_type="cases.caserules").exists()
    assert client_for("cadre").get("/admin/cases/caserules/").status_code == 302


def test_county_admin_sets_contact_rules_and_the_quota_follows(county, client_for):
    from minqing.households.contacts import quota_for, rules_for_village
    from minqing.households.models import ContactRules

    client = client_for("county_admin")
    page = client.get("/admin/households/contactrules/add/")
    assert "清河县" in page.text
    assert "邻县" not in page.text
    response = client.post(
        "/admin/households/contactrules/add/",
        {
            "county": county.county.pk, "quota_rule": "rank", "small_village_below": 500,
            "large_village_above": 1000, "quota_small": 10, "quota_medium": 15, "quota_large": 20,
            "department_leader_min": 2, "section_rank_quota": 6, "general_rank_quota": 4,
            "hotline": "0571-12345", "card_issue_target": 95, "card_shows_network_phones": "on",
            "id_mask_tail": 4,
        },
    )  # fmt: skip
    assert response.status_code == 302, response.text[:3000]
    rules = rules_for_village(county.v1)
    assert rules.pk == ContactRules.objects.get(county=county.county).pk
    assert quota_for(county.users["township_staff"], rules).target == 4
    # Another county's admin does not see this county's rules.
    assert "清河县" not in client_for("other_admin").get("/admin/households/contactrules/").text
