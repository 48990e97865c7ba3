"""The staff inbox: each user sees and marks only their own messages; the top-bar bell
counts the unread ones with one query; the outbox admin is the county administrator's."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from minqing.cases.services import case_register
from minqing.notify.models import Channel, Notification, Outbox, Status
from minqing.notify.services import outbox_queue


@pytest.fixture
def send_in_app(django_capture_on_commit_callbacks):
    def send(user, key: str, title: str, url: str = "") -> Notification:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            outbox_queue(
                channel=Channel.IN_APP, dedupe_key=key, subject=title, body=f"{title}的详情",
                user=user, url=url,
            )  # fmt: skip
        return Notification.objects.get(source__dedupe_key=key)

    return send


def test_owner_sees_their_messages_newest_first_unread_in_bold(county, client_for, send_in_app):
    cadre = county.users["cadre"]
    older = send_in_app(cadre, "k1", "旧消息")
    send_in_app(cadre, "k2", "新交办事项", url="/cases/")
    older.read_at = older.created_at
    older.save(update_fields=["read_at"])
    response = client_for("cadre").get("/notifications/")
    assert response.status_code == 200
    titles = [n.title for n in response.context["page"]]
    assert titles == ["新交办事项", "旧消息"]
    assert 'data-unread="1"' in response.text
    assert 'data-unread="0"' in response.text
    assert 'fw-bold">新交办事项</button>' in response.text


def test_other_users_do_not_see_the_message(county, client_for, send_in_app):
    send_in_app(county.users["cadre"], "k1", "只给赵村官")
    for persona in ["colleague", "sibling", "county_admin"]:
        response = client_for(persona).get("/notifications/")
        assert response.status_code == 200
        assert "只给赵村官" not in response.text, persona


def test_another_users_message_answers_404_and_stays_unread(county, client_for, send_in_app):
    note = send_in_app(county.users["cadre"], "k1", "只给赵村官")
    client = client_for("colleague")
    assert client.post(f"/notifications/{note.pk}/read/").status_code == 404
    assert client.post(f"/notifications/{note.pk}/read/", {"open": "1"}).status_code == 404
    client.post("/notifications/read-all/")
    note.refresh_from_db()
    assert note.read_at is None


def test_anonymous_is_sent_to_sign_in(county, client_for):
    response = client_for("anonymous").get("/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_mark_one_read_by_post_only(county, client_for, send_in_app):
    note = send_in_app(county.users["cadre"], "k1", "新消息")
    client = client_for("cadre")
    assert client.get(f"/notifications/{note.pk}/read/").status_code == 405
    response = client.post(f"/notifications/{note.pk}/read/")
    assert (response.status_code, response["Location"]) == (302, "/notifications/")
    note.refresh_from_db()
    assert note.read_at is not None


def test_opening_a_message_marks_it_read_and_follows_its_link(county, client_for, send_in_app):
    note = send_in_app(county.users["cadre"], "k1", "新交办事项", url="/cases/")
    response = client_for("cadre").post(f"/notifications/{note.pk}/read/", {"open": "1"})
    assert (response.status_code, response["Location"]) == (302, "/cases/")
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_all_read_touches_only_own_messages(county, client_for, send_in_app):
    mine = [send_in_app(county.users["cadre"], f"k{i}", f"消息{i}") for i in range(3)]
    theirs = send_in_app(county.users["colleague"], "c1", "同事的消息")
    response = client_for("cadre").post("/notifications/read-all/", follow=True)
    assert "已将 3 条消息标为已读" in response.text
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_bell_counts_unread_messages_with_one_query(county, client_for, send_in_app):
    client = client_for("cadre")
    assert 'data-testid="unread-badge"' not in client.get("/").text
    notes = [send_in_app(county.users["cadre"], f"k{i}", f"消息{i}") for i in range(2)]
    send_in_app(county.users["colleague"], "c1", "同事的消息")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").text
    assert 'data-testid="unread-badge">2</span>' in page
    assert sum("notify_notification" in q["sql"] for q in queries.captured_queries) == 1
    client.post(f"/notifications/{notes[0].pk}/read/")
    assert 'data-testid="unread-badge">1</span>' in client.get("/").text


def test_inbox_queries_do_not_grow_with_messages(county, client_for, send_in_app):
    client = client_for("cadre")
    send_in_app(county.users["cadre"], "k0", "消息0")
    client.get("/notifications/")  # warm per-process caches so both counts compare pages
    with CaptureQueriesContext(connection) as few:
        client.get("/notifications/")
    for i in range(1, 6):
        send_in_app(county.users["cadre"], f"k{i}", f"消息{i}")
    with CaptureQueriesContext(connection) as more:
        client.get("/notifications/")
    assert len(more) == len(few)


@pytest.mark.parametrize("persona", ["cadre", "county_supervisor", "dept_handler"])
def test_outbox_admin_is_closed_to_other_roles(county, client_for, persona):
    assert client_for(persona).get("/admin/notify/outbox/").status_code == 302


def test_county_admin_sees_outbox_with_masked_phones_and_can_retry(
    county, client_for, settings, django_capture_on_commit_callbacks
):
    settings.MINQING_SMS_BACKEND = "minqing.notify.backends.ConsoleSMSBackend"
    case, _ = case_register(
        actor=county.users["township_staff"], node=county.g1a, channel="hotline",
        nature="help", original_text="一组路灯坏了", reporter_name="张建国",
    )  # fmt: skip
    # A message to a resident about a matter of the county (the admin shows a county's
    # administrator what reaches its staff and its residents' matters only).
    with transaction.atomic():
        row = outbox_queue(
            channel=Channel.SMS,
            dedupe_key="s1",
            subject="",
            body="x",
            address="13912345678",
            related=("cases.case", case.number),
        )
    Outbox.objects.filter(pk=row.pk).update(status=Status.DEAD, attempts=6)
    client = client_for("county_admin")
    response = client.get("/admin/notify/outbox/")
    assert response.status_code == 200
    assert "139****5678" in response.text
    assert "13912345678" not in response.text
    detail = client.get(f"/admin/notify/outbox/{row.pk}/change/")
    assert detail.status_code == 200
    assert "139****5678" in detail.text
    assert "13912345678" not in detail.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/notify/outbox/", {"action": "retry_now", "_selected_action": [row.pk]}
        )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == Status.SENT  # re-queued, and the immediate task backend sent it
    assert client.get(f"/admin/notify/outbox/{row.pk}/delete/").status_code == 403
