"""Residents' ID numbers and phones: masked in pages and exports, revealed only by roles
that may, one member at a time, for a reason, and logged; exports cannot carry formulas."""

import io

import pytest
from openpyxl import load_workbook

from minqing.audit.models import Action, AuditEvent
from minqing.households.models import Resident
from minqing.lib.spreadsheet import escape_formula


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+SUM(A1)", "-2+3", "@cmd", '＝HYPERLINK("x")', "＋1", "－1", "＠x", "\t=1", "\r=1"],
)
def test_formula_triggers_are_escaped(value):
    assert escape_formula(value) == "'" + value


@pytest.mark.parametrize("value", ["张建国", "13800000001", "", 42, None])
def test_plain_values_pass_through(value):
    assert escape_formula(value) == value


def test_export_is_scoped_masked_and_formula_safe(county, client_for):
    member = Resident.objects.get(household=county.households["H1a"])
    member.name = '=HYPERLINK("http://x")'
    member.save(update_fields=["name"])
    response = client_for("cadre").get("/households/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    codes = {row[0] for row in rows[1:]}
    assert codes == county.household_codes("H1a", "H1b")
    text = repr(rows)
    for resident in Resident.objects.all():
        assert resident.id_number not in text
        assert resident.phone not in text
    names = [row[4] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in names
    assert AuditEvent.objects.filter(action=Action.EXPORT, actor=county.users["cadre"]).exists()


def test_no_page_shows_an_unmasked_id_to_a_role_without_reveal(county, client_for):
    member = Resident.objects.get(household=county.households["H1a"])
    client = client_for("township_staff")  # sees residents, may not reveal
    for url in ["/", "/households/", f"/households/{county.households['H1a'].code}/",
                "/households/export.xlsx"]:  # fmt: skip
        body = client.get(url).content
        assert member.id_number.encode() not in body, url
        assert member.phone.encode() not in body, url
    response = client.post(
        f"/households/{county.households['H1a'].code}/members/{member.pk}/reveal/", {"reason": "x"}
    )
    assert response.status_code == 404


def test_village_cadre_reveals_one_member_for_a_reason(county, client_for):
    member = Resident.objects.get(household=county.households["H1a"])
    url = f"/households/{county.households['H1a'].code}/members/{member.pk}/reveal/"
    client = client_for("cadre")
    assert member.id_number not in client.post(url, {"reason": ""}, follow=True).text
    response = client.post(url, {"reason": "办理低保核对身份"})
    assert member.id_number in response.text
    event = AuditEvent.objects.get(action=Action.REVEAL)
    assert (event.actor, event.object_id, event.note) == (
        county.users["cadre"], str(member.pk), "办理低保核对身份",
    )  # fmt: skip


def test_reveal_outside_scope_is_404(county, client_for):
    member = Resident.objects.get(household=county.households["H2"])
    url = f"/households/{county.households['H2'].code}/members/{member.pk}/reveal/"
    assert client_for("cadre").post(url, {"reason": "x"}).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.REVEAL).exists()
