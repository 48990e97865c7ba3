"""The portal's sum challenge (issue 12, point 6): the hidden field carries no answer, a
challenge is good for one try within a few minutes, even under concurrent requests."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.core import signing
from django.db import connection
from django.utils import timezone

from minqing.cases.models import Case
from tests.test_portal_submit import form

NUMERALS = "零一二三四五六七八九"


@pytest.fixture
def busy(settings):  # type: ignore[no-untyped-def]
    """Every submission needs the challenge."""
    settings.MINQING_PORTAL_LIMITS = {
        "submit_free": 0,
        "submit_per_hour": 100,
        "track_per_hour": 30,
    }


def challenge_of(page) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """(the hidden challenge value, the answer a resident works out from the question)."""
    token = re.search(r'name="challenge" value="([^"]*)"', page.text).group(1)
    a, b = re.search(r"([一二三四五六七八九]) 加 ([一二三四五六七八九]) 等于几", page.text).groups()
    return token, str(NUMERALS.index(a) + NUMERALS.index(b))


def submit_page(client, county):  # type: ignore[no-untyped-def]
    return client.get(f"/portal/submit/?village={county.v1.code}")


def test_the_hidden_field_is_an_opaque_random_id(county, client, busy):
    first, _ = challenge_of(submit_page(client, county))
    second, _ = challenge_of(submit_page(client, county))
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second
    with pytest.raises(signing.BadSignature):
        signing.loads(first, salt="minqing.portal.challenge")


def test_a_solved_challenge_is_accepted_once(county, client, busy):
    token, answer = challenge_of(submit_page(client, county))
    assert (
        client.post("/portal/submit/", form(county, challenge=token, answer=answer)).status_code
        == 200
    )
    replay = client.post("/portal/submit/", form(county, challenge=token, answer=answer))
    assert replay.status_code == 400
    assert "验证题已失效" in replay.text
    assert Case.objects.count() == 1


def test_a_replayed_challenge_cannot_carry_many_submissions(county, client, busy):
    token, answer = challenge_of(submit_page(client, county))
    statuses = [
        client.post("/portal/submit/", form(county, challenge=token, answer=answer)).status_code
        for _ in range(5)
    ]
    assert statuses == [200, 400, 400, 400, 400]
    assert Case.objects.count() == 1


def test_a_wrong_answer_uses_up_the_challenge_and_a_new_question_is_shown(county, client, busy):
    token, answer = challenge_of(submit_page(client, county))
    wrong = str(int(answer) + 1)
    response = client.post("/portal/submit/", form(county, challenge=token, answer=wrong))
    assert response.status_code == 400
    assert "验证答案不对" in response.text
    fresh, fresh_answer = challenge_of(response)
    assert fresh != token
    # The old question, now answered right, no longer counts.
    stale = client.post("/portal/submit/", form(county, challenge=token, answer=answer))
    assert stale.status_code == 400
    assert Case.objects.count() == 0
    fresh, fresh_answer = challenge_of(stale)
    ok = client.post("/portal/submit/", form(county, challenge=fresh, answer=fresh_answer))
    assert ok.status_code == 200
    assert Case.objects.count() == 1


def test_an_expired_challenge_is_refused_in_chinese(county, client, busy):
    from minqing.portal.models import PortalChallenge

    token, answer = challenge_of(submit_page(client, county))
    PortalChallenge.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.post("/portal/submit/", form(county, challenge=token, answer=answer))
    assert response.status_code == 400
    assert "验证题已失效" in response.text
    assert Case.objects.count() == 0


def test_a_challenge_lives_at_most_ten_minutes(county, client, busy):
    from minqing.portal.models import PortalChallenge

    before = timezone.now()
    challenge_of(submit_page(client, county))
    row = PortalChallenge.objects.get()
    assert row.expires_at <= before + dt.timedelta(minutes=10, seconds=5)
    assert row.used_at is None


def test_the_answer_is_not_stored_in_clear(county, client, busy):
    from minqing.portal.models import PortalChallenge

    token, answer = challenge_of(submit_page(client, county))
    row = PortalChallenge.objects.get(pk=token)
    assert row.answer_hash != answer
    assert len(row.answer_hash) >= 32


def test_expired_challenges_are_cleared_away(county, busy, monkeypatch):
    from minqing.portal import services
    from minqing.portal.models import PortalChallenge

    for _ in range(3):
        services.challenge_issue()
    PortalChallenge.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    monkeypatch.setattr(services.random, "random", lambda: 0.0)  # the sweep's turn
    _question, token = services.challenge_issue()
    assert list(PortalChallenge.objects.values_list("pk", flat=True)) == [token]


def test_the_same_challenge_raced_from_many_threads_is_accepted_once(transactional_db):
    # A transactional database: the threads' own connections must see the row.
    from minqing.portal import challenge, services

    question, token = services.challenge_issue()
    a, b = re.search(r"([一二三四五六七八九]) 加 ([一二三四五六七八九])", question).groups()
    answer = str(NUMERALS.index(a) + NUMERALS.index(b))
    barrier = threading.Barrier(8)
    verdicts: list[str] = []

    def attempt() -> None:
        try:
            barrier.wait()
            verdicts.append(services.challenge_consume(token=token, answer=answer))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(verdicts) == sorted([challenge.Verdict.SOLVED] + [challenge.Verdict.STALE] * 7)
