"""Residents submit a matter without an account: it enters the case loop on the portal
channel, once per form token, with a receipt of number + query code."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from minqing.cases.models import Case, CaseAttachment
from minqing.households.services import cards_ensure, contact_assign
from minqing.notify.models import Outbox
from minqing.portal import tracking
from minqing.portal.models import TrackingCode


def form(county, **extra):
    data = {
        "token": uuid.uuid4().hex, "village": county.v1.code, "group": county.g1a.pk,
        "text": "村口的路灯坏了三个月，晚上老人出门看不清路。", "nature": "help",
        "name": "张建国", "phone": "13800000001", "address": "村口大樟树旁",
    }  # fmt: skip
    data.update(extra)
    return data


def receipt_of(response) -> tuple[str, str]:
    html = response.content.decode()
    number = re.search(r'data-testid="number">([^<]+)<', html).group(1)
    code = re.search(r'data-testid="code">([^<]+)<', html).group(1)
    return number, code


def test_village_picker_then_form(county, client):
    picker = client.get("/portal/submit/")
    assert picker.status_code == 200
    assert county.v1.code in picker.text
    assert "东风村" in picker.text
    page = client.get(f"/portal/submit/?village={county.v1.code}")
    assert 'name="token"' in page.text
    assert "一组" in page.text
    assert "二组" in page.text
    # Another village's groups are not offered.
    assert "南湾村" not in page.text.split('name="group"')[1].split("</select>")[0]


def test_submission_registers_a_portal_case_with_a_receipt(
    county, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/portal/submit/", form(county))
    assert response.status_code == 200
    number, code = receipt_of(response)
    case = Case.objects.get(number=number)
    assert (case.channel, case.node, case.status) == ("portal", county.g1a, "registered")
    assert (case.reporter_name, case.reporter_phone, case.address) == (
        "张建国", "13800000001", "村口大樟树旁",
    )  # fmt: skip
    assert tracking.matches(case, code)
    assert not tracking.matches(case, "WRONGCODE")
    # The code is stored hashed, never in clear.
    assert code not in TrackingCode.objects.get(case=case).code_hash
    # The village station hears about it.
    assert Outbox.objects.filter(
        recipient_user=county.users["cadre"], subject__contains=number
    ).exists()


def test_a_retried_submission_returns_the_same_receipt_and_no_second_case(county, client):
    data = form(county)
    first = receipt_of(client.post("/portal/submit/", data))
    second = receipt_of(client.post("/portal/submit/", data))
    assert first == second
    assert Case.objects.count() == 1


def test_anonymous_submission_keeps_no_name_or_phone(county, client):
    response = client.post("/portal/submit/", form(county, anonymous="on", name="王五",
                                                   phone="13900000009"))  # fmt: skip
    number, _code = receipt_of(response)
    case = Case.objects.get(number=number)
    assert case.anonymous
    assert (case.reporter_name, case.reporter_phone) == ("", "")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("text", "", "请写下您要反映的问题"),
        ("text", "路灯", "至少 5 个字"),
        ("text", "长" * 2001, "2000"),
        ("phone", "12345", "请填写正确的手机号码或固定电话"),
        ("name", "", "请留下姓名，或选择匿名反映"),
        ("token", "not-a-token", "表单已失效"),
        ("group", "999999", "选择一个有效的选项"),
    ],
)
def test_bad_input_is_explained_in_chinese_and_stores_nothing(
    county, client, field, value, message
):
    response = client.post("/portal/submit/", form(county, **{field: value}))
    assert response.status_code == 400
    assert message in response.text
    assert Case.objects.count() == 0


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (30.0, 15.0, 0.0)}  # GPSInfo: latitude
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_photos_are_checked_and_stored_without_location(county, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # keep test files out of the checkout's var/
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the fixture has GPS
    photo = SimpleUploadedFile("p.jpg", original, content_type="image/jpeg")
    number, _ = receipt_of(client.post("/portal/submit/", {**form(county), "photos": [photo]}))
    attachment = CaseAttachment.objects.get(case__number=number)
    with attachment.file.open("rb") as handle:
        assert not Image.open(handle).getexif().get_ifd(0x8825)
    fake = SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = client.post("/portal/submit/", {**form(county), "photos": [fake]})
    assert response.status_code == 400
    assert "内容与扩展名不符" in response.text
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    response = client.post("/portal/submit/", {**form(county), "photos": [pdf]})
    assert "只能上传照片" in response.text


def test_a_card_submission_knows_its_household_and_tells_the_contact_cadre(
    county, client, django_capture_on_commit_callbacks
):
    household = county.households["H1a"]
    contact_assign(actor=county.users["cadre"], cadre=county.users["township_staff"],
                   village=county.v1, households=[household])  # fmt: skip
    card = cards_ensure(actor=county.users["cadre"], households=[household])[household.pk]
    page = client.get(f"/portal/submit/?card={card.token}")
    assert 'data-testid="from-card"' in page.text
    data = form(county, card=card.token)
    del data["village"]
    with django_capture_on_commit_callbacks(execute=True):
        number, _ = receipt_of(client.post("/portal/submit/", data))
    case = Case.objects.get(number=number)
    assert list(case.households.all()) == [household]
    assert case.events.filter(action="note", note__contains=card.token).exists()
    assert Outbox.objects.filter(
        recipient_user=county.users["township_staff"], subject__contains=number
    ).exists()


def test_busy_addresses_must_solve_a_sum_and_floods_are_refused(county, client, settings):
    settings.MINQING_PORTAL_LIMITS = {"submit_free": 2, "submit_per_hour": 4, "track_per_hour": 30}
    for _ in range(2):
        assert client.post("/portal/submit/", form(county)).status_code == 200
    page = client.post("/portal/submit/", form(county))
    assert page.status_code == 400
    assert "等于几" in page.text
    signed = re.search(r'name="challenge" value="([^"]+)"', page.text).group(1)
    wrong = client.post("/portal/submit/", form(county, challenge=signed, answer="99"))
    assert wrong.status_code == 400
    # The wrong answer used that sum up; the resident works out the new one.
    signed = re.search(r'name="challenge" value="([^"]+)"', wrong.text).group(1)
    a, b = re.search(
        r"([一二三四五六七八九]) 加 ([一二三四五六七八九]) 等于几", wrong.text
    ).groups()
    answer = "零一二三四五六七八九".index(a) + "零一二三四五六七八九".index(b)
    ok = client.post("/portal/submit/", form(county, challenge=signed, answer=str(answer)))
    assert ok.status_code == 429  # the fifth POST in the hour is over the limit of 4
    assert Case.objects.count() == 2


def test_the_submit_page_is_small_and_needs_no_javascript(county, client):
    page = client.get(f"/portal/submit/?village={county.v1.code}")
    assert "<script" not in page.text
    assert "tabler" not in page.text
    assert len(page.content) < 20_000


def test_posts_without_the_csrf_token_are_refused(county):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/portal/submit/", form(county)).status_code == 403
    assert strict.post("/track/", {"number": "1", "code": "x"}).status_code == 403
    assert Case.objects.count() == 0


def test_the_challenge_reads_in_the_visitor_language(county, client, settings):
    settings.MINQING_PORTAL_LIMITS = {"submit_free": 0, "submit_per_hour": 30, "track_per_hour": 30}
    chinese = client.get(f"/portal/submit/?village={county.v1.code}").text
    assert re.search(r"[一二三四五六七八九] 加 [一二三四五六七八九] 等于几", chinese)
    client.cookies["django_language"] = "en"
    english = client.get(f"/portal/submit/?village={county.v1.code}").text
    assert re.search(r"What is \d plus \d\?", english), english.split("id_answer")[0][-300:]
