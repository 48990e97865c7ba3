"""A staff notification reaches only users who may open its object (issue 12, point 2).

Every kind of staff notification is produced through the real service (case routing, the
deadline scan, supervision, the portal, the hot spot job, diary review) and crossed with
every persona: whoever received a message can open its link (200); whoever cannot open the
object received nothing, on any channel. Then read time: a message queued while the object
was in the user's area is neither listed nor counted nor opened once the matter or the
user has moved, and comes back when it moves back.

As in the demo county, the liaison (group 一组) belongs to the village station: a station
matter placed in another group (二组) is one the liaison may not open.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minqing.cases.models import Case
from minqing.cases.services import case_register, case_transition, deadlines_scan, supervision_open
from minqing.cases.workflow import Action
from minqing.fieldwork.services import diary_record, diary_review
from minqing.households.services import cards_ensure, contact_assign
from minqing.notify.models import Channel, Notification, Outbox, Status
from minqing.notify.selectors import unread_count
from minqing.notify.services import outbox_deliver, outbox_queue, outbox_queue_staff
from minqing.portal.services import portal_submit
from minqing.textanalysis.models import HotSpot
from minqing.textanalysis.services import hotspots_refresh
from tests.conftest import County

ROLES = [
    "cadre", "colleague", "sibling", "other_township", "township_staff", "dept_handler",
    "county_admin", "county_supervisor", "liaison", "deputy",
]  # fmt: skip


@pytest.fixture
def county(county: County) -> County:
    # The demo's liaisons report to their village's station (minqing/demo/staff.py).
    liaison = county.users["liaison"]
    liaison.unit = county.station
    liaison.save(update_fields=["unit"])
    return county


def register(county: County, node=None, actor: str | None = "township_staff") -> Case:
    case, _ = case_register(
        actor=county.users[actor] if actor else None, node=node or county.g1b,
        channel="hotline", nature="help", original_text="二组路灯坏了三个月，晚上看不清路",
        reporter_name="李秀英", reporter_phone="13800000002",
    )  # fmt: skip
    return case


def at_station(county: County, node=None) -> Case:
    case = register(county, node)
    return case_transition(
        case=case, action="assign", actor=county.users["township_staff"], unit=county.station
    )


# --- the events: each returns exactly the personas who hear of it, the steps leading up to
# it included. Cases are placed in 二组, which the 一组 liaison may not open.


def assign_to_station(county: County) -> set[str]:
    at_station(county)
    return {"cadre", "colleague"}


def assign_to_department(county: County) -> set[str]:
    case = register(county)
    case_transition(
        case=case, action="assign", actor=county.users["township_staff"], unit=county.department
    )
    return {"dept_handler"}


def escalate(county: County) -> set[str]:
    case = at_station(county)
    case_transition(case=case, action="escalate", actor=county.users["cadre"], note="需镇里协调")
    return {"cadre", "colleague", "township_staff"}


def return_to_registrar(county: County) -> set[str]:
    case = register(county, actor="cadre")
    case = case_transition(case=case, action="assign", actor=None, unit=county.station)
    case_transition(case=case, action="return", actor=county.users["colleague"], note="非本站职责")
    return {"cadre", "colleague"}


def reopen(county: County) -> set[str]:
    case = at_station(county)
    cadre = county.users["cadre"]
    for action, extra in [
        ("accept", {}),
        ("resolve", {"answer": "已更换路灯"}),
        ("answer", {"answer_method": "phone"}),
        ("rate", {"rating": "satisfied"}),
    ]:
        case = case_transition(case=case, action=action, actor=cadre, **extra)
    case_transition(
        case=case, action="reopen", actor=county.users["county_supervisor"], note="群众再次反映"
    )
    return {"cadre", "colleague"}


def remind(county: County) -> set[str]:
    case = at_station(county)
    deadlines_scan(now=case.deadline - dt.timedelta(minutes=5))
    return {"cadre", "colleague"}


def overdue_and_auto_supervise(county: County) -> set[str]:
    case = at_station(county)
    report = deadlines_scan(now=case.deadline + dt.timedelta(minutes=1))
    assert (report.overdue, report.supervised) == (1, 1)
    return {"cadre", "colleague"}


def supervise(county: County) -> set[str]:
    case = at_station(county)
    with transaction.atomic():
        supervision_open(
            case=case, unit=county.center, actor=county.users["township_staff"],
            reason="群众多次反映，镇里挂账督办",
        )  # fmt: skip
    return {"cadre", "colleague"}


def portal_submission(county: County) -> set[str]:
    household = county.households["H1b"]
    # Any cadre of the county may be a contact cadre, here one from another township and
    # a department handler: neither may open a matter of 二组 that is not their department's.
    for persona in ("other_township", "dept_handler"):
        contact_assign(
            actor=county.users["cadre"], cadre=county.users[persona], village=county.v1,
            households=[household],
        )  # fmt: skip
    card = cards_ensure(actor=county.users["cadre"], households=[household])[household.pk]
    portal_submit(
        token=uuid.uuid4().hex, node=county.g1b, text="二组水渠堵了，雨天淹了菜地",
        nature="help", name="李秀英", phone="13800000002", card=card,
    )  # fmt: skip
    return {"cadre", "colleague"}


WELL = [
    "东风村老水井这几天水发浑，全组都靠水井饮水",
    "水井的水有怪味，不敢饮水，请检测水质",
    "水井旁边有人倒垃圾，污水流进水井，饮水不安全",
    "水井的水浑浊发黄，饮水让人担心",
    "用水井的井水饮水，最近井水变黄了",
    "水井年久失修，井口没有盖板，饮水有隐患",
]
OTHER = [
    "孩子今年上小学，户口在外地，想问入学材料",
    "低保申请交上去两个月了，不知道进展",
    "和邻居因为宅基地边界吵了好几次，请帮忙调解",
]
TODAY = dt.date(2025, 6, 30)


def _reported(node, text: str, days_ago: int, n: int) -> None:
    at = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(10)) - dt.timedelta(days=days_ago))
    case_register(
        actor=None, node=node, channel="hotline", nature="help", original_text=text,
        reporter_name=f"村民{n}", reporter_phone=f"1371111{n:04d}", reported_at=at,
    )  # fmt: skip


def hot_spot_alert(county: County) -> set[str]:
    for i in range(6):
        _reported([county.g1a, county.g1b][i % 2], WELL[i], i, i)
    for k, text in enumerate(OTHER):
        _reported(county.g3, text, k, 100 + k)
    hotspots_refresh(county=county.county, today=TODAY)
    assert HotSpot.objects.get().node == county.v1
    return {"township_staff"}


def review_diary_of(county: County, author: str) -> None:
    entry, _ = diary_record(
        author=county.users[author], node=county.g1a, date=timezone.localdate(),
        category="hot_issues", title="一组饮水井水量不足", narrative="入夏以来饮水井水量不足。",
    )  # fmt: skip
    diary_review(entry=entry, reviewer=county.users["county_supervisor"], comment="抓紧对接水利站")


def diary_reviewed(county: County) -> set[str]:
    review_diary_of(county, "liaison")
    return {"liaison"}


KINDS: dict[str, Callable[[County], set[str]]] = {
    "case.assign": assign_to_station,
    "case.assign.department": assign_to_department,
    "case.escalate": escalate,
    "case.return": return_to_registrar,
    "case.reopen": reopen,
    "case.remind": remind,
    "case.overdue": overdue_and_auto_supervise,
    "case.supervise": supervise,
    "portal.submitted": portal_submission,
    "hotspot.alert": hot_spot_alert,
    "diary.review": diary_reviewed,
}


def test_every_kind_of_staff_message_is_crossed():
    """A new kind of message (a case action that notifies, a new related type) needs its
    row in KINDS, and the related type its rule in notify.access."""
    from minqing.cases.notifications import _STAFF_SUBJECTS
    from minqing.notify.access import RULES

    crossed = {kind.split(".")[1] for kind in KINDS if kind.startswith("case.")}
    assert {str(a) for a in _STAFF_SUBJECTS} | {Action.RETURN} <= crossed
    assert set(RULES) == {"cases.case", "textanalysis.hotspot", "fieldwork.diaryentry"}


@pytest.mark.parametrize("kind", list(KINDS))
def test_only_those_who_may_open_the_object_are_told(county, client_for, kind):
    expected = KINDS[kind](county)
    outbox_deliver(limit=1000)
    clients = {persona: client_for(persona) for persona in ROLES}
    by_user = {county.users[p].pk: p for p in ROLES}
    opens: dict[tuple[str, str], int] = {}

    def status(persona: str, url: str) -> int:
        if (persona, url) not in opens:
            opens[persona, url] = clients[persona].get(url).status_code
        return opens[persona, url]

    leaks = []
    staff_rows = Outbox.objects.filter(recipient_user__isnull=False)
    assert staff_rows.exists(), f"{kind}: no staff message at all"
    for row in staff_rows:  # every channel: no e-mail or SMS either
        persona = by_user[row.recipient_user_id]
        if status(persona, row.url) != 200:
            leaks.append(f"{persona} was sent “{row.subject}” ({row.channel}) about {row.url}")
    for persona in ROLES:
        inbox = clients[persona].get("/notifications/")
        for note in Notification.objects.filter(user=county.users[persona]):
            if status(persona, note.url) != 200:
                leaks.append(f"{persona} has “{note.title}” in the inbox, {note.url} answers 404")
            assert note.title in inbox.text, (persona, note.title)
    assert not leaks, f"{kind}:\n" + "\n".join(leaks)
    told = {by_user[n.user_id] for n in Notification.objects.filter(user_id__in=by_user)}
    assert told == expected, kind


def test_the_resident_still_gets_the_extension_sms(county):
    case = at_station(county)
    case_transition(
        case=case, action="extend", actor=county.users["cadre"], note="需等待供电所排期",
        deadline=case.deadline + dt.timedelta(days=10),
    )  # fmt: skip
    sms = Outbox.objects.get(channel=Channel.SMS)
    assert (sms.recipient_user, sms.recipient_address) == (None, "13800000002")
    assert case.number in sms.body


def test_staff_sms_and_email_follow_the_same_rule(county):
    cadre, liaison = county.users["cadre"], county.users["liaison"]
    liaison.phone, cadre.phone = "13900000009", "13900000001"
    liaison.save(update_fields=["phone"])
    cadre.save(update_fields=["phone"])
    case = register(county)
    with transaction.atomic():
        rows = outbox_queue_staff(
            users=[cadre, liaison], dedupe_key=f"case:{case.number}:test",
            subject=f"事项 {case.number}", body=case.title, url=f"/cases/{case.number}/",
            related=case, channels=[Channel.IN_APP, Channel.SMS, Channel.EMAIL],
        )  # fmt: skip
        alone = outbox_queue(
            channel=Channel.SMS, dedupe_key="one", subject="", body=case.title, user=liaison,
            related=("cases.case", case.number),
        )  # fmt: skip
    assert {(r.recipient_user.username, r.channel) for r in rows} == {
        ("cadre", Channel.IN_APP), ("cadre", Channel.SMS), ("cadre", Channel.EMAIL),
    }  # fmt: skip
    assert alone is None
    # A case instance is named by its number, like every other message about it.
    assert {(r.related_type, r.related_id) for r in rows} == {("cases.case", case.number)}


def test_a_staff_message_about_an_unknown_kind_of_object_is_refused(county):
    from minqing.notify.access import NoAccessRule

    with pytest.raises(NoAccessRule), transaction.atomic():
        outbox_queue_staff(
            users=[county.users["cadre"]], dedupe_key="x", subject="x", body="x",
            related=county.station,
        )  # fmt: skip


# --- read time ------------------------------------------------------------------------------


def _move_case(case: Case, node) -> None:
    # There is no "move" action: a matter's place is corrected by hand in the database
    # (or re-registered); either way, what the inbox shows follows the place it has now.
    Case.objects.filter(pk=case.pk).update(node=node)


def _move_user(user, node) -> None:
    user.node = node
    user.save(update_fields=["node"])


MOVES = {
    "matter placed in another group": lambda county, case: _move_case(case, county.g1b),
    "liaison moved to another group": lambda county, case: _move_user(
        county.users["liaison"], county.g1b
    ),
}
MOVE_BACK = {
    "matter placed in another group": lambda county, case: _move_case(case, county.g1a),
    "liaison moved to another group": lambda county, case: _move_user(
        county.users["liaison"], county.g1a
    ),
}


@pytest.mark.parametrize("move", list(MOVES))
def test_a_message_whose_object_left_the_users_scope_is_hidden(county, client_for, move):
    case = at_station(county, county.g1a)  # the liaison's own group: they are told
    outbox_deliver()
    liaison = county.users["liaison"]
    note = Notification.objects.get(user=liaison)
    client = client_for("liaison")
    assert case.number in client.get("/notifications/").text
    assert 'data-testid="unread-badge">1</span>' in client.get("/").text

    MOVES[move](county, case)
    liaison.refresh_from_db()
    assert unread_count(liaison) == 0
    assert case.number not in client.get("/notifications/").text
    assert 'data-testid="unread-badge"' not in client.get("/").text
    assert client.get(note.url).status_code == 404
    assert client.post(f"/notifications/{note.pk}/read/", {"open": "1"}).status_code == 404
    client.post("/notifications/read-all/")
    note.refresh_from_db()
    assert note.read_at is None  # neither shown nor touched
    # The village cadres, whose village it still is, keep theirs.
    assert case.number in client_for("cadre").get("/notifications/").text

    MOVE_BACK[move](county, case)
    assert 'data-testid="unread-badge">1</span>' in client.get("/").text
    response = client.post(f"/notifications/{note.pk}/read/", {"open": "1"})
    assert (response.status_code, response["Location"]) == (302, note.url)


def test_a_cadre_moved_to_another_village_no_longer_sees_its_messages(county, client_for):
    case = at_station(county)
    outbox_deliver()
    cadre = county.users["cadre"]
    note = Notification.objects.get(user=cadre)
    _move_user(cadre, county.v2)
    client = client_for("cadre")
    assert case.number not in client.get("/notifications/").text
    assert client.post(f"/notifications/{note.pk}/read/", {"open": "1"}).status_code == 404
    assert unread_count(cadre) == 0
    assert unread_count(county.users["colleague"]) == 1


def test_a_hot_spot_alert_leaves_with_the_township_staff(county, client_for):
    hot_spot_alert(county)
    outbox_deliver()
    staff = county.users["township_staff"]
    note = Notification.objects.get(user=staff)
    assert unread_count(staff) == 1
    _move_user(staff, county.t2)
    assert unread_count(staff) == 0
    client = client_for("township_staff")
    assert client.get(note.url).status_code == 404
    assert client.post(f"/notifications/{note.pk}/read/", {"open": "1"}).status_code == 404


def test_a_message_queued_in_scope_is_not_delivered_after_the_user_moved(county):
    at_station(county)
    colleague = county.users["colleague"]
    _move_user(colleague, county.v2)  # before the worker gets to the row
    outbox_deliver()
    row = Outbox.objects.get(recipient_user=colleague)
    assert row.status == Status.DEAD
    assert "may not open" in row.last_error
    assert not Notification.objects.filter(user=colleague).exists()
    assert Notification.objects.filter(user=county.users["cadre"]).exists()


def test_messages_about_nothing_are_still_shown(county, client_for):
    with transaction.atomic():
        outbox_queue(
            channel=Channel.IN_APP, dedupe_key="plain", subject="系统维护通知", body="今晚停机",
            user=county.users["liaison"],
        )  # fmt: skip
    outbox_deliver()
    assert "系统维护通知" in client_for("liaison").get("/notifications/").text


def test_the_bell_stays_one_query_and_the_inbox_does_not_grow(county, client_for):
    client = client_for("cadre")
    at_station(county)
    outbox_deliver()
    client.get("/notifications/")  # warm per-process caches
    with CaptureQueriesContext(connection) as few:
        client.get("/notifications/")
    for _ in range(4):
        at_station(county)
    review_diary_of(county, "cadre")
    outbox_deliver()
    with CaptureQueriesContext(connection) as more:
        client.get("/notifications/")
    assert len(more) == len(few)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").text
    assert 'data-testid="unread-badge">6</span>' in page
    assert sum("notify_notification" in q["sql"] for q in queries.captured_queries) == 1
