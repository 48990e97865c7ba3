"""Hostile encodings and lengths (issue 12, points 7a and 7b): an over-long sign-in name and
a form declared in GB2312, GBK or a made-up charset never give a server error. GB forms from
old phones are read correctly; bodies that cannot be read get a 400 in plain Chinese."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.test.client import BOUNDARY

from minqing.audit.models import AuditEvent
from minqing.cases.models import Case
from tests.test_portal_submit import form

LONG_NAME = "x" * 300
FORM = "application/x-www-form-urlencoded"


def csrf_client(url: str, persona_user=None) -> tuple[Client, str]:  # type: ignore[no-untyped-def]
    """A client that goes through the CSRF check like a browser, and the form's token.
    Server errors come back as responses, the way a resident would see them."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if persona_user is not None:
        client.force_login(persona_user)
    page = client.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return client, token


def post_raw(client: Client, url: str, body: bytes, content_type: str):  # type: ignore[no-untyped-def]
    # `generic` sends the bytes as they are; `post` would re-encode them.
    return client.generic("POST", url, body, content_type=content_type)


def multipart(fields: dict[str, str], encoding: str) -> bytes:
    lines: list[bytes] = []
    for name, value in fields.items():
        lines += [
            f"--{BOUNDARY}".encode(),
            f'Content-Disposition: form-data; name="{name}"'.encode(),
            b"",
            str(value).encode(encoding),
        ]
    lines += [f"--{BOUNDARY}--".encode(), b""]
    return b"\r\n".join(lines)


# --- 7a: lengths ----------------------------------------------------------------------------


def test_a_sign_in_name_over_the_column_width_is_refused_in_chinese(county):
    client, token = csrf_client("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        {"username": LONG_NAME, "password": "whatever", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200
    assert "账号最多 150 个字符" in response.text
    assert not AccessAttempt.objects.filter(username__regex=r"^x{151,}$").exists()


def test_the_admin_sign_in_page_survives_an_over_long_name(county):
    client, token = csrf_client("/admin/login/")
    response = client.post(
        "/admin/login/",
        {"username": LONG_NAME, "password": "whatever", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200
    for attempt in AccessAttempt.objects.all():
        assert len(attempt.username) <= 150


def test_an_over_long_name_still_counts_towards_a_lockout(county, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": LONG_NAME, "password": "whatever"})
    response = client.post("/admin/login/", {"username": LONG_NAME, "password": "whatever"})
    assert response.status_code == 429
    assert AuditEvent.objects.filter(actor_username="x" * 150).exists()
    assert {len(a.username) for a in AccessAttempt.objects.all()} == {150}


# --- 7b: encodings --------------------------------------------------------------------------


def test_a_sign_in_form_declared_gb2312_is_read_as_gb2312(county):
    client, token = csrf_client("/accounts/login/")
    body = urlencode(
        {"username": "张三", "password": "wrong", "csrfmiddlewaretoken": token}, encoding="gb2312"
    ).encode()
    response = post_raw(client, "/accounts/login/", body, f"{FORM}; charset=gb2312")
    assert response.status_code == 200
    assert 'value="张三"' in response.text  # decoded, shown back in the form


def test_a_portal_submission_in_gbk_is_registered_with_its_chinese_text(county):
    url = f"/portal/submit/?village={county.v1.code}"
    client, token = csrf_client(url)
    # 镕 is in GBK but not in GB2312: old phones that say gb2312 often send GBK.
    text = "朱镕路口的路灯坏了三个月，晚上看不清路。"
    data = {**form(county, text=text, name="张镕"), "csrfmiddlewaretoken": token}
    body = urlencode(data, encoding="gbk").encode()
    response = post_raw(client, "/portal/submit/", body, f"{FORM}; charset=gb2312")
    assert response.status_code == 200, response.text[:500]
    case = Case.objects.get()
    assert (case.original_text, case.reporter_name) == (text, "张镕")


def test_a_multipart_portal_submission_in_gb18030_is_registered(county):
    url = f"/portal/submit/?village={county.v1.code}"
    client, token = csrf_client(url)
    text = "村口的路灯坏了三个月，晚上老人出门看不清路。"
    data = {**form(county, text=text), "csrfmiddlewaretoken": token}
    response = post_raw(
        client,
        "/portal/submit/",
        multipart(data, "gb18030"),
        f"multipart/form-data; boundary={BOUNDARY}; charset=gb18030",
    )
    assert response.status_code == 200
    assert Case.objects.get().original_text == text


def test_a_staff_form_declared_gb2312_is_read(county):
    client, token = csrf_client("/cases/new/", county.users["cadre"])
    body = urlencode(
        {"original_text": "东风村一组反映路灯坏了", "csrfmiddlewaretoken": token}, encoding="gb2312"
    ).encode()
    response = post_raw(client, "/cases/new/", body, f"{FORM}; charset=gb2312")
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "东风村一组反映路灯坏了" in response.text


@pytest.mark.parametrize("url", ["/accounts/login/", "/portal/submit/", "/track/", "/cases/new/"])
def test_an_unknown_charset_gets_a_400_in_chinese(county, url):
    user = county.users["cadre"] if url == "/cases/new/" else None
    page = f"{url}?village={county.v1.code}" if url == "/portal/submit/" else url
    client, token = csrf_client(page, user)
    body = urlencode(
        {"username": "张三", "text": "路灯坏了", "csrfmiddlewaretoken": token}
    ).encode()
    response = post_raw(client, url, body, f"{FORM}; charset=nonsense")
    assert response.status_code == 400
    assert "无法识别" in response.content.decode()


@pytest.mark.parametrize("url", ["/accounts/login/", "/portal/submit/", "/cases/new/"])
def test_bytes_that_are_not_the_declared_charset_get_a_400_not_a_500(county, url):
    user = county.users["cadre"] if url == "/cases/new/" else None
    page = f"{url}?village={county.v1.code}" if url == "/portal/submit/" else url
    client, token = csrf_client(page, user)
    # 0xFF never occurs in GB2312, GBK or GB18030.
    body = f"csrfmiddlewaretoken={token}&username=%FF%FF&text=%FF%FE".encode()
    response = post_raw(client, url, body, f"{FORM}; charset=gb2312")
    assert response.status_code == 400
    assert "无法识别" in response.content.decode()


@pytest.mark.parametrize("charset", ["utf-16", "big5", "latin-1"])
def test_other_real_charsets_never_give_a_server_error(county, charset):
    client, token = csrf_client("/accounts/login/")
    body = urlencode(
        {"username": "abc", "password": "wrong", "csrfmiddlewaretoken": token}, encoding=charset
    ).encode()
    response = post_raw(client, "/accounts/login/", body, f"{FORM}; charset={charset}")
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("charset", ["UTF-8", "utf8"])
def test_utf8_forms_are_read_under_any_spelling_of_utf8(county, charset):
    client, token = csrf_client("/accounts/login/")
    body = urlencode({"username": "张三", "password": "wrong", "csrfmiddlewaretoken": token})
    response = post_raw(client, "/accounts/login/", body.encode(), f"{FORM}; charset={charset}")
    assert response.status_code == 200
    assert 'value="张三"' in response.text
