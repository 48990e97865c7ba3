"""The audit log in the admin is the county's own: what its staff did, sign-in failures on
its staff's accounts, and what residents and scheduled jobs did to its objects. Another
county's administrator sees none of it (it used to see every county's log, portal
submissions with the reporter's name and words included)."""

from __future__ import annotations

import pytest
from django.test import Client

from minqing.audit.models import Action, AuditEvent
from minqing.cases.services import case_register
from minqing.org.services import node_update
from tests.conftest import PASSWORD, County


@pytest.fixture
def events(county: County) -> dict[str, AuditEvent]:
    cadre = county.users["cadre"]
    node_update(actor=cadre, node=county.v1, name="东风社区")
    by_staff = AuditEvent.objects.filter(actor=cadre, object_type="org.node").latest("id")
    portal_case, _ = case_register(
        actor=None, node=county.g1a, channel="portal", nature="help",
        original_text="网上反映：村口路灯不亮", reporter_name="网上反映人",
    )  # fmt: skip
    elsewhere, _ = case_register(
        actor=None, node=county.gx, channel="portal", nature="help",
        original_text="邻县网上反映：桥面破损", reporter_name="邻县反映人",
    )  # fmt: skip
    client = Client()
    client.post("/accounts/login/", {"username": "cadre", "password": "not-" + PASSWORD})
    client.post("/accounts/login/", {"username": "nobody-here", "password": "x"})
    created = AuditEvent.objects.filter(actor__isnull=True, object_type="cases.case")
    return {
        "by_staff": by_staff,
        "portal": created.get(object_id=str(portal_case.pk)),
        "elsewhere": created.get(object_id=str(elsewhere.pk)),
        "failed": AuditEvent.objects.get(action=Action.LOGIN_FAILED, actor_username="cadre"),
        "unknown": AuditEvent.objects.get(action=Action.LOGIN_FAILED, actor_username="nobody-here"),
        "other_staff": AuditEvent.objects.filter(
            object_type="org.user", object_id=str(county.users["other_dept"].pk)
        ).latest("id"),
    }


def listed(client: Client) -> set[int]:
    response = client.get("/admin/audit/auditevent/?all=")
    assert response.status_code == 200
    return {event.pk for event in response.context["cl"].result_list}


def test_the_county_admin_sees_the_countys_log(county, client_for, events) -> None:
    shown = listed(client_for("county_admin"))
    for key in ("by_staff", "portal", "failed"):
        assert events[key].pk in shown, key
    for key in ("elsewhere", "unknown", "other_staff"):
        assert events[key].pk not in shown, key


def test_another_countys_admin_sees_none_of_it(county, client_for, events) -> None:
    client = client_for("other_admin")
    shown = listed(client)
    # Its own county's: a portal submission there, the creation of its staff's account.
    assert {events["elsewhere"].pk, events["other_staff"].pk} <= shown
    for key in ("by_staff", "portal", "failed"):
        assert events[key].pk not in shown, key
        response = client.get(f"/admin/audit/auditevent/{events[key].pk}/change/")
        assert response.status_code == 302  # as for a missing record: back to the index
        assert response["Location"] == "/admin/"
    assert "网上反映人" not in client.get("/admin/audit/auditevent/").text
