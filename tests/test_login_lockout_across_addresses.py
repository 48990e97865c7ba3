"""Sign-in lockout also counts per account across addresses (issue 12, point 5): a guesser
who spreads wrong passwords over many addresses is stopped, the lock lifts by itself after
the cool-off, and the county administrator can lift it earlier, audited."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client
from django.utils import timezone

from minqing.audit.models import Action, AuditEvent
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[1]
ADDRESSES = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"]


def sign_in(client: Client, username: str, password: str, address: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def spray(client: Client, username: str, times: int, addresses: list[str] = ADDRESSES) -> list:
    """`times` wrong passwords, dealt round-robin over `addresses`."""
    return [
        sign_in(client, username, "wrong-password", addresses[i % len(addresses)])
        for i in range(times)
    ]


def test_wrong_passwords_spread_over_five_addresses_lock_the_account(county, settings):
    client = Client()
    # Two per address: never the five the per-address rule needs, ten for the account.
    responses = spray(client, "cadre", settings.MINQING_ACCOUNT_FAILURE_LIMIT)
    assert [r.status_code for r in responses[:-1]] == [200] * (len(responses) - 1)
    assert responses[-1].status_code == 429
    response = sign_in(client, "cadre", PASSWORD, "10.0.0.99")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=Action.LOCKED_OUT, actor_username="cadre").exists()


def test_twenty_wrong_passwords_from_five_addresses_never_sign_in(county):
    client = Client()
    spray(client, "cadre", 20)
    assert sign_in(client, "cadre", PASSWORD, ADDRESSES[0]).status_code == 429


def test_fewer_failures_than_the_account_limit_do_not_lock(county, settings):
    client = Client()
    spray(client, "cadre", settings.MINQING_ACCOUNT_FAILURE_LIMIT - 1)
    assert sign_in(client, "cadre", PASSWORD, "10.0.0.99").status_code == 302


def test_the_per_address_rule_still_locks_at_five(county, settings):
    client = Client()
    spray(client, "cadre", settings.AXES_FAILURE_LIMIT, addresses=["10.0.0.7"])
    assert sign_in(client, "cadre", PASSWORD, "10.0.0.7").status_code == 429
    # From elsewhere the account is still open: five is below the account limit.
    assert sign_in(Client(), "cadre", PASSWORD, "10.0.0.8").status_code == 302


def test_the_account_limit_follows_the_setting(county, settings):
    settings.MINQING_ACCOUNT_FAILURE_LIMIT = 4
    client = Client()
    spray(client, "cadre", 4, addresses=ADDRESSES[:4])
    assert sign_in(client, "cadre", PASSWORD, "10.0.0.99").status_code == 429


def test_the_account_limit_is_read_from_the_environment():
    code = "from django.conf import settings; print(settings.MINQING_ACCOUNT_FAILURE_LIMIT)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINQING_ACCOUNT")}
    result = subprocess.run(
        [sys.executable, "-m", "minqing", "shell", "-c", code],
        cwd=ROOT,
        env={**env, "MINQING_ACCOUNT_FAILURE_LIMIT": "17"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1] == "17", result.stderr


def test_a_colleague_at_the_same_address_still_signs_in(county, settings):
    client = Client()
    spray(client, "cadre", settings.MINQING_ACCOUNT_FAILURE_LIMIT + 5)
    assert sign_in(Client(), "colleague", PASSWORD, ADDRESSES[0]).status_code == 302


def test_the_lockout_page_says_what_happened_when_it_lifts_and_who_can_unlock(county, settings):
    client = Client()
    spray(client, "cadre", settings.MINQING_ACCOUNT_FAILURE_LIMIT)
    response = sign_in(client, "cadre", PASSWORD, "10.0.0.99")
    assert response.status_code == 429
    assert "账号已暂时锁定" in response.text
    assert "多个地址" in response.text  # which rule: failures from several addresses
    # Every address sent two; the oldest of them leaves the window last.
    first = AccessAttempt.objects.order_by("attempt_time").first().attempt_time
    lifts = timezone.localtime(first + dt.timedelta(hours=settings.AXES_COOLOFF_TIME))
    assert lifts.strftime("%H:%M") in response.text
    assert "县级管理员" in response.text
    assert "解除锁定" in response.text


def test_the_legitimate_user_signs_in_after_the_cool_off(county, settings):
    client = Client()
    spray(client, "cadre", settings.MINQING_ACCOUNT_FAILURE_LIMIT)
    assert sign_in(client, "cadre", PASSWORD, ADDRESSES[0]).status_code == 429
    cool_off = dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - cool_off - dt.timedelta(minutes=1)
    )
    assert sign_in(client, "cadre", PASSWORD, ADDRESSES[0]).status_code == 302


def test_wrong_passwords_during_the_lock_do_not_prolong_it(county, settings):
    client = Client()
    spray(client, "cadre", settings.MINQING_ACCOUNT_FAILURE_LIMIT)
    before = list(
        AccessAttempt.objects.order_by("pk").values_list("attempt_time", "failures_since_start")
    )
    spray(client, "cadre", 7)
    after = list(
        AccessAttempt.objects.order_by("pk").values_list("attempt_time", "failures_since_start")
    )
    assert after == before


def test_the_county_administrator_sees_the_lock_and_lifts_it(county, client_for, settings):
    spray(Client(), "cadre", settings.MINQING_ACCOUNT_FAILURE_LIMIT)
    admin = client_for("county_admin")
    index = admin.get("/admin/")
    assert "/admin/lockouts/" in index.text
    assert "登录锁定" in index.text
    page = admin.get("/admin/lockouts/")
    assert page.status_code == 200
    assert "cadre" in page.text
    assert "赵村官" in page.text
    assert "已锁定" in page.text
    response = admin.post("/admin/lockouts/", {"username": "cadre"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="cadre").exists()
    event = AuditEvent.objects.get(action=Action.UPDATE, object_id=str(county.users["cadre"].pk))
    assert event.actor_username == "county_admin"
    assert "解除登录锁定" in event.note
    assert sign_in(Client(), "cadre", PASSWORD, ADDRESSES[0]).status_code == 302


def test_other_roles_cannot_open_the_lockout_page(county, client_for, settings):
    spray(Client(), "cadre", settings.MINQING_ACCOUNT_FAILURE_LIMIT)
    for persona in ["cadre", "county_supervisor", "township_staff"]:
        client = client_for(persona)
        assert client.get("/admin/lockouts/").status_code == 302
        client.post("/admin/lockouts/", {"username": "cadre"})
    assert AccessAttempt.objects.filter(username="cadre").exists()


def test_another_countys_administrator_neither_sees_nor_lifts_the_lock(
    county, client_for, settings
):
    spray(Client(), "cadre", settings.MINQING_ACCOUNT_FAILURE_LIMIT)
    other = client_for("other_admin")
    page = other.get("/admin/lockouts/")
    assert page.status_code == 200
    assert "赵村官" not in page.text
    other.post("/admin/lockouts/", {"username": "cadre"})
    assert AccessAttempt.objects.filter(username="cadre").exists()
    assert sign_in(Client(), "cadre", PASSWORD, ADDRESSES[0]).status_code == 429


def test_behind_the_proxy_each_forwarded_address_counts_on_its_own(county, settings):
    settings.MINQING_BEHIND_PROXY = True
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": "cadre", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="10.1.1.1",
        )
    elsewhere = Client().post(
        "/accounts/login/",
        {"username": "cadre", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.1.1.2",
    )
    assert elsewhere.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.1.1.1"}


def test_a_forged_forwarded_address_falls_back_to_the_socket_address(county, settings):
    settings.MINQING_BEHIND_PROXY = True
    response = Client().post(
        "/accounts/login/",
        {"username": "cadre", "password": "wrong"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="'; drop table--",
    )
    assert response.status_code == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
