"""Liaison officers (联络员): one per group at least, appointment records and the 聘书 PDF."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from minqing.audit.models import Action, AuditEvent
from minqing.households.models import GroupPost, Liaison
from minqing.households.network_selectors import coverage_by_village
from minqing.households.services import liaison_appoint


def _appoint(county, group=None, name="老周", **extra):
    return liaison_appoint(actor=county.users["cadre"], group=group or county.g1a, name=name,
                           phone="13900001111", background="old_party_member", **extra)  # fmt: skip


def test_letter_numbers_are_unique_per_village_and_year(county):
    first = _appoint(county, appointed_on=dt.date(2026, 3, 1))
    second = _appoint(county, group=county.g1b, name="老吴", appointed_on=dt.date(2026, 4, 1))
    assert first.letter_number == "民联聘〔2026〕330199101201-001号"
    assert second.letter_number == "民联聘〔2026〕330199101201-002号"
    assert (
        AuditEvent.objects.filter(object_type="households.liaison", action=Action.CREATE).count()
        == 2
    )


def test_liaisons_sit_in_groups_and_terms_run_forward(county):
    with pytest.raises(ValidationError):
        _appoint(county, group=county.v1)
    with pytest.raises(ValidationError):
        _appoint(county, appointed_on=dt.date(2026, 5, 1), term_until=dt.date(2026, 4, 1))


def test_groups_without_a_liaison_are_flagged_until_each_has_one(county, client_for):
    client = client_for("cadre")
    url = reverse("network:liaisons", args=[county.v1.code])
    page = client.get(url).content.decode()
    assert "groups-without-liaison" in page
    assert "一组" in page
    assert "二组" in page
    assert coverage_by_village(county.v1.path)[county.v1.pk].groups_with_liaison == 0
    for group in (county.g1a, county.g1b):
        response = client.post(
            reverse("network:appoint", args=[county.v1.code]),
            {"group": group.pk, "name": f"联络{group.name}", "phone": "13900002222",
             "background": "veteran", "appointed_on": "2026-11-01", "duties": "收集意见"},
        )  # fmt: skip
        assert response.status_code == 302
    assert "groups-without-liaison" not in client.get(url).content.decode()
    assert coverage_by_village(county.v1.path)[county.v1.pk].groups_with_liaison == 2


def test_appoint_form_rejects_bad_input_in_chinese(county, client_for):
    response = client_for("cadre").post(
        reverse("network:appoint", args=[county.v1.code]),
        {"group": county.g2.pk, "name": "", "phone": "abc", "background": "x", "appointed_on": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "请输入有效的电话号码" in html
    assert "这个字段是必填项" in html
    assert Liaison.objects.count() == 0


def test_letter_pdf_names_the_liaison_group_and_issuer(county, client_for):
    liaison = _appoint(county, appointed_on=dt.date(2026, 11, 1), term_until=dt.date(2028, 10, 31))
    response = client_for("cadre").get(reverse("network:letter", args=[liaison.pk]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(reader.pages[0].extract_text().split()).replace("\u3000", "")
    for expected in ("聘书", "老周", "城关镇东风村一组民情民意联络员", "城关镇民情民意联络服务中心",
                     liaison.letter_number, "2028年10月31日"):  # fmt: skip
        assert expected in text, expected
    assert b"/FontFile2" in response.content  # the CJK font travels inside the file
    fonts = {
        str(f.get_object()["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()
    }
    assert any("WenQuanYiMicroHei" in name for name in fonts)
    # One A4 landscape page.
    assert len(reader.pages) == 1
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [842, 595]
    assert AuditEvent.objects.filter(
        action=Action.EXPORT, object_type="households.liaison"
    ).exists()


def test_dismissal_needs_a_reason_and_reopens_the_gap(county, client_for):
    liaison = _appoint(county)
    client = client_for("cadre")
    client.post(reverse("network:dismiss", args=[liaison.pk]), {"reason": ""})
    liaison.refresh_from_db()
    assert liaison.ended_on is None
    client.post(reverse("network:dismiss", args=[liaison.pk]), {"reason": "外出务工"})
    liaison.refresh_from_db()
    assert liaison.ended_on is not None
    assert liaison.end_reason == "外出务工"
    assert Liaison.objects.active().count() == 0


def test_group_posts_are_added_and_removed(county, client_for):
    client = client_for("cadre")
    client.post(
        reverse("network:add_post", args=[county.v1.code]),
        {"group": county.g1a.pk, "kind": "leader", "name": "郑组长", "phone": "13900003333"},
    )
    post = GroupPost.objects.get()
    assert (post.kind, post.group) == ("leader", county.g1a)
    assert (
        "郑组长" in client.get(reverse("network:liaisons", args=[county.v1.code])).content.decode()
    )
    client.post(reverse("network:remove_post", args=[post.pk]))
    assert GroupPost.objects.count() == 0


@pytest.mark.parametrize("persona", ["sibling", "other_township", "other_admin", "dept_handler"])
def test_outsiders_cannot_see_appoint_or_print(county, client_for, persona):
    liaison = _appoint(county)
    client = client_for(persona)
    assert client.get(reverse("network:liaisons", args=[county.v1.code])).status_code == 404
    assert client.get(reverse("network:letter", args=[liaison.pk])).status_code == 404
    response = client.post(
        reverse("network:appoint", args=[county.v1.code]),
        {"group": county.g1b.pk, "name": "x", "phone": "13900002222", "background": "veteran",
         "appointed_on": "2026-11-01", "duties": "x"},
    )  # fmt: skip
    assert response.status_code == 404
    assert (
        client.post(reverse("network:dismiss", args=[liaison.pk]), {"reason": "x"}).status_code
        == 404
    )
    assert Liaison.objects.active().count() == 1
