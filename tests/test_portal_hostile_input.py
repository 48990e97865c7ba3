"""Malformed and hostile input thrown at submit and track: never a server error, never a
stored script, never a case from a rejected form."""

from __future__ import annotations

import uuid

from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minqing.cases.models import Case
from tests.test_portal_submit import form

HOSTILE = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=100),
    st.just("\x00" * 10 + "路灯坏了很久了"),
    st.just("<script>alert(1)</script>路灯坏了很久了"),
    st.just("x" * 65_536),
    st.binary(max_size=64).map(lambda b: b.decode("latin-1")),
    st.just("路灯".encode("gbk").decode("latin-1") + "坏了很久了"),
    st.just('=HYPERLINK("http://x")路灯坏了'),
)
# Every example may reach the database: no challenge or limit in the way.
NO_LIMITS = override_settings(
    MINQING_PORTAL_LIMITS={"submit_free": 10**6, "submit_per_hour": 10**6, "track_per_hour": 10**6}
)
FIELDS = ["text", "name", "phone", "address", "nature", "group", "category", "token", "anonymous"]


@NO_LIMITS
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(field=st.sampled_from(FIELDS), value=HOSTILE)
def test_submit_survives_hostile_fields(county, client, field, value):
    before = Case.objects.count()
    response = client.post("/portal/submit/", form(county, **{field: value}))
    assert response.status_code in (200, 400)
    created = Case.objects.count() - before
    if response.status_code != 200:
        assert created == 0
    for case in Case.objects.order_by("-pk")[:created]:
        stored = " ".join(
            [case.original_text, case.reporter_name, case.reporter_phone, case.address]
        )
        assert "\x00" not in stored
    # Whatever was typed comes back escaped, never as markup.
    assert "<script>alert(1)</script>" not in response.content.decode("utf-8", "replace")


@NO_LIMITS
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(number=HOSTILE, code=HOSTILE)
def test_track_survives_hostile_lookups(county, client, number, code):
    response = client.post("/track/", {"number": number, "code": code})
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.content.decode("utf-8", "replace")


def test_a_script_is_stored_as_text_and_shown_escaped(county, client):
    text = "<script>alert(1)</script> 村口路灯坏了很久了"
    response = client.post("/portal/submit/", form(county, text=text, token=uuid.uuid4().hex))
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.original_text == text  # kept as the resident typed it, as data
    staff = __import__("django.test", fromlist=["Client"]).Client()
    staff.force_login(county.users["cadre"])
    page = staff.get(f"/cases/{case.number}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
