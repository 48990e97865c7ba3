"""两代表工作室 (seed 004): deputies record receptions at their office, turn what they heard
into cases once each, and see their month against the quota (≥ 2 receptions, ≥ 1
collective); township leaders and county reviewers see the deputies in their area."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from minqing.audit.models import Action, AuditEvent
from minqing.cases.models import Case, Channel
from minqing.fieldwork.models import FieldworkRules, Reception
from minqing.fieldwork.services import reception_record
from minqing.fieldwork.talk_selectors import deputy_figures
from minqing.org import services
from minqing.org.roles import Rank, Role
from tests.conftest import PASSWORD


def _key(response) -> str:
    match = re.search(rb'name="idempotency_key" value="([0-9a-f]{32})"', response.content)
    assert match
    return match[1].decode()


def _record(deputy, date: str, collective: bool = False, visitors: int = 3) -> Reception:
    reception, _ = reception_record(
        actor=deputy,
        date=dt.date.fromisoformat(date),
        record_text="群众反映村道破损",
        collective=collective,
        visitors=visitors,
    )
    return reception


def test_deputy_records_a_reception_once_and_the_draft_clears(county, client_for):
    client = client_for("deputy")
    page = client.get(reverse("talk:reception_new"))
    assert page.status_code == 200
    assert b'data-draft="reception"' in page.content
    assert b"js/drafts.js" in page.content
    data = {
        "idempotency_key": _key(page),
        "date": "2026-09-10",
        "collective": "on",
        "visitors": "12",
        "record": "集中接待：反映村道破损、自来水压力不足",
    }
    first = client.post(reverse("talk:reception_new"), data)
    again = client.post(reverse("talk:reception_new"), data)
    reception = Reception.objects.get()
    assert (
        first["Location"]
        == again["Location"]
        == (reverse("talk:reception", args=[reception.pk]) + "?saved=1")
    )
    assert (reception.deputy, reception.node) == (county.users["deputy"], county.t1)
    assert (reception.collective, reception.visitors) == (True, 12)
    assert b'data-draft-clear="reception"' in client.get(first["Location"]).content
    assert (
        AuditEvent.objects.filter(action=Action.CREATE, object_type="fieldwork.reception").count()
        == 1
    )


def test_reception_form_refuses_future_dates_and_empty_records(county, client_for):
    client = client_for("deputy")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    base = {"idempotency_key": "a" * 32, "visitors": "1", "record": "事"}
    assert client.post(reverse("talk:reception_new"), {**base, "date": tomorrow}).status_code == 400
    base["idempotency_key"] = "b" * 32
    response = client.post(
        reverse("talk:reception_new"), {**base, "date": "2026-09-10", "record": ""}
    )
    assert response.status_code == 400
    assert not Reception.objects.exists()


def test_turning_a_reception_matter_into_a_case_is_double_click_safe(county, client_for):
    reception = _record(county.users["deputy"], "2026-09-10")
    client = client_for("deputy")
    page = client.get(reverse("talk:reception", args=[reception.pk]))
    assert b'name="n" value="1"' in page.content
    url = reverse("talk:reception_case", args=[reception.pk])
    data = {"n": "1", "text": "村道破损需要修补", "reporter_name": "张大伯", "nature": "help"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # the same form sent twice
    case = Case.objects.get()
    assert (case.channel, case.node, case.idempotency_key) == (
        Channel.DEPUTIES,
        county.t1,
        f"reception:{reception.pk}:1",
    )
    assert list(reception.cases.all()) == [case]
    # The page now offers the second matter.
    page = client.get(reverse("talk:reception", args=[reception.pk]))
    assert b'name="n" value="2"' in page.content
    assert case.number.encode() in page.content
    data = {"n": "2", "text": "自来水压力不足", "anonymous": "on", "nature": "complaint"}
    client.post(url, data)
    assert reception.cases.count() == 2
    assert Case.objects.get(idempotency_key=f"reception:{reception.pk}:2").anonymous
    # A stale or forged sequence number registers nothing.
    client.post(url, {**data, "n": "7"})
    assert Case.objects.count() == 2


def test_reception_case_needs_a_name_or_anonymous(county, client_for):
    reception = _record(county.users["deputy"], "2026-09-10")
    response = client_for("deputy").post(
        reverse("talk:reception_case", args=[reception.pk]),
        {"n": "1", "text": "事", "nature": "help"},
    )
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_monthly_counts_against_the_quota(county, client_for):
    deputy = county.users["deputy"]
    rules = FieldworkRules(county=county.county)
    _record(deputy, "2026-09-03", visitors=2)
    [f] = deputy_figures([deputy], 2026, 9, rules)
    assert (f.receptions, f.quota, f.collective, f.short, f.collective_short) == (
        1,
        2,
        0,
        True,
        True,
    )
    _record(deputy, "2026-09-17", collective=True, visitors=20)
    _record(deputy, "2026-10-01")  # another month
    [f] = deputy_figures([deputy], 2026, 9, rules)
    assert (f.receptions, f.collective, f.visitors, f.short, f.collective_short) == (
        2, 1, 22, False, False,
    )  # fmt: skip
    page = client_for("deputy").get(reverse("talk:receptions"), {"month": "2026-09"})
    html = page.content.decode()
    assert re.search(r'data-figure="receptions"><span class="">2</span>/2<', html)
    assert 'data-testid="short-warning"' not in html
    page = client_for("deputy").get(reverse("talk:receptions"), {"month": "2026-11"})
    assert b'data-testid="short-warning"' in page.content
    assert b'data-testid="collective-warning"' in page.content


def test_county_rules_set_the_deputy_quota(county):
    FieldworkRules.objects.create(county=county.county, deputy_receptions_per_month=3)
    deputy = county.users["deputy"]
    _record(deputy, "2026-09-03", collective=True)
    _record(deputy, "2026-09-17")
    from minqing.fieldwork.rules import fieldwork_rules_for

    [f] = deputy_figures([deputy], 2026, 9, fieldwork_rules_for(deputy.node))
    assert (f.receptions, f.quota, f.short) == (2, 3, True)


def _township_leader(county):
    return services.staff_create(
        actor=None, username="leader", name="韩镇长", role=Role.TOWNSHIP_LEADER,
        node=county.t1, password=PASSWORD, rank=Rank.SECTION,
    )  # fmt: skip


def test_reviewers_see_the_deputies_in_their_area_and_their_counts(county, client_for):
    deputy = county.users["deputy"]
    far = services.staff_create(
        actor=None, username="far_deputy", name="远代表", role=Role.DEPUTY,
        node=county.v3, password=PASSWORD, rank=Rank.NONE,
    )  # fmt: skip
    _record(deputy, "2026-09-03")
    _record(deputy, "2026-09-17", collective=True)
    _record(far, "2026-09-05")
    from django.test import Client

    client = Client()
    client.force_login(_township_leader(county))
    page = client.get(reverse("talk:receptions"), {"month": "2026-09"}).content.decode()
    assert 'data-deputy="deputy">' in page  # met the quota: not highlighted
    assert "far_deputy" not in page  # another township
    page = client_for("county_supervisor").get(reverse("talk:receptions"), {"month": "2026-09"})
    html = page.content.decode()
    assert 'data-deputy="far_deputy" class="table-warning" data-short="1"' in html
    # A reviewer reads a reception but may not turn it into a case.
    reception = Reception.objects.filter(deputy=deputy).first()
    response = client.get(reverse("talk:reception", args=[reception.pk]))
    assert response.status_code == 200
    assert b'data-testid="case-form"' not in response.content
    response = client.post(
        reverse("talk:reception_case", args=[reception.pk]),
        {"n": "1", "text": "事", "anonymous": "on", "nature": "help"},
    )
    assert response.status_code == 404
    assert not Case.objects.exists()


@pytest.mark.parametrize("persona", ["cadre", "township_staff", "liaison", "dept_handler"])
def test_users_without_reception_or_review_capability_get_404(county, client_for, persona):
    reception = _record(county.users["deputy"], "2026-09-10")
    client = client_for(persona)
    assert client.get(reverse("talk:receptions")).status_code == 404
    assert client.get(reverse("talk:reception_new")).status_code == 404
    assert client.get(reverse("talk:reception", args=[reception.pk])).status_code == 404


def test_receptions_outside_scope_are_404(county, client_for):
    reception = _record(county.users["deputy"], "2026-09-10")
    far = services.staff_create(
        actor=None, username="far_deputy", name="远代表", role=Role.DEPUTY,
        node=county.v3, password=PASSWORD, rank=Rank.NONE,
    )  # fmt: skip
    from django.test import Client

    client = Client()
    client.force_login(far)
    assert client.get(reverse("talk:reception", args=[reception.pk])).status_code == 404
    assert (
        client.post(
            reverse("talk:reception_case", args=[reception.pk]),
            {"n": "1", "text": "事", "anonymous": "on", "nature": "help"},
        ).status_code
        == 404
    )
    other = client_for("other_admin")
    assert other.get(reverse("talk:reception", args=[reception.pk])).status_code == 404
    listing = other.get(reverse("talk:receptions"), {"month": "2026-09"}).content.decode()
    assert 'data-testid="deputies"' in listing
    assert "data-deputy=" not in listing
    assert f'data-reception="{reception.pk}"' not in listing
    assert not Case.objects.exists()


def test_a_draft_key_from_another_deputy_is_not_answered_with_their_record(county):
    reception = _record(county.users["deputy"], "2026-09-10")
    Reception.objects.filter(pk=reception.pk).update(idempotency_key="k" * 32)
    far = services.staff_create(
        actor=None, username="far_deputy", name="远代表", role=Role.DEPUTY,
        node=county.v3, password=PASSWORD, rank=Rank.NONE,
    )  # fmt: skip
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        reception_record(actor=far, date=dt.date(2026, 9, 10), record_text="x",
                         idempotency_key="k" * 32)  # fmt: skip
