"""The outbox admin shows a county administrator the messages of their own county only:
to their staff, and to residents about the county's matters — never another county's."""

import datetime as dt

from minqing.cases.services import case_register, case_transition
from minqing.notify.models import Outbox


def _matter_with_messages(county):
    case, _ = case_register(
        actor=county.users["township_staff"], node=county.g1a, channel="hotline",
        nature="help", original_text="一组路灯坏了", reporter_name="张建国",
        reporter_phone="13800000001",
    )  # fmt: skip
    case = case_transition(case=case, action="assign", actor=None, unit=county.station)
    later = case.deadline + dt.timedelta(days=10)
    case_transition(case=case, action="extend", actor=county.users["cadre"],
                    note="需等待供电所排期", deadline=later)  # fmt: skip
    return case


def test_another_countys_administrator_sees_none_of_the_countys_outbox(county, client_for):
    case = _matter_with_messages(county)
    rows = list(Outbox.objects.all())
    assert {r.channel for r in rows} >= {"sms", "in_app"}  # to the resident and to staff
    outsider = client_for("other_admin")
    listing = outsider.get("/admin/notify/outbox/")
    assert listing.status_code == 200
    assert case.number not in listing.text
    for row in rows:
        page = outsider.get(f"/admin/notify/outbox/{row.pk}/change/")
        assert page.status_code in (302, 404)
        assert "需等待供电所排期" not in page.text


def test_the_countys_administrator_sees_its_staff_and_resident_messages(county, client_for):
    case = _matter_with_messages(county)
    listing = client_for("county_admin").get("/admin/notify/outbox/")
    assert listing.status_code == 200
    shown = listing.context["cl"].result_count
    assert shown == Outbox.objects.count()
    assert case.number in listing.text
    assert "13800000001" not in listing.text  # the resident's number stays masked
