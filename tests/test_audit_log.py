"""The audit log records sign-ins, failures, denials and service changes, and is append-only."""

import pytest
from django.db import DatabaseError, connection, transaction

from minqing.audit.models import Action, AppendOnlyError, AuditEvent
from minqing.org import services
from tests.conftest import PASSWORD


def test_service_change_records_who_what_and_the_diff(county):
    admin = county.users["county_admin"]
    services.node_update(actor=admin, node=county.v1, population=1234)
    event = AuditEvent.objects.filter(action=Action.UPDATE).latest("id")
    assert event.actor == admin
    assert event.object_type == "org.node"
    assert event.object_id == str(county.v1.pk)
    assert event.changes == {"population": [0, 1234]}


def test_service_create_records_the_new_object_without_password_hash(county):
    event = AuditEvent.objects.get(action=Action.CREATE, object_repr="赵村官")
    assert event.changes["username"] == "cadre"
    assert "password" not in event.changes


def test_update_that_changes_nothing_is_not_logged(county):
    before = AuditEvent.objects.count()
    services.node_update(actor=None, node=county.v1, name=county.v1.name)
    assert AuditEvent.objects.count() == before


def test_successful_and_failed_sign_ins_are_logged(county, client):
    client.post("/accounts/login/", {"username": "cadre", "password": "wrong-password"})
    failed = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert failed.actor is None
    assert failed.actor_username == "cadre"
    assert failed.ip == "127.0.0.1"
    client.post("/accounts/login/", {"username": "cadre", "password": PASSWORD})
    ok = AuditEvent.objects.get(action=Action.LOGIN)
    assert ok.actor == county.users["cadre"]


def test_behind_the_proxy_the_log_records_the_clients_address(county, client, settings):
    # The same address the lockout and the portal's limits count, not the proxy's.
    settings.MINQING_BEHIND_PROXY = True
    client.post("/accounts/login/", {"username": "cadre", "password": PASSWORD},
                REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")  # fmt: skip
    assert AuditEvent.objects.get(action=Action.LOGIN).ip == "203.0.113.7"
    settings.MINQING_BEHIND_PROXY = False
    client.post("/accounts/logout/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert AuditEvent.objects.get(action=Action.LOGOUT).ip == "10.0.0.1"


def test_events_cannot_be_edited_or_deleted_through_the_orm(county):
    event = AuditEvent.objects.first()
    event.note = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(note="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).note == ""


def test_database_refuses_raw_update_of_an_event(county):
    event = AuditEvent.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET note = 'tampered' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).note == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="DELETE trigger is PostgreSQL-only")
def test_postgresql_refuses_raw_delete_of_an_event(county):
    event = AuditEvent.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_admin_offers_no_way_to_change_the_log(county, client_for):
    client = client_for("county_admin")
    event = AuditEvent.objects.first()
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert (
        client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    change_page = client.get(f"/admin/audit/auditevent/{event.pk}/change/")
    assert change_page.status_code == 200
    assert 'name="_save"' not in change_page.text
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_admin_edit_is_audited_with_the_change(county, client_for):
    client = client_for("county_admin")
    node = county.v2
    response = client.post(
        f"/admin/org/node/{node.pk}/change/",
        {
            "level": node.level,
            "code": node.code,
            "name": "西岭社区",
            "parent": node.parent_id,
            "population": 800,
            "household_count": 250,
            "address": "",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_type="org.node").latest("id")
    assert event.actor == county.users["county_admin"]
    assert event.changes["name"] == ["西岭村", "西岭社区"]
