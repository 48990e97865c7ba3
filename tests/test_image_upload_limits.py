"""Hostile images (issue 12, point 3): a tiny file declaring a gigantic picture, a PNG whose
text or colour-profile chunk inflates to tens of megabytes, a real 12,000 × 12,000 PNG, a
truncated photo. Every upload path — the residents' portal, case attachments (on a case and
at registration) and field photos — refuses them with a Chinese message instead of a 500,
without decoding the pixels, and keeps nothing: no case, no attachment row, no file on disk,
and the portal's form token still free for the corrected submission."""

from __future__ import annotations

import functools
import io
import re
import uuid
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageFile

from minqing.cases.models import Case, CaseAttachment
from minqing.cases.services import case_register
from minqing.fieldwork.models import FieldPhoto, Visit
from minqing.fieldwork.services import visit_record

TOO_LARGE = "尺寸过大"
UNREADABLE = "无法识别的图片文件"
METADATA = "信息过大"
MAX_PIXELS = 40_000_000  # the cap the guard promises; nothing larger is ever decoded


# --- Hostile files, made in memory -------------------------------------------------------


def jpeg(size=(16, 12), color=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG", **save)
    return out.getvalue()


def png(image: Image.Image | None = None) -> bytes:
    out = io.BytesIO()
    (image or Image.new("RGB", (16, 12), (10, 200, 10))).save(out, format="PNG")
    return out.getvalue()


def _segment(data: bytes, markers: set[int]) -> int:
    """Where the first JPEG segment with one of these markers starts."""
    at = 2  # after SOI: walk the marker segments
    while data[at + 1] not in markers:
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return at


def jpeg_declaring(width: int, height: int, *, split_scans: bool = False, **save) -> bytes:
    """A valid tiny JPEG whose frame header (SOF0, or SOF2 if progressive) is patched to
    claim width × height; with split_scans, its first scan claims to hold one component."""
    data = bytearray(jpeg(**save))
    at = _segment(data, {0xC0, 0xC2})
    # FF Cn, length (2), precision (1), height (2), width (2)
    data[at + 5 : at + 7] = height.to_bytes(2, "big")
    data[at + 7 : at + 9] = width.to_bytes(2, "big")
    if split_scans:
        data[_segment(data, {0xDA}) + 4] = 1  # FF DA, length (2), Ns
    return bytes(data)


def chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body).to_bytes(4, "big")
    return len(body).to_bytes(4, "big") + kind + body + crc


def png_declaring(width: int, height: int) -> bytes:
    """A valid tiny PNG whose IHDR (CRC recomputed) claims width × height."""
    data = png()
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + data[24:29]
    return data[:8] + chunk(b"IHDR", ihdr) + data[33:]


def png_with(extra: bytes) -> bytes:
    """A small real PNG with an extra chunk right after IHDR (before the pixels)."""
    data = png()
    return data[:33] + extra + data[33:]


@functools.cache
def inflating_50mb() -> bytes:
    return zlib.compress(b"\0" * (50 * 1024 * 1024), 9)  # ~50 KB on the wire


def png_ztxt_50mb() -> bytes:
    return png_with(chunk(b"zTXt", b"Comment\0\0" + inflating_50mb()))


def png_iccp_50mb() -> bytes:
    return png_with(chunk(b"iCCP", b"ICC Profile\0\0" + inflating_50mb()))


def png_text_5mb() -> bytes:
    return png_with(chunk(b"tEXt", b"Comment\0" + b"A" * (5 * 1024 * 1024)))


@functools.cache
def png_12000() -> bytes:
    """A real, fully valid 12,000 × 12,000 PNG (144 MP), a few tens of KB."""
    return png(Image.new("1", (12_000, 12_000)))


