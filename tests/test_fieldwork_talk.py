"""百姓说事点 (seed 004): the month's talk days on the county's weekday and their rota, the
talk register and its sorting, items turned into cases or meeting items, evaluation day
(评事) ratings, the figures villages and townships see, and scoping."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from minqing.audit.models import Action, AuditEvent
from minqing.cases.models import Case, Channel
from minqing.cases.services import case_transition
from minqing.fieldwork.models import FieldworkRules, TalkDay, TalkItem
from minqing.fieldwork.services import talk_days_generate, talk_item_add
from minqing.fieldwork.talk_selectors import (
    quarter_bounds,
    talk_dates,
    talk_figures,
    township_overview,
)

SEPTEMBER = ["2026-09-02", "2026-09-09", "2026-09-16", "2026-09-23", "2026-09-30"]


def _dates(days):
    return [d.date.isoformat() for d in sorted(days, key=lambda d: d.date)]


def _key(response) -> str:
    match = re.search(rb'name="idempotency_key" value="([0-9a-f]{32})"', response.content)
    assert match, "the capture form carries a fresh idempotency key"
    return match[1].decode()


def _september(county) -> dict[str, TalkDay]:
    talk_days_generate(actor=county.users["cadre"], village=county.v1, year=2026, month=9)
    return {d.date.isoformat(): d for d in TalkDay.objects.filter(node=county.v1)}


# --- schedule ------------------------------------------------------------------------------


def test_talk_dates_fall_on_the_county_weekday():
    assert talk_dates(year=2026, month=12, weekday=3) == [
        dt.date(2026, 12, d) for d in (2, 9, 16, 23, 30)
    ]
    assert talk_dates(year=2026, month=2, weekday=1) == [
        dt.date(2026, 2, d) for d in (2, 9, 16, 23)
    ]
    assert quarter_bounds(dt.date(2026, 11, 25)) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))


def test_generating_december_makes_five_wednesdays_and_flags_quarter_end(county, client_for):
    client = client_for("cadre")
    url = reverse("talk:generate", args=[county.v1.code])
    response = client.post(url, {"month": "2026-12"})
    assert response.status_code == 302
    days = list(TalkDay.objects.filter(node=county.v1))
    assert _dates(days) == ["2026-12-02", "2026-12-09", "2026-12-16", "2026-12-23", "2026-12-30"]
    assert [d.date.day for d in days if d.evaluation] == [30]
    # Rota: the village's two 两委 cadres take turns.
    rota = [d.on_duty.get().username for d in sorted(days, key=lambda d: d.date)]
    assert rota == ["cadre", "colleague", "cadre", "colleague", "cadre"]
    assert (
        AuditEvent.objects.filter(action=Action.CREATE, object_type="fieldwork.talkday").count()
        == 5
    )

    # A second click creates nothing new.
    client.post(url, {"month": "2026-12"})
    assert TalkDay.objects.filter(node=county.v1).count() == 5


def test_a_month_that_is_not_a_quarter_end_has_no_evaluation_day(county):
    created, existing = talk_days_generate(
        actor=county.users["cadre"], village=county.v1, year=2026, month=11
    )
    assert (len(created), existing) == (4, 0)
    assert not TalkDay.objects.filter(node=county.v1, evaluation=True).exists()


def test_county_weekday_and_quota_come_from_its_rules(county, client_for):
    FieldworkRules.objects.create(county=county.county, talk_weekday=5, talk_days_per_month=5)
    talk_days_generate(actor=county.users["cadre"], village=county.v1, year=2026, month=11)
    assert _dates(TalkDay.objects.filter(node=county.v1)) == [
        "2026-11-06", "2026-11-13", "2026-11-20", "2026-11-27",
    ]  # fmt: skip
    # Four Fridays in November: fewer than the county's five, so the schedule warns.
    response = client_for("cadre").get(
        reverse("talk:schedule", args=[county.v1.code]), {"month": "2026-11"}
    )
    assert b'data-testid="short-warning"' in response.content


def test_schedule_warns_below_quota_and_extra_opening_fixes_it(county, client_for):
    client = client_for("cadre")
    url = reverse("talk:schedule", args=[county.v1.code])
    response = client.get(url, {"month": "2026-11"})
    assert b'data-testid="short-warning"' in response.content
    for date in ("2026-11-04", "2026-11-11", "2026-11-18"):
        client.post(reverse("talk:add_day", args=[county.v1.code]), {"date": date})
    assert b'data-testid="short-warning"' in client.get(url, {"month": "2026-11"}).content
    client.post(reverse("talk:add_day", args=[county.v1.code]), {"date": "2026-11-21"})
    client.post(reverse("talk:add_day", args=[county.v1.code]), {"date": "2026-11-21"})
    assert TalkDay.objects.filter(node=county.v1).count() == 4
    assert b'data-testid="short-warning"' not in client.get(url, {"month": "2026-11"}).content


def test_rota_assigns_village_cadres_and_refuses_others(county, client_for):
    days = _september(county)
    client = client_for("cadre")
    first, second = days["2026-09-02"], days["2026-09-09"]
    cadre, colleague = county.users["cadre"], county.users["colleague"]
    data = {"month": "2026-09", f"duty_{first.pk}": [cadre.pk, colleague.pk]}
    response = client.post(reverse("talk:rota", args=[county.v1.code]), data)
    assert response.status_code == 302
    assert set(first.on_duty.values_list("username", flat=True)) == {"cadre", "colleague"}
    assert not second.on_duty.exists()  # nothing ticked: nobody on duty
    assert AuditEvent.objects.filter(
        action=Action.UPDATE, object_type="fieldwork.talkday", object_id=str(first.pk)
    ).exists()
    # A cadre of the sibling village is not a choice.
    data = {"month": "2026-09", f"duty_{first.pk}": [county.users["sibling"].pk]}
    response = client.post(reverse("talk:rota", args=[county.v1.code]), data)
    assert response.status_code == 200
    assert set(first.on_duty.values_list("username", flat=True)) == {"cadre", "colleague"}


# --- the register --------------------------------------------------------------------------


def test_adding_an_item_is_idempotent_and_clears_the_draft(county, client_for):
    day = _september(county)["2026-09-09"]
    client = client_for("cadre")
    page = client.get(reverse("talk:day", args=[day.pk]))
    assert page.status_code == 200
    assert b'data-draft="talk-item"' in page.content
    assert b"js/drafts.js" in page.content
    key = _key(page)
    h1a = county.households["H1a"]
    data = {
        "idempotency_key": key,
        "text": "村口路灯坏了三个月",
        "speaker": "",
        "household": h1a.pk,
    }
    first = client.post(reverse("talk:item_add", args=[day.pk]), data)
    again = client.post(reverse("talk:item_add", args=[day.pk]), data)
    item = TalkItem.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert f"added={item.pk}" in first["Location"]
    assert (item.talk_day, item.household, item.text) == (day, h1a, "村口路灯坏了三个月")
    saved = client.get(first["Location"])
    assert b'data-draft-clear="talk-item"' in saved.content
    assert _key(saved) != key  # the next item gets a fresh key
    assert (
        AuditEvent.objects.filter(action=Action.CREATE, object_type="fieldwork.talkitem").count()
        == 1
    )


def test_item_form_rejects_empty_text_other_village_household_and_future_days(county, client_for):
    day = _september(county)["2026-09-09"]
    client = client_for("cadre")
    url = reverse("talk:item_add", args=[day.pk])
    response = client.post(url, {"idempotency_key": "a" * 32, "text": " "})
    assert response.status_code == 400
    other = county.households["H2"]  # 西岭村: not a choice on 东风村's register
    response = client.post(url, {"idempotency_key": "b" * 32, "text": "事", "household": other.pk})
    assert response.status_code == 400
    future = TalkDay.objects.create(node=county.v1, date=timezone.localdate() + dt.timedelta(7))
    response = client.post(
        reverse("talk:item_add", args=[future.pk]), {"idempotency_key": "c" * 32, "text": "事"}
    )
    assert response.status_code == 400
    assert "还没到" in response.content.decode()
    assert not TalkItem.objects.exists()


def test_sorting_records_pace_level_decision_responsible_and_promise(county, client_for):
    day = _september(county)["2026-09-09"]
    item, _ = talk_item_add(actor=county.users["cadre"], talk_day=day, text="修水渠")
    client = client_for("cadre")
    prefix = f"item{item.pk}"
    data = {
        f"{prefix}-pace": "staged",
        f"{prefix}-level": "higher",
        f"{prefix}-decision": "joint_council",
        f"{prefix}-responsible": county.users["colleague"].pk,
        f"{prefix}-promise": "",
    }
    # Staged without a promise is refused (一时不能办理的，作出承诺，限期解决).
    client.post(reverse("talk:item_sort", args=[item.pk]), data)
    item.refresh_from_db()
    assert item.pace == ""
    data[f"{prefix}-promise"] = "10月底前联系水利站"
    response = client.post(reverse("talk:item_sort", args=[item.pk]), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.pace, item.level, item.decision) == ("staged", "higher", "joint_council")
    assert (item.responsible, item.promise) == (county.users["colleague"], "10月底前联系水利站")
    event = AuditEvent.objects.get(action=Action.UPDATE, object_type="fieldwork.talkitem")
    assert event.changes["decision"] == ["", "joint_council"]
    # The sibling village's cadre cannot be named responsible.
    data[f"{prefix}-responsible"] = county.users["sibling"].pk
    client.post(reverse("talk:item_sort", args=[item.pk]), data)
    item.refresh_from_db()
    assert item.responsible == county.users["colleague"]


def test_turning_an_item_into_a_case_happens_once_and_links_it(county, client_for):
    day = _september(county)["2026-09-09"]
    h1a = county.households["H1a"]
    item, _ = talk_item_add(
        actor=county.users["cadre"], talk_day=day, text="低保申请没有回音", household=h1a
    )
    client = client_for("cadre")
    url = reverse("talk:item_case", args=[item.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # a double click
    case = Case.objects.get()
    item.refresh_from_db()
    assert item.case == case
    assert case.idempotency_key == f"talk:{item.pk}"
    assert (case.channel, case.node, case.village) == (Channel.TALK_DAY, county.g1a, county.v1)
    assert list(case.households.all()) == [h1a]
    assert case.reporter_name == h1a.head_name  # no speaker given: the household's head
    page = client.get(reverse("talk:day", args=[day.pk]))
    assert case.number.encode() in page.content


def test_an_unnamed_item_without_household_becomes_an_anonymous_village_case(county):
    from minqing.fieldwork.services import talk_item_to_case

    day = _september(county)["2026-09-09"]
    item, _ = talk_item_add(actor=county.users["cadre"], talk_day=day, text="垃圾没人清")
    case, created = talk_item_to_case(actor=county.users["cadre"], item=item)
    assert created
    assert case.anonymous
    assert case.node == county.v1
    assert talk_item_to_case(actor=county.users["colleague"], item=item) == (case, False)


def test_meeting_items_are_listed_per_village(county, client_for):
    day = _september(county)["2026-09-09"]
    item, _ = talk_item_add(actor=county.users["cadre"], talk_day=day, text="村集体土地流转")
    other, _ = talk_item_add(actor=county.users["cadre"], talk_day=day, text="借梯子")
    client = client_for("cadre")
    client.post(reverse("talk:item_meeting", args=[item.pk]))
    client.post(reverse("talk:item_meeting", args=[item.pk]))
    item.refresh_from_db()
    assert item.meeting_item
    assert (
        AuditEvent.objects.filter(object_type="fieldwork.talkitem", action=Action.UPDATE).count()
        == 1
    )
    page = client.get(reverse("talk:meetings", args=[county.v1.code])).content.decode()
    assert f'data-item="{item.pk}"' in page
    assert f'data-item="{other.pk}"' not in page


def test_day_note_is_saved_and_audited(county, client_for):
    day = _september(county)["2026-09-09"]
    client_for("cadre").post(
        reverse("talk:day_note", args=[day.pk]), {"note": "来了7人，说了3件事"}
    )
    day.refresh_from_db()
    assert day.note == "来了7人，说了3件事"
    assert AuditEvent.objects.filter(object_type="fieldwork.talkday", action=Action.UPDATE).exists()


# --- evaluation day ------------------------------------------------------------------------


def test_evaluation_day_lists_the_quarters_items_and_records_ratings(county, client_for):
    days = _september(county)
    cadre = county.users["cadre"]
    july = TalkDay.objects.create(node=county.v1, date=dt.date(2026, 7, 1))
    june = TalkDay.objects.create(node=county.v1, date=dt.date(2026, 6, 24))
    a, _ = talk_item_add(actor=cadre, talk_day=july, text="七月的事")
    b, _ = talk_item_add(actor=cadre, talk_day=days["2026-09-09"], text="九月的事")
    old, _ = talk_item_add(actor=cadre, talk_day=june, text="上季度的事")
    evaluation = days["2026-09-30"]
    assert evaluation.evaluation
    client = client_for("cadre")
    url = reverse("talk:evaluation", args=[evaluation.pk])
    page = client.get(url).content.decode()
    assert f'data-item="{a.pk}"' in page
    assert f'data-item="{b.pk}"' in page
    assert f'data-item="{old.pk}"' not in page

    data = {
        f"rating_{a.pk}": "satisfied",
        f"note_{a.pk}": "办得快",
        f"rating_{b.pk}": "dissatisfied",
        f"note_{b.pk}": "还没动静",
        f"rating_{old.pk}": "satisfied",  # not this quarter's: ignored
    }
    assert client.post(url, data).status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    old.refresh_from_db()
    assert (a.rating, a.rating_note) == ("satisfied", "办得快")
    assert (b.rating, b.rating_note) == ("dissatisfied", "还没动静")
    assert old.rating == ""
    events = AuditEvent.objects.filter(action=Action.UPDATE, object_type="fieldwork.talkitem")
    assert {e.object_id for e in events} == {str(a.pk), str(b.pk)}
    assert events.get(object_id=str(b.pk)).changes["rating"] == ["", "dissatisfied"]
    page = client.get(url).content.decode()
    assert re.search(r'data-figure="satisfied">1<', page)
    assert re.search(r'data-figure="dissatisfied">1<', page)


def test_evaluation_refuses_unknown_ratings_and_non_evaluation_days(county, client_for):
    days = _september(county)
    item, _ = talk_item_add(actor=county.users["cadre"], talk_day=days["2026-09-09"], text="事")
    client = client_for("cadre")
    url = reverse("talk:evaluation", args=[days["2026-09-30"].pk])
    assert client.post(url, {f"rating_{item.pk}": "great"}).status_code == 200
    item.refresh_from_db()
    assert item.rating == ""
    assert client.get(reverse("talk:evaluation", args=[days["2026-09-09"].pk])).status_code == 404


def test_a_reviewer_sees_the_evaluation_but_cannot_rate(county, client_for):
    days = _september(county)
    item, _ = talk_item_add(actor=county.users["cadre"], talk_day=days["2026-09-09"], text="事")
    client = client_for("county_supervisor")
    url = reverse("talk:evaluation", args=[days["2026-09-30"].pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {f"rating_{item.pk}": "satisfied"}).status_code == 404
    item.refresh_from_db()
    assert item.rating == ""


# --- figures -------------------------------------------------------------------------------


def test_figures_for_a_known_month(county, client_for):
    days = _september(county)
    cadre = county.users["cadre"]
    items = [
        talk_item_add(actor=cadre, talk_day=days["2026-09-09"], text=f"事{n}")[0] for n in range(4)
    ]
    client = client_for("cadre")
    for item in items[:2]:
        client.post(reverse("talk:item_case", args=[item.pk]))
    client.post(reverse("talk:item_meeting", args=[items[3].pk]))
    case = TalkItem.objects.get(pk=items[0].pk).case
    case_transition(case=case, action="solve_on_spot", actor=cadre, answer="当场修好")
    # October's items do not count in September.
    october = TalkDay.objects.create(node=county.v1, date=dt.date(2026, 10, 7))
    talk_item_add(actor=cadre, talk_day=october, text="十月的事")

    rules = FieldworkRules(county=county.county)
    [f] = talk_figures([county.v1], 2026, 9, rules)
    assert (f.openings, f.quota, f.items, f.cases, f.resolved, f.meeting) == (5, 4, 4, 2, 1, 1)
    assert not f.short
    page = client.get(reverse("talk:village", args=[county.v1.code]), {"month": "2026-09"})
    html = page.content.decode()
    assert re.search(r'data-figure="items">4<', html)
    assert re.search(r'data-figure="resolved">1<', html)


def test_township_overview_highlights_villages_below_quota(county, client_for):
    _september(county)
    talk_days_generate(actor=county.users["sibling"], village=county.v2, year=2026, month=9)
    TalkDay.objects.filter(node=county.v2, date__gte=dt.date(2026, 9, 16)).delete()
    rules = FieldworkRules(county=county.county)
    [township] = township_overview(county.users["township_staff"], 2026, 9, rules)
    assert {f.village.code: (f.openings, f.short) for f in township.villages} == {
        county.v1.code: (5, False),
        county.v2.code: (2, True),
    }
    page = client_for("township_staff").get(reverse("talk:overview"), {"month": "2026-09"})
    html = page.content.decode()
    assert f'data-village="{county.v2.code}" class="table-warning" data-short="1"' in html
    assert f'data-village="{county.v1.code}">' in html
    assert county.v3.code not in html  # another township
    # The county supervisor sees both townships.
    page = client_for("county_supervisor").get(reverse("talk:overview"), {"month": "2026-09"})
    assert county.v3.code in page.content.decode()


# --- scoping -------------------------------------------------------------------------------


def test_index_sends_a_village_cadre_home_and_a_township_to_the_overview(county, client_for):
    response = client_for("cadre").get(reverse("talk:index"))
    assert response["Location"] == reverse("talk:village", args=[county.v1.code])
    response = client_for("township_staff").get(reverse("talk:index"))
    assert response["Location"] == reverse("talk:overview")


@pytest.mark.parametrize("persona", ["sibling", "other_township", "other_admin", "liaison"])
def test_talk_days_outside_scope_are_404(county, client_for, persona):
    day = _september(county)["2026-09-09"]
    item, _ = talk_item_add(actor=county.users["cadre"], talk_day=day, text="事")
    client = client_for(persona)
    assert client.get(reverse("talk:day", args=[day.pk])).status_code == 404
    assert client.get(reverse("talk:village", args=[county.v1.code])).status_code == 404
    assert client.post(reverse("talk:item_case", args=[item.pk])).status_code == 404
    assert (
        client.post(
            reverse("talk:item_add", args=[day.pk]), {"idempotency_key": "d" * 32, "text": "x"}
        ).status_code
        == 404
    )
    assert not Case.objects.exists()
    assert TalkItem.objects.count() == 1


@pytest.mark.parametrize("persona", ["deputy", "dept_handler"])
def test_users_without_talk_capability_get_404(county, client_for, persona):
    day = _september(county)["2026-09-09"]
    client = client_for(persona)
    assert client.get(reverse("talk:index")).status_code == 404
    assert client.get(reverse("talk:day", args=[day.pk])).status_code == 404
    assert client.get(reverse("talk:overview")).status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENIED).exists()


def test_out_of_scope_lookup_is_logged(county, client_for):
    day = _september(county)["2026-09-09"]
    client_for("sibling").get(reverse("talk:day", args=[day.pk]))
    assert AuditEvent.objects.filter(action=Action.DENIED, object_type="fieldwork.talkday").exists()


def test_reviewers_read_but_cannot_write(county, client_for):
    day = _september(county)["2026-09-09"]
    client = client_for("county_admin")
    page = client.get(reverse("talk:day", args=[day.pk]))
    assert page.status_code == 200
    assert b'data-draft="talk-item"' not in page.content
    response = client.post(
        reverse("talk:item_add", args=[day.pk]), {"idempotency_key": "e" * 32, "text": "x"}
    )
    assert response.status_code == 404
    assert client.post(reverse("talk:generate", args=[county.v2.code])).status_code == 404
    assert not TalkItem.objects.exists()


def test_anonymous_users_are_sent_to_sign_in(county, client_for):
    response = client_for("anonymous").get(reverse("talk:index"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_coming_talk_days_are_announced_on_the_public_board(county, client):
    import datetime as dt

    from django.utils import timezone

    from minqing.fieldwork.models import TalkDay

    soon = timezone.localdate() + dt.timedelta(days=3)
    day = TalkDay.objects.create(node=county.v1, date=soon, evaluation=True)
    day.on_duty.set([county.users["cadre"]])
    TalkDay.objects.create(node=county.v1, date=soon - dt.timedelta(days=10))  # past: not shown
    page = client.get(f"/portal/board/{county.t1.code}/").text
    section = page.split('data-testid="public-talk-days"')[1].split("</ul>")[0]
    assert "东风村" in section
    assert "评事日" in section
    assert "赵村官" in section
    assert section.count("<li>") == 1
    # Another township's board does not list it.
    assert (
        'data-testid="public-talk-days"' not in client.get(f"/portal/board/{county.t2.code}/").text
    )
