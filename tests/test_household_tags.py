"""Household tags (四类对象, contact-household types) are county configuration; the
household page is the 民情档案 with its tags and the cases that name it."""

from minqing.audit.models import Action, AuditEvent
from minqing.cases.services import case_register
from minqing.households.models import Tag
from minqing.households.services import tags_ensure_default


def test_default_tags_are_seeded_once_per_county(county):
    assert tags_ensure_default(county=county.county) == 9
    assert tags_ensure_default(county=county.county) == 0
    names = set(Tag.objects.filter(county=county.county).values_list("name", flat=True))
    assert {"困难户", "特殊群体", "拆迁户", "外来务工人员", "老党员", "上访户"} <= names


def test_cadre_tags_a_household_and_the_list_filters_by_it(county, client_for):
    tags_ensure_default(county=county.county)
    hardship = Tag.objects.get(county=county.county, code="hardship")
    household = county.households["H1a"]
    client = client_for("cadre")
    client.post(f"/households/{household.code}/tags/", {"tags": [hardship.pk]})
    assert list(household.tags.all()) == [hardship]
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(household.pk)).exists()
    listed = client.get("/households/", {"tag": "hardship"}).text
    assert household.code in listed
    assert county.households["H1b"].code not in listed


def test_tags_of_another_county_are_ignored(county, client_for):
    tags_ensure_default(county=county.other_county)
    foreign = Tag.objects.get(county=county.other_county, code="hardship")
    household = county.households["H1a"]
    client_for("cadre").post(f"/households/{household.code}/tags/", {"tags": [foreign.pk]})
    assert household.tags.count() == 0


def test_roles_without_registry_rights_cannot_tag(county, client_for):
    tags_ensure_default(county=county.county)
    tag = Tag.objects.get(county=county.county, code="hardship")
    household = county.households["H1a"]
    assert (
        client_for("township_staff")
        .post(f"/households/{household.code}/tags/", {"tags": [tag.pk]})
        .status_code
        == 404
    )
    assert (
        client_for("sibling")
        .post(f"/households/{household.code}/tags/", {"tags": [tag.pk]})
        .status_code
        == 404
    )
    assert household.tags.count() == 0


def test_household_page_lists_the_cases_that_name_it(county, client_for):
    household = county.households["H1a"]
    case, _ = case_register(
        actor=None, node=county.g1a, channel="home_visit", nature="help",
        original_text="申请危房改造", reporter_name="张建国", households=[household],
    )  # fmt: skip
    page = client_for("cadre").get(f"/households/{household.code}/").text
    assert case.number in page