def jpeg_truncated() -> bytes:
    """A real 200 × 150 photo cut off in the middle of its pixel data: the header is fine."""
    full = jpeg((200, 150), quality=95)
    return full[: len(full) // 2]


HOSTILE = {
    "jpeg-65000x65000": ("巨图.jpg", jpeg_declaring(65_000, 65_000), TOO_LARGE),
    "png-30000x30000": ("巨图.png", png_declaring(30_000, 30_000), TOO_LARGE),
    "png-12000x12000-real": ("大图.png", None, TOO_LARGE),
    "png-11000x100": ("长条.png", png_declaring(11_000, 100), TOO_LARGE),
    "png-zTXt-50MB": ("文字.png", None, METADATA),
    "png-iCCP-50MB": ("色彩.png", None, METADATA),
    "png-tEXt-5MB": ("注释.png", None, METADATA),
    "jpeg-truncated": ("半张.jpg", None, UNREADABLE),
}
_MAKERS = {
    "png-12000x12000-real": png_12000,
    "png-zTXt-50MB": png_ztxt_50mb,
    "png-iCCP-50MB": png_iccp_50mb,
    "png-tEXt-5MB": png_text_5mb,
    "jpeg-truncated": jpeg_truncated,
}
KINDS = list(HOSTILE)


def hostile(kind: str) -> tuple[SimpleUploadedFile, str]:
    name, data, message = HOSTILE[kind]
    data = data if data is not None else _MAKERS[kind]()
    return SimpleUploadedFile(name, data, content_type="application/octet-stream"), message


def good_photo(name="井台.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg((40, 30)), content_type="image/jpeg")


# --- Fixtures ----------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # never write into the checkout's var/
    return tmp_path


def files_in(root) -> list[str]:
    return [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def decoded(monkeypatch) -> list[tuple[int, int]]:
    """The sizes of every image whose pixels get decoded during the test."""
    sizes: list[tuple[int, int]] = []
    original = ImageFile.ImageFile.load

    def load(self):  # type: ignore[no-untyped-def]
        sizes.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return sizes


def assert_nothing_giant_decoded(sizes: list[tuple[int, int]]) -> None:
    assert all(w * h <= MAX_PIXELS for w, h in sizes), sizes


@pytest.fixture
def case(county, media):
    case, _ = case_register(
        actor=None, node=county.g1a, channel="walk_in", nature="help",
        original_text="一组桥面破损", reporter_name="张建国",
    )  # fmt: skip
    return case


def portal_form(county, **extra):
    data = {
        "token": uuid.uuid4().hex, "village": county.v1.code, "group": county.g1a.pk,
        "text": "村口的路灯坏了三个月，晚上老人出门看不清路。", "nature": "help",
        "name": "张建国", "phone": "13800000001", "address": "村口大樟树旁",
    }  # fmt: skip
    return data | extra


def visit_data(county, key="k-hostile-visit", **extra):
    data = {
        "idempotency_key": key,
        "node": county.v1.pk,
        "date": timezone.localdate().isoformat(),
        "form": "home",
        "households": [county.households["H1a"].pk],
        "heard": "村口老井的井台裂了，打水的老人容易滑倒。",
    }
    return data | extra


# --- The residents' portal ---------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_portal_refuses_a_hostile_photo_and_keeps_nothing(county, client, media, decoded, kind):
    upload, message = hostile(kind)
    data = portal_form(county)
    response = client.post("/portal/submit/", data | {"photos": [good_photo(), upload]})
    assert response.status_code == 400  # the form again, with the reason; not a 500
    assert message in response.text
    assert 'data-testid="number"' not in response.text
    assert (Case.objects.count(), CaseAttachment.objects.count()) == (0, 0)
    assert files_in(media) == []
    assert_nothing_giant_decoded(decoded)
    # The form token was not used up: the resident sends the same form with a good photo.
    retry = client.post("/portal/submit/", data | {"photos": [good_photo()]})
    assert retry.status_code == 200
    number = re.search(r'data-testid="number">([^<]+)<', retry.text).group(1)
    assert Case.objects.get().number == number
    assert CaseAttachment.objects.filter(case__number=number).count() == 1
    assert len(files_in(media)) == 1


def test_portal_shows_the_size_message_in_the_photo_field(county, client, media):
    upload, _ = hostile("jpeg-65000x65000")
    response = client.post("/portal/submit/", portal_form(county) | {"photos": [upload]})
    errors = " ".join(response.context["form"].errors["photos"])
    assert errors == "图片“巨图.jpg”尺寸过大，请把长边缩小到 6300 像素以内再上传。"


# --- Case attachments --------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_case_attachment_refuses_a_hostile_image(county, client_for, case, media, decoded, kind):
    upload, message = hostile(kind)
    response = client_for("cadre").post(
        f"/cases/{case.number}/attach/", {"files": [upload]}, follow=True
    )
    assert response.status_code == 200
    assert message in response.text
    assert not CaseAttachment.objects.exists()
    assert files_in(media) == []
    assert_nothing_giant_decoded(decoded)


@pytest.mark.parametrize("kind", KINDS)
def test_case_registration_with_a_hostile_image_registers_nothing(
    county, client_for, media, decoded, kind
):
    upload, message = hostile(kind)
    data = {
        "idempotency_key": "key-hostile", "channel": "hotline", "node": county.g1a.pk,
        "reporter_name": "张建国", "reporter_phone": "13800000001",
        "original_text": "一组路灯坏了三个月，晚上出行不便。", "nature": "help",
        "urgency": "normal",
    }  # fmt: skip
    response = client_for("township_staff").post(
        "/cases/new/", data | {"files": [good_photo(), upload]}
    )
    assert response.status_code == 200
    assert message in response.text
    assert (Case.objects.count(), CaseAttachment.objects.count()) == (0, 0)
    assert files_in(media) == []
    assert_nothing_giant_decoded(decoded)


# --- Field photos ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_visit_form_refuses_a_hostile_photo_and_keeps_nothing(
    county, client_for, media, decoded, kind
):
    upload, message = hostile(kind)
    response = client_for("cadre").post(
        "/field/visits/new/", visit_data(county, photos=[good_photo(), upload])
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["photos"])
    assert message in response.text
    assert (Visit.objects.count(), FieldPhoto.objects.count()) == (0, 0)
    assert files_in(media) == []
    assert_nothing_giant_decoded(decoded)


@pytest.mark.parametrize("kind", KINDS)
def test_adding_a_hostile_photo_to_a_visit_later_is_refused(
    county, client_for, media, decoded, kind
):
    visit = visit_record(
        actor=county.users["cadre"], node=county.v1, date=timezone.localdate(), form="home",
        households=[county.households["H1a"]], heard="井台开裂。",
    )[0]  # fmt: skip
    upload, message = hostile(kind)
    response = client_for("cadre").post(
        f"/field/photos/visit/{visit.pk}/", {"photos": [good_photo(), upload]}, follow=True
    )
    assert response.status_code == 200
    assert message in response.text
    assert not FieldPhoto.objects.exists()
    assert files_in(media) == []
    assert_nothing_giant_decoded(decoded)


# --- What is still accepted, and how it is stored ----------------------------------------


def test_ordinary_photos_still_pass_every_path(county, client, client_for, case, media):
    number = re.search(
        r'data-testid="number">([^<]+)<',
        client.post("/portal/submit/", portal_form(county) | {"photos": [good_photo()]}).text,
    ).group(1)
    assert CaseAttachment.objects.filter(case__number=number).count() == 1
    client_for("cadre").post(f"/cases/{case.number}/attach/", {"files": [good_photo()]})
    assert case.attachments.count() == 1
    response = client_for("cadre").post(
        "/field/visits/new/", visit_data(county, photos=[good_photo()])
    )
    assert response.status_code == 302
    assert FieldPhoto.objects.count() == 1


def test_a_large_allowed_photo_is_decoded_small_stored_upright_and_without_its_profile(
    county, client_for, case, media, monkeypatch, decoded
):
    from minqing.lib import images

    monkeypatch.setattr(images, "STORED_SIDE", 64)  # small numbers keep the test quick
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: turn 90° clockwise to show
    data = jpeg((640, 480), exif=exif, icc_profile=b"\0" * 100_000)
    upload = SimpleUploadedFile("横拍.jpg", data, content_type="image/jpeg")
    client_for("cadre").post(f"/cases/{case.number}/attach/", {"files": [upload]})
    # The decoder itself shrank it 1/8: it was never held at full size.
    assert decoded[0] == (80, 60)
    assert (640, 480) not in decoded
    with case.attachments.get().file.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
        assert stored.format == "JPEG"
        assert stored.size == (48, 64)  # upright, longest side 64
        assert "icc_profile" not in stored.info
        assert dict(stored.getexif()) == {}


def test_a_large_png_is_shrunk_to_the_stored_side(monkeypatch):
    from minqing.lib import images

    monkeypatch.setattr(images, "STORED_SIDE", 64)
    data = images.reencode(data=png(Image.new("RGB", (300, 200))), name="x.png")
    assert Image.open(io.BytesIO(data)).size == (64, 43)


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "RGBA", "I;16"])
def test_png_modes_survive_reencoding(mode, monkeypatch):
    from minqing.lib import images

    monkeypatch.setattr(images, "STORED_SIDE", 32)
    data = images.reencode(data=png(Image.new(mode, (80, 40))), name="x.png")
    stored = Image.open(io.BytesIO(data))
    assert (stored.format, stored.size) == ("PNG", (32, 16))


