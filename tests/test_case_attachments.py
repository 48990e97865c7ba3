"""Attachments: type checked by content, size capped, photo GPS stripped, served only to
users who can see the case."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from minqing.cases.models import CaseAttachment
from minqing.cases.services import case_register


@pytest.fixture
def case(county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case, _ = case_register(
        actor=None, node=county.g1a, channel="walk_in", nature="help",
        original_text="一组桥面破损", reporter_name="张建国",
    )  # fmt: skip
    return case


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x8825] = {2: (30.0, 15.0, 0.0), 4: (120.0, 10.0, 0.0)}  # GPSInfo
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(client, case, name, data, content_type="application/octet-stream"):
    return client.post(
        f"/cases/{case.number}/attach/",
        {"files": SimpleUploadedFile(name, data, content_type=content_type)},
        follow=True,
    )


def test_photo_is_stored_without_exif_and_shown_to_the_cadre(county, client_for, case):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif()  # the fixture really has EXIF
    client = client_for("cadre")
    response = upload(client, case, "桥面.jpg", original, "image/jpeg")
    assert "已上传" in response.text
    attachment = CaseAttachment.objects.get()
    stored = attachment.file.read()
    assert dict(Image.open(io.BytesIO(stored)).getexif()) == {}
    served = client.get(f"/cases/{case.number}/files/{attachment.pk}/")
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == stored
    assert served["X-Content-Type-Options"] == "nosniff"


def test_disguised_file_is_refused(county, client_for, case):
    response = upload(client_for("cadre"), case, "photo.jpg", b"<html><script>alert(1)</script>")
    assert "内容与扩展名不符" in response.text
    assert not CaseAttachment.objects.exists()


def test_unsupported_type_is_refused(county, client_for, case):
    response = upload(client_for("cadre"), case, "run.exe", b"MZ\x90\x00")
    assert "不支持的文件类型" in response.text
    assert not CaseAttachment.objects.exists()


def test_oversized_file_is_refused(county, client_for, case, settings):
    settings.MINQING_ATTACHMENT_MAX_MB = 1
    response = upload(client_for("cadre"), case, "big.pdf", b"%PDF-1.4" + b"0" * (1024 * 1024 + 1))
    assert "超过 1 MB" in response.text
    assert not CaseAttachment.objects.exists()


def test_pdf_is_downloaded_not_rendered(county, client_for, case):
    client = client_for("cadre")
    upload(client, case, "材料.pdf", b"%PDF-1.4\n%test\n", "application/pdf")
    attachment = CaseAttachment.objects.get()
    response = client.get(f"/cases/{case.number}/files/{attachment.pk}/")
    assert response["Content-Disposition"].startswith("attachment")


def test_outsider_cannot_fetch_or_add_attachments(county, client_for, case):
    client_for("cadre").post(
        f"/cases/{case.number}/attach/",
        {"files": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n", content_type="application/pdf")},
    )
    attachment = CaseAttachment.objects.get()
    outsider = client_for("sibling")
    assert outsider.get(f"/cases/{case.number}/files/{attachment.pk}/").status_code == 404
    response = outsider.post(
        f"/cases/{case.number}/attach/",
        {"files": SimpleUploadedFile("b.pdf", b"%PDF-1.4\n", content_type="application/pdf")},
    )
    assert response.status_code == 404
    assert CaseAttachment.objects.count() == 1
