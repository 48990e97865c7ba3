"""The reporter's phone is masked everywhere; the people working the case may reveal it
for a stated reason, and every reveal is logged."""

from minqing.audit.models import Action, AuditEvent
from minqing.cases.services import case_register, case_transition

PHONE = "13812345678"


def make(county, **extra):
    case, _ = case_register(
        actor=None, node=county.g1a, channel="hotline", nature="help",
        original_text="一组路灯坏了", reporter_name="张建国", reporter_phone=PHONE, **extra,
    )  # fmt: skip
    return case_transition(case=case, action="assign", actor=None, unit=county.station)


def test_case_page_shows_only_the_masked_phone(county, client_for):
    case = make(county)
    page = client_for("cadre").get(f"/cases/{case.number}/").text
    assert PHONE not in page
    assert "138****5678" in page


def test_handler_reveals_with_a_reason_and_it_is_logged(county, client_for):
    case = make(county)
    response = client_for("cadre").post(f"/cases/{case.number}/reveal/", {"reason": "电话回访"})
    assert response.status_code == 200
    assert PHONE in response.text
    assert "no-store" in response["Cache-Control"]  # no copy in the browser's cache
    event = AuditEvent.objects.get(action=Action.REVEAL)
    assert (event.actor, event.note, event.object_id) == (
        county.users["cadre"],
        "电话回访",
        str(case.pk),
    )


def test_reveal_needs_a_reason(county, client_for):
    case = make(county)
    response = client_for("cadre").post(
        f"/cases/{case.number}/reveal/", {"reason": " "}, follow=True
    )
    assert PHONE not in response.text
    assert "请说明查看原因" in response.text
    assert not AuditEvent.objects.filter(action=Action.REVEAL).exists()


def test_staff_who_do_not_work_the_case_cannot_reveal(county, client_for):
    case = make(county)
    # The liaison sees the case (it is in their group) but does not hold it.
    assert client_for("liaison").get(f"/cases/{case.number}/").status_code == 200
    assert (
        client_for("liaison").post(f"/cases/{case.number}/reveal/", {"reason": "x"}).status_code
        == 404
    )
    assert (
        client_for("sibling").post(f"/cases/{case.number}/reveal/", {"reason": "x"}).status_code
        == 404
    )
    assert not AuditEvent.objects.filter(action=Action.REVEAL).exists()


def test_supervisor_may_reveal_a_confidential_reporter(county, client_for):
    case = make(county, confidential=True)
    page = client_for("county_supervisor").get(f"/cases/{case.number}/").text
    assert "张建国" not in page
    response = client_for("county_supervisor").post(
        f"/cases/{case.number}/reveal/", {"reason": "核查"}
    )
    assert "张建国" in response.text


def test_anonymous_report_has_nothing_to_reveal(county, client_for):
    case = make(county, anonymous=True)
    assert (
        client_for("cadre").post(f"/cases/{case.number}/reveal/", {"reason": "x"}).status_code
        == 404
    )