def test_the_guard_reads_only_the_header(decoded):
    from django.core.exceptions import ValidationError

    from minqing.lib import images

    header = images.read_header(file=io.BytesIO(jpeg((400, 300))), name="a.jpg")
    assert (header.format, header.width, header.height) == ("JPEG", 400, 300)
    assert decoded == []  # nothing decoded to learn the size
    with pytest.raises(ValidationError) as refused:
        images.read_header(file=io.BytesIO(png_12000()), name="大图.png")
    # Stopped by PIL's own check inside Image.open, still told the cap of a PNG.
    assert refused.value.messages == [
        "图片“大图.png”尺寸过大，请把长边缩小到 3100 像素以内再上传。"
    ]
    assert decoded == []


@pytest.mark.parametrize(
    ("make", "accepted", "limit"),
    [
        # A camera's JPEG decodes at reduced scale: up to 40 MP.
        (lambda: jpeg_declaring(7_000, 5_000), True, ""),
        (lambda: jpeg_declaring(8_000, 6_000), False, "6300 像素"),
        # Progressive, or scans split by component: libjpeg holds it all, so 16 MP.
        (lambda: jpeg_declaring(4_000, 4_000, progressive=True), True, ""),
        (lambda: jpeg_declaring(5_000, 4_000, progressive=True), False, "4000 像素"),
        (lambda: jpeg_declaring(5_000, 4_000, split_scans=True), False, "4000 像素"),
        # PNG and WebP are decoded whole: 10 MP and 6 MP.
        (lambda: png_declaring(3_840, 2_160), True, ""),
        (lambda: png_declaring(4_000, 3_000), False, "3100 像素"),
        (lambda: webp((3_000, 2_000)), True, ""),
        (lambda: webp((3_000, 2_500)), False, "2400 像素"),
    ],
)
def test_each_kind_of_file_has_the_pixel_cap_its_decoding_allows(make, accepted, limit, decoded):
    from django.core.exceptions import ValidationError

    from minqing.lib import images

    data = make()
    if accepted:
        assert images.read_header(file=io.BytesIO(data), name="p").width > 0
    else:
        with pytest.raises(ValidationError) as refused:
            images.read_header(file=io.BytesIO(data), name="p")
        assert TOO_LARGE in refused.value.messages[0]
        assert limit in refused.value.messages[0]
    assert decoded == []


def webp(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 200, 10)).save(out, format="WEBP")
    return out.getvalue()
