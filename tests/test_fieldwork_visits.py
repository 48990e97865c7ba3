"""Visits (民情家访日志) and visit plans (家访公告): logging, scoping, idempotent saves,
turning what was heard into cases, and plans on the public board and the village page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minqing.audit.models import AuditEvent
from minqing.cases.models import Case
from minqing.fieldwork.models import Visit, VisitPlan
from minqing.fieldwork.services import visit_case_create, visit_plan_create, visit_record
from minqing.org.models import Level
from minqing.org.roles import Rank, Role
from minqing.org.services import node_create, staff_create
from tests.conftest import _household

HEARD = "村口路灯坏了三个月，晚上老人出门不方便。\n二组水渠堵了，下雨天淹到田里。"


def visit_data(county, *households, **extra):
    data = {
        "idempotency_key": extra.pop("key", "k-visit-1"),
        "node": county.v1.pk,
        "date": timezone.localdate().isoformat(),
        "form": "home",
        "households": [county.households[h].pk for h in households],
        "facts": "on",
        "difficulties": "on",
        "heard": HEARD,
        "promised": "一周内答复路灯的事。",
    }
    data.update(extra)
    return data


def log_visit(county, persona="township_staff", households=("H1a", "H1b"), **extra):
    return visit_record(
        actor=county.users[persona],
        node=extra.pop("node", county.v1),
        date=extra.pop("date", timezone.localdate()),
        form=extra.pop("form", "home"),
        households=[county.households[h] for h in households],
        heard=extra.pop("heard", HEARD),
        **extra,
    )[0]


def township_leader(county):
    return staff_create(
        actor=None, username="leader", name="郑镇长", role=Role.TOWNSHIP_LEADER, node=county.t1,
        unit=county.center, password="x", rank=Rank.SECTION, post="镇长",
    )  # fmt: skip


# --- Visit log ---------------------------------------------------------------------------


def test_new_visit_form_offers_places_and_the_places_households(county, client_for):
    client = client_for("township_staff")
    page = client.get("/field/visits/new/")
    assert page.status_code == 200
    assert 'data-draft="visit"' in page.text
    assert 'name="idempotency_key"' in page.text
    assert "js/drafts.js" in page.text
    # A township holds too many households: pick a village first.
    assert 'name="households"' not in page.text
    assert f'value="{county.v1.code}"' in page.text
    assert f'value="{county.v3.code}"' not in page.text
    village = client.get(f"/field/visits/new/?place={county.v1.code}")
    for code in county.household_codes("H1a", "H1b"):
        assert f'data-code="{code}"' in village.text
    assert f'data-code="{county.households["H2"].code}"' not in village.text
    # Each GET gets a fresh key: two drafts never collide.
    key = page.context["form"].initial["idempotency_key"]
    assert key != village.context["form"].initial["idempotency_key"]
    # A place outside the scope falls back to the user's own node.
    outside = client.get(f"/field/visits/new/?place={county.v3.code}")
    assert outside.context["place"] == county.t1


def test_visit_is_logged_once_per_key_and_audited(county, client_for):
    client = client_for("township_staff")
    data = visit_data(county, "H1a", "H1b", residence_day="on")
    first = client.post("/field/visits/new/", data)
    visit = Visit.objects.get()
    assert first.status_code == 302
    assert first["Location"] == f"/field/visits/{visit.pk}/"
    assert visit.visitor == county.users["township_staff"]
    assert set(visit.households.values_list("code", flat=True)) == county.household_codes(
        "H1a", "H1b"
    )
    assert (visit.facts, visit.feelings, visit.difficulties, visit.hidden_risks) == (
        True, False, True, False,
    )  # fmt: skip
    assert visit.residence_day
    assert visit.form == "home"
    assert visit.promised == "一周内答复路灯的事。"
    # The same draft sent again (lost connection, double tap) goes to the same record.
    again = client.post("/field/visits/new/", data)
    assert again.status_code == 302
    assert again["Location"] == f"/field/visits/{visit.pk}/"
    assert Visit.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="fieldwork.visit", action="create").count() == 1
    # The service answers a retried key the same way.
    same, created = visit_record(
        actor=county.users["township_staff"], node=county.v1, date=visit.date, form="home",
        heard="x", idempotency_key=data["idempotency_key"],
    )  # fmt: skip
    assert (same, created) == (visit, False)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"node": "NODE_V3"}, "node"),
        ({"households": "H2"}, "households"),
        ({"date": "TOMORROW"}, "date"),
        ({"households": [], "heard": ""}, "households"),
        ({"form": "party"}, "form"),
    ],
)
def test_visit_form_refuses_bad_input_in_chinese(county, client_for, change, field):
    data = visit_data(county, "H1a")
    for key, value in change.items():
        if value == "NODE_V3":
            value = county.v3.pk
        elif value == "H2":
            value = [county.households["H2"].pk]
        elif value == "TOMORROW":
            value = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
        data[key] = value
    response = client_for("township_staff").post("/field/visits/new/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert all(re.search(r"[\u4e00-\u9fff]", message) for message in errors[field])
    assert Visit.objects.count() == 0


def test_village_cadre_has_no_residence_day_box(county, client_for):
    page = client_for("cadre").get("/field/visits/new/")
    assert page.status_code == 200
    assert 'name="residence_day"' not in page.text
    assert f'data-code="{county.households["H1a"].code}"' in page.text  # own village listed
    assert 'name="residence_day"' in client_for("township_staff").get("/field/visits/new/").text


def test_detail_shows_everything_and_clears_the_draft(county, client_for):
    visit = log_visit(county, residence_day=True, facts=True, promised="一周内答复。")
    page = client_for("township_staff").get(f"/field/visits/{visit.pk}/")
    assert page.status_code == 200
    text = page.text
    assert '<div hidden data-draft-clear="visit"></div>' in text
    expected_texts = ["吴镇干", "东风村", "主动家访", "张建国", "李秀英", "村口路灯坏了",
                      "一周内答复。", "摸清实情", "住村日"]  # fmt: skip
    for expected in expected_texts:
        assert expected in text
    # One "turn into a case" form per line heard, prefilled with that line.
    assert text.count('data-testid="to-case"') == 2
    assert "二组水渠堵了" in page.context["items"][1]["form"].initial["text"]


@pytest.mark.parametrize("persona", ["other_township", "sibling", "liaison", "colleague"])
def test_outsiders_get_404_and_the_attempt_is_logged(county, client_for, persona):
    visit = log_visit(county, persona="cadre")
    before = AuditEvent.objects.filter(action="denied").count()
    assert client_for(persona).get(f"/field/visits/{visit.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="denied").count() == before + 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [("cadre", 200), ("township_staff", 404), ("county_supervisor", 200), ("county_admin", 200),
     ("other_admin", 404), ("deputy", 404), ("anonymous", 302)],
)  # fmt: skip
def test_who_may_read_a_visit(county, client_for, persona, status):
    # A visit log is the visitor's own; reviewers see their scope; a township clerk
    # without review rights does not read a village cadre's log.
    visit = log_visit(county, persona="cadre")
    assert client_for(persona).get(f"/field/visits/{visit.pk}/").status_code == status


def test_township_leader_reviews_visits_in_the_township(county, client):
    leader = township_leader(county)
    visit = log_visit(county, persona="cadre")
    far = log_visit(county, persona="other_township", node=county.v3, households=("H3",))
    client.force_login(leader)
    assert client.get(f"/field/visits/{visit.pk}/").status_code == 200
    assert client.get(f"/field/visits/{far.pk}/").status_code == 404
    everyone = client.get("/field/visits/?all=1")
    assert f'data-visit="{visit.pk}"' in everyone.text
    assert f'data-visit="{far.pk}"' not in everyone.text
    own = client.get("/field/visits/")
    assert f'data-visit="{visit.pk}"' not in own.text  # "mine" is the leader's own


def test_list_shows_own_visits_only_for_cadres(county, client_for):
    mine = log_visit(county, persona="cadre")
    theirs = log_visit(county, persona="colleague")
    page = client_for("cadre").get("/field/visits/")
    assert f'data-visit="{mine.pk}"' in page.text
    assert f'data-visit="{theirs.pk}"' not in page.text
    # ?all=1 is for reviewers only.
    assert f'data-visit="{theirs.pk}"' not in client_for("cadre").get("/field/visits/?all=1").text


@pytest.mark.parametrize("persona", ["deputy", "county_admin", "county_supervisor"])
def test_only_field_cadres_log_visits(county, client_for, persona):
    assert client_for(persona).get("/field/visits/new/").status_code == 404


# --- From what was heard to a case -------------------------------------------------------


def case_post(county, visit, seq, text="村口路灯坏了三个月，晚上老人出门不方便。", house="H1a"):
    return {
        "item": "0",
        "seq": str(seq),
        "text": text,
        "household": county.households[house].pk if house else "",
        "nature": "help",
    }


def test_heard_item_becomes_one_linked_case_even_when_sent_twice(county, client_for):
    visit = log_visit(county)
    client = client_for("township_staff")
    seq = client.get(f"/field/visits/{visit.pk}/").context["items"][0]["form"].initial["seq"]
    assert seq == 1
    data = case_post(county, visit, seq)
    first = client.post(f"/field/visits/{visit.pk}/case/", data)
    assert first.status_code == 302
    assert first["Location"].endswith("#cases")
    again = client.post(f"/field/visits/{visit.pk}/case/", data)
    assert again.status_code == 302
    case = Case.objects.get()
    assert list(visit.cases.all()) == [case]
    assert case.idempotency_key == f"visit:{visit.pk}:1"
    assert (case.channel, case.nature, case.created_by) == (
        "home_visit", "help", county.users["township_staff"],
    )  # fmt: skip
    assert list(case.households.all()) == [county.households["H1a"]]
    assert case.node == county.g1a
    assert case.village == county.v1
    assert case.reporter_name == "张建国"
    # The detail lists it with its status, marks the line done and numbers the next one 2.
    page = client.get(f"/field/visits/{visit.pk}/")
    assert f'data-case="{case.number}"' in page.text
    assert "已登记" in page.text or case.get_status_display() in page.text
    items = page.context["items"]
    assert items[0]["case"] == case
    assert items[1]["form"].initial["seq"] == 2
    # The second matter becomes a second case.
    second = case_post(county, visit, 2, text="二组水渠堵了，下雨天淹到田里。", house="H1b")
    client.post(f"/field/visits/{visit.pk}/case/", second)
    assert visit.cases.count() == 2
    assert Case.objects.get(idempotency_key=f"visit:{visit.pk}:2").households.get().code == (
        county.households["H1b"].code
    )


def test_a_used_number_never_swallows_a_different_matter(county):
    visit = log_visit(county)
    staff = county.users["township_staff"]
    visit_case_create(actor=staff, visit=visit, seq=1, text="路灯坏了", household=None)
    with pytest.raises(Exception, match="另一件事项"):
        visit_case_create(actor=staff, visit=visit, seq=1, text="水渠堵了", household=None)
    assert visit.cases.count() == 1


def test_only_the_visitor_turns_items_into_cases(county, client_for):
    visit = log_visit(county, persona="cadre")
    reviewer = client_for("county_supervisor")
    page = reviewer.get(f"/field/visits/{visit.pk}/")
    assert page.status_code == 200
    assert 'data-testid="to-case"' not in page.text
    assert (
        reviewer.post(f"/field/visits/{visit.pk}/case/", case_post(county, visit, 1)).status_code
        == 404
    )
    colleague = client_for("colleague")
    assert (
        colleague.post(f"/field/visits/{visit.pk}/case/", case_post(county, visit, 1)).status_code
        == 404
    )
    assert Case.objects.count() == 0


def test_case_household_must_be_one_of_the_visits(county, client_for):
    visit = log_visit(county, households=("H1a",))
    response = client_for("township_staff").post(
        f"/field/visits/{visit.pk}/case/", case_post(county, visit, 1, house="H1b")
    )
    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_case_without_a_household_goes_to_the_visit_place(county, client_for):
    visit = log_visit(county, households=(), heard="村里想修一个文化广场。")
    data = case_post(county, visit, 1, text="村里想修一个文化广场。", house=None)
    data["reporter_name"] = "村民代表刘某"
    client_for("township_staff").post(f"/field/visits/{visit.pk}/case/", data)
    case = visit.cases.get()
    assert case.node == county.v1
    assert case.reporter_name == "村民代表刘某"


def test_case_post_needs_csrf(county):
    from django.test import Client

    visit = log_visit(county)
    client = Client(enforce_csrf_checks=True)
    client.force_login(county.users["township_staff"])
    assert (
        client.post(f"/field/visits/{visit.pk}/case/", case_post(county, visit, 1)).status_code
        == 403
    )
    assert client.get(f"/field/visits/{visit.pk}/case/").status_code == 405


# --- Plans and their public announcement -------------------------------------------------


def plan(county, actor="township_staff", *, hours=48, node=None, public=True, **extra):
    return visit_plan_create(
        actor=county.users[actor] if isinstance(actor, str) else actor,
        visitor=extra.pop("visitor", None)
        or (county.users[actor] if isinstance(actor, str) else actor),
        node=node or county.v1,
        form=extra.pop("form", "fixed"),
        starts_at=timezone.now() + dt.timedelta(hours=hours),
        place=extra.pop("place", "东风村村委会"),
        duty=extra.pop("duty", "镇民政干部，接待低保、救助方面的反映"),
        public=public,
    )[0]


def plan_data(county, visitor, **extra):
    when = timezone.localtime(timezone.now() + dt.timedelta(days=3)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    data = {
        "idempotency_key": "k-plan-1",
        "visitor": visitor.pk,
        "node": county.v1.pk,
        "form": "fixed",
        "starts_at": when.strftime("%Y-%m-%dT%H:%M"),
        "place": "东风村村委会",
        "duty": "镇民政干部，接待低保、救助方面的反映",
        "public": "on",
    }
    data.update(extra)
    return data


def test_plan_is_created_once_and_can_be_cancelled(county, client_for):
    client = client_for("township_staff")
    page = client.get("/field/visits/plans/")
    assert page.status_code == 200
    assert 'data-draft="visit-plan"' in page.text
    data = plan_data(county, county.users["township_staff"])
    first = client.post("/field/visits/plans/", data)
    plan_row = VisitPlan.objects.get()
    assert first.status_code == 302
    assert f"#plan-{plan_row.pk}" in first["Location"]
    assert client.post("/field/visits/plans/", data).status_code == 302
    assert VisitPlan.objects.count() == 1
    saved = client.get(first["Location"])
    assert 'data-draft-clear="visit-plan"' in saved.text
    assert plan_row.created_by == county.users["township_staff"]
    assert plan_row.public
    client.post(f"/field/visits/plans/{plan_row.pk}/cancel/")
    plan_row.refresh_from_db()
    assert plan_row.cancelled_at is not None
    assert AuditEvent.objects.filter(object_type="fieldwork.visitplan").count() == 2


def test_cadres_plan_for_themselves_leaders_for_their_staff(county, client_for, client):
    # A township clerk cannot announce a visit for a village cadre.
    clerk = client_for("township_staff")
    refused = clerk.post("/field/visits/plans/", plan_data(county, county.users["cadre"]))
    assert refused.status_code == 400
    assert VisitPlan.objects.count() == 0
    leader = township_leader(county)
    client.force_login(leader)
    ok = client.post("/field/visits/plans/", plan_data(county, county.users["cadre"]))
    assert ok.status_code == 302
    assert VisitPlan.objects.get().visitor == county.users["cadre"]
    # Not for someone outside the township, nor at a place outside the visitor's village.
    outside = client.post("/field/visits/plans/", plan_data(county, county.users["other_township"]))
    assert outside.status_code == 400
    wrong_place = client.post(
        "/field/visits/plans/", plan_data(county, county.users["cadre"], node=county.v2.pk,
                                          idempotency_key="k2")
    )  # fmt: skip
    assert wrong_place.status_code == 400
    assert VisitPlan.objects.count() == 1


def test_plan_refuses_the_past_and_phone_numbers(county, client_for):
    client = client_for("township_staff")
    staff = county.users["township_staff"]
    past = plan_data(county, staff, starts_at="2020-01-01T09:00")
    assert client.post("/field/visits/plans/", past).status_code == 400
    phone = plan_data(county, staff, duty="有事请打 13800001111")
    response = client.post("/field/visits/plans/", phone)
    assert response.status_code == 400
    assert "手机号码" in response.text
    assert VisitPlan.objects.count() == 0


def test_outsiders_cannot_cancel(county, client_for):
    p = plan(county)
    assert (
        client_for("other_township").post(f"/field/visits/plans/{p.pk}/cancel/").status_code == 404
    )
    # In scope but neither the visitor, the arranger nor a reviewer: refused.
    client_for("cadre").post(f"/field/visits/plans/{p.pk}/cancel/")
    p.refresh_from_db()
    assert p.cancelled_at is None


def test_public_upcoming_plans_show_on_board_and_village_page(county, client_for):
    shown = plan(county, duty="镇民政干部，接待低保、救助方面的反映")
    cancelled = plan(county, duty="已经取消的安排", hours=50)
    cancelled.cancelled_at = timezone.now()
    cancelled.save()
    private = plan(county, duty="内部安排不公示", public=False, hours=52)
    past = plan(county, duty="已经过去的安排", hours=54)
    VisitPlan.objects.filter(pk=past.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    elsewhere = plan(
        county, actor="other_township", node=county.v3, duty="南湾村的安排", place="南湾村委会"
    )
    staff = county.users["township_staff"]
    staff.post, staff.phone = "民政办主任", "13900009999"
    staff.save()

    anonymous = client_for("anonymous")
    for place in (county.v1, county.t1, county.county):
        text = anonymous.get(f"/portal/board/{place.code}/").text
        section = text.split('data-testid="announcements"')[1]
        assert f'data-plan="{shown.pk}"' in section
        assert "吴镇干（民政办主任）" in section
        assert "东风村村委会" in section
        for hidden in (cancelled, private, past):
            assert f'data-plan="{hidden.pk}"' not in section
        assert "13900009999" not in text  # officials' duties, never their phones
        assert "<script" not in text
    # A village page shows its own subtree only.
    assert (
        f'data-plan="{elsewhere.pk}"' not in anonymous.get(f"/portal/board/{county.v2.code}/").text
    )
    assert f'data-plan="{elsewhere.pk}"' in anonymous.get(f"/portal/board/{county.t2.code}/").text
    assert "近期没有公示的干部走访安排" in anonymous.get(f"/portal/board/{county.v2.code}/").text

    village_page = client_for("cadre").get(f"/org/tree/{county.v1.code}/")
    assert village_page.status_code == 200
    box = village_page.text.split('data-testid="village-plans"')[1]
    assert f'data-plan="{shown.pk}"' in box
    assert f'data-plan="{private.pk}"' not in box
    assert f'data-plan="{cancelled.pk}"' not in box
    assert (
        'data-testid="village-plans"'
        not in client_for("township_staff").get(f"/org/tree/{county.t1.code}/").text
    )


def test_board_query_count_does_not_grow_with_plans(county, client_for):
    anonymous = client_for("anonymous")
    url = f"/portal/board/{county.t1.code}/"
    plan(county)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert anonymous.get(url).status_code == 200
        return len(captured.captured_queries)

    count()  # the first request warms caches
    before = count()
    for seq in range(3, 6):
        village = node_create(
            actor=None, level=Level.VILLAGE, code=f"330199101{200 + seq}", name=f"新村{seq}",
            parent=county.t1,
        )  # fmt: skip
        plan(county, node=village, hours=48 + seq)
    assert count() == before


def test_visit_from_a_plan_is_prefilled_and_linked(county, client_for):
    p = plan(county)
    client = client_for("township_staff")
    page = client.get(f"/field/visits/new/?plan={p.pk}")
    assert page.context["place"] == county.v1
    assert page.context["form"].initial["plan"] == p.pk
    data = visit_data(county, "H1a", plan=p.pk, form="fixed")
    client.post("/field/visits/new/", data)
    assert Visit.objects.get().plan == p
    # Someone else's plan is not offered, and cannot be linked.
    other = plan(county, actor="cadre", hours=60)
    data = visit_data(county, "H1a", plan=other.pk, key="k-visit-2")
    assert client.post("/field/visits/new/", data).status_code == 400


def test_household_added_to_a_village_later_is_offered(county, client_for):
    extra = _household(county.g1b, "新户主", 77)
    page = client_for("cadre").get("/field/visits/new/?q=新户")
    assert f'data-code="{extra.code}"' in page.text
    assert f'data-code="{county.households["H1a"].code}"' not in page.text


def test_the_case_page_links_back_to_the_visit_that_raised_it(county, client_for):
    import datetime as dt

    from minqing.cases.services import case_register
    from minqing.fieldwork.models import Visit

    staff = county.users["township_staff"]
    visit = Visit.objects.create(visitor=staff, node=county.v1, date=dt.date(2026, 11, 2),
                                 form="home", heard="路灯坏了很久了")  # fmt: skip
    case, _ = case_register(actor=staff, node=county.v1, channel="home_visit", nature="help",
                            original_text="路灯坏了很久了", reporter_name="张建国")  # fmt: skip
    visit.cases.add(case)
    page = client_for("township_staff").get(f"/cases/{case.number}/").text
    assert f"/field/visits/{visit.pk}/" in page
    # The village cadre may see the case but not another cadre's visit: no link for them.
    village_view = client_for("cadre").get(f"/cases/{case.number}/")
    assert village_view.status_code == 200
    assert f"/field/visits/{visit.pk}/" not in village_view.text
