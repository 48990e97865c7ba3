"""Field photos (现场照片) on visits and diary entries: taken on the capture forms, stored
without EXIF/GPS, at most six per record, never doubled by a resent draft, served only to
those who may read the record, and carried over to the case raised from it (once)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image

from minqing.audit.models import AuditEvent
from minqing.cases.models import Case, CaseAttachment
from minqing.fieldwork.models import DiaryEntry, FieldPhoto, Visit
from minqing.fieldwork.services import (
    MAX_PHOTOS,
    diary_raise_case,
    diary_record,
    photos_add,
    visit_record,
)

GPS = 0x8825
HEARD = "村口老井的井台裂了，打水的老人容易滑倒。"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # never write into the checkout's var/


def jpeg_with_gps(color=(200, 30, 30), size=(40, 30), orientation=None) -> bytes:
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[GPS] = {1: "N", 2: (30.0, 15.0, 0.0)}
    exif[0x010F] = "PhoneMaker"
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def photo(name="井台.jpg", data=None, **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data or jpeg_with_gps(**kwargs), content_type="image/jpeg")


def photos(n: int) -> list[SimpleUploadedFile]:
    return [photo(f"p{i}.jpg", color=(i * 30, 100, 50)) for i in range(n)]


def visit_data(county, key="k-photo-visit", **extra):
    data = {
        "idempotency_key": key,
        "node": county.v1.pk,
        "date": timezone.localdate().isoformat(),
        "form": "home",
        "households": [county.households["H1a"].pk],
        "heard": HEARD,
    }
    return data | extra


def diary_data(county, key="d" * 32, **extra):
    data = {
        "idempotency_key": key,
        "date": timezone.localdate().isoformat(),
        "node": county.g1a.pk,
        "category": "appearance",
        "title": "一组老井井台开裂",
        "narrative": "张建国反映井台开裂，冬天结冰容易滑倒。",
        "households": [county.households["H1a"].pk],
    }
    return data | extra


def log_visit(county, persona="cadre") -> Visit:
    return visit_record(
        actor=county.users[persona], node=county.v1, date=timezone.localdate(), form="home",
        households=[county.households["H1a"]], heard=HEARD,
    )[0]  # fmt: skip


def write_entry(county, persona="cadre") -> DiaryEntry:
    return diary_record(
        author=county.users[persona], node=county.g1a, date=timezone.localdate(),
        category="appearance", title="一组老井井台开裂", narrative="井台开裂。",
        households=[county.households["H1a"]],
    )[0]  # fmt: skip


def stored_image(p: FieldPhoto | CaseAttachment) -> Image.Image:
    with p.file.open("rb") as handle:
        return Image.open(io.BytesIO(handle.read()))


# --- Capture forms -----------------------------------------------------------------------


def test_forms_offer_the_camera_and_say_photos_are_not_kept_offline(county, client_for):
    client = client_for("cadre")
    for url in ("/field/visits/new/", "/field/diary/new/"):
        html = client.get(url).text
        assert 'enctype="multipart/form-data"' in html
        tag = html[html.index('type="file" name="photos"') - 10 :]
        tag = tag[: tag.index(">")]
        for attr in ('accept="image/*"', 'capture="environment"', "multiple"):
            assert attr in tag
        assert "断网时照片不会保存在草稿里，请联网后再添加。" in html


def test_visit_photo_is_stored_without_gps_and_shown_on_the_visit(county, client_for):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS)  # really GPS-tagged
    client = client_for("cadre")
    response = client.post("/field/visits/new/", visit_data(county, photos=[photo(data=original)]))
    visit = Visit.objects.get()
    assert response.status_code == 302
    stored = FieldPhoto.objects.get()
    assert (stored.visit, stored.entry, stored.uploaded_by) == (visit, None, county.users["cadre"])
    assert stored.original_name == "井台.jpg"
    assert not stored.file.name.startswith(("static", "media"))
    exif = stored_image(stored).getexif()
    assert exif.get_ifd(GPS) == {}
    assert dict(exif) == {}
    assert AuditEvent.objects.filter(
        object_type="fieldwork.fieldphoto", object_id=str(stored.pk), action="create"
    ).exists()
    detail = client.get(f"/field/visits/{visit.pk}/").text
    assert f'<img src="/field/photos/{stored.pk}/"' in detail
    assert 'loading="lazy"' in detail


def test_diary_photo_is_stored_without_gps(county, client_for):
    client = client_for("cadre")
    response = client.post("/field/diary/new/", diary_data(county, photos=photos(2)))
    entry = DiaryEntry.objects.get()
    assert response["Location"] == f"/field/diary/{entry.pk}/?saved=diary"
    assert entry.photos.count() == 2
    for stored in entry.photos.all():
        assert stored_image(stored).getexif().get_ifd(GPS) == {}
    detail = client.get(f"/field/diary/{entry.pk}/").text
    assert detail.count('loading="lazy"') == 2


def test_a_resent_draft_adds_no_photos_twice(county, client_for):
    client = client_for("cadre")
    client.post("/field/visits/new/", visit_data(county, photos=photos(2)))
    again = client.post("/field/visits/new/", visit_data(county, photos=photos(3)))
    assert again.status_code == 302
    assert (Visit.objects.count(), FieldPhoto.objects.count()) == (1, 2)

    client.post("/field/diary/new/", diary_data(county, photos=photos(1)))
    client.post("/field/diary/new/", diary_data(county, photos=photos(1)))
    assert (DiaryEntry.objects.count(), FieldPhoto.objects.filter(entry__isnull=False).count()) == (
        1,
        1,
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("井台.jpg", b"<html><script>alert(1)</script>", "内容与扩展名不符"),
        ("材料.pdf", b"%PDF-1.4\n%test\n", "不是照片"),
        ("run.exe", b"MZ\x90\x00", "不是照片"),
        ("坏图.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "无法识别的图片文件"),
    ],
)
def test_bad_files_are_refused_in_chinese_and_nothing_is_saved(
    county, client_for, name, data, message
):
    client = client_for("cadre")
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    response = client.post("/field/visits/new/", visit_data(county, photos=[photo(), upload]))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["photos"])
    assert message in response.text
    # The visit and the good photo are not kept half-way: the cadre sends the form again.
    assert (Visit.objects.count(), FieldPhoto.objects.count()) == (0, 0)
    upload.seek(0)
    diary = client.post("/field/diary/new/", diary_data(county, photos=[upload]))
    assert diary.status_code == 200
    assert message in diary.text
    assert not DiaryEntry.objects.exists()


def test_more_than_six_photos_are_refused(county, client_for):
    client = client_for("cadre")
    response = client.post("/field/visits/new/", visit_data(county, photos=photos(7)))
    assert response.status_code == 400
    assert "最多 6 张" in response.text
    assert not Visit.objects.exists()
    # Six are fine; a seventh added later is refused, also through the service.
    client.post("/field/visits/new/", visit_data(county, photos=photos(MAX_PHOTOS)))
    visit = Visit.objects.get()
    assert visit.photos.count() == MAX_PHOTOS
    later = client.post(
        f"/field/photos/visit/{visit.pk}/", {"photos": [photo(color=(1, 2, 3))]}, follow=True
    )
    assert "最多 6 张" in later.text
    assert visit.photos.count() == MAX_PHOTOS
    assert 'data-testid="add-photos"' not in later.text  # full: no form any more


def test_editing_an_entry_adds_photos_up_to_the_limit(county, client_for):
    client = client_for("cadre")
    client.post("/field/diary/new/", diary_data(county, photos=photos(5)))
    entry = DiaryEntry.objects.get()
    edit = diary_data(county, title="一组老井井台开裂（补照片）")
    refused = client.post(
        f"/field/diary/{entry.pk}/edit/",
        edit | {"photos": [photo(color=(8, 8, 8)), photo(color=(9, 9, 9))]},
    )
    assert refused.status_code == 200
    assert "最多 6 张" in refused.text
    entry.refresh_from_db()
    assert (entry.title, entry.photos.count()) == ("一组老井井台开裂", 5)  # nothing half-saved
    # p0 is already there (same content): only the new one is added.
    again = [photos(1)[0], photo(color=(9, 9, 9))]
    ok = client.post(f"/field/diary/{entry.pk}/edit/", edit | {"photos": again})
    assert ok.status_code == 302
    assert entry.photos.count() == 6


def test_the_author_adds_photos_later_others_cannot(county, client_for):
    visit = log_visit(county)
    entry = write_entry(county)
    client = client_for("cadre")
    assert 'data-testid="add-photos"' in client.get(f"/field/visits/{visit.pk}/").text
    for url, record in ((f"/field/photos/visit/{visit.pk}/", visit),
                        (f"/field/photos/diary/{entry.pk}/", entry)):  # fmt: skip
        response = client.post(url, {"photos": [photo()]}, follow=True)
        assert "已添加 1 张照片" in response.text
        # The same photo sent again (double tap) is not stored twice.
        again = client.post(url, {"photos": [photo()]}, follow=True)
        assert "已经添加过了" in again.text
        assert record.photos.count() == 1
        for persona in ("county_admin", "colleague", "sibling"):
            assert (
                client_for(persona).post(url, {"photos": [photo(color=(5, 5, 5))]}).status_code
                == 404
            )
        assert record.photos.count() == 1
    reviewer_page = client_for("county_admin").get(f"/field/visits/{visit.pk}/").text
    assert 'data-testid="add-photos"' not in reviewer_page
    assert f'src="/field/photos/{visit.photos.get().pk}/"' in reviewer_page


def test_a_sideways_phone_photo_is_stored_upright(county):
    visit = log_visit(county)
    (stored,) = photos_add(visit=visit, uploads=[photo(orientation=6)], actor=county.users["cadre"])
    image = stored_image(stored)
    assert image.size == (30, 40)
    assert dict(image.getexif()) == {}


@pytest.mark.parametrize(("fmt", "name"), [("PNG", "墙.png"), ("WEBP", "墙.webp")])
def test_png_and_webp_photos_are_kept_in_their_format(county, fmt, name):
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (10, 200, 10)).save(out, format=fmt)
    entry = write_entry(county)
    upload = SimpleUploadedFile(name, out.getvalue())
    (stored,) = photos_add(entry=entry, uploads=[upload], actor=county.users["cadre"])
    assert stored_image(stored).format == fmt


def test_a_photo_belongs_to_exactly_one_record(county):
    visit, entry = log_visit(county), write_entry(county)
    for owners in ({}, {"visit": visit, "entry": entry}):
        with pytest.raises(IntegrityError), transaction.atomic():
            FieldPhoto.objects.create(file="x.jpg", original_name="x", size=1, sha256="0", **owners)


# --- Who sees a photo --------------------------------------------------------------------

READERS = [
    ("cadre", 200), ("county_admin", 200), ("county_supervisor", 200),
    ("colleague", 404), ("sibling", 404), ("township_staff", 404), ("other_admin", 404),
    ("other_township", 404), ("deputy", 404), ("anonymous", 302),
]  # fmt: skip


@pytest.mark.parametrize(("persona", "status"), READERS)
@pytest.mark.parametrize("kind", ["visit", "entry"])
def test_photo_is_served_only_to_those_who_may_read_the_record(
    county, client_for, persona, status, kind
):
    owner = {"visit": log_visit(county)} if kind == "visit" else {"entry": write_entry(county)}
    (stored,) = photos_add(uploads=[photo()], actor=county.users["cadre"], **owner)
    # Whoever may open the record's page may open its photo, and no one else.
    page = (
        f"/field/visits/{stored.visit_id}/"
        if kind == "visit"
        else f"/field/diary/{stored.entry_id}/"
    )
    assert client_for(persona).get(page).status_code == status
    denied_before = AuditEvent.objects.filter(action="denied").count()
    response = client_for(persona).get(f"/field/photos/{stored.pk}/")
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "image/jpeg"
        assert "private" in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == stored.file.open("rb").read()
    elif status == 404 and persona not in ("deputy",):
        assert AuditEvent.objects.filter(action="denied").count() > denied_before


def test_unknown_photo_is_a_plain_404(county, client_for):
    assert client_for("cadre").get("/field/photos/999999/").status_code == 404


# --- Carried over to the case ------------------------------------------------------------


def test_diary_photos_go_to_the_raised_case_once(county, client_for):
    entry = write_entry(county)
    added = photos_add(entry=entry, uploads=photos(2), actor=county.users["cadre"])
    client = client_for("cadre")
    for _ in range(2):
        assert client.post(f"/field/diary/{entry.pk}/case/").status_code == 302
    case = Case.objects.get()
    attachments = list(case.attachments.order_by("pk"))
    assert [a.sha256 for a in attachments] == [p.sha256 for p in added]
    assert diary_raise_case(entry=entry, actor=county.users["cadre"])[1] is False
    assert case.attachments.count() == 2
    first = attachments[0]
    assert first.is_image
    assert first.file.name != added[0].file.name  # its own copy
    served = client.get(f"/cases/{case.number}/files/{first.pk}/")
    assert b"".join(served.streaming_content) == added[0].file.open("rb").read()


def test_visit_photos_go_to_each_case_turned_from_it_once(county, client_for):
    visit = log_visit(county)
    photos_add(visit=visit, uploads=photos(2), actor=county.users["cadre"])
    client = client_for("cadre")
    item = {"item": "0", "seq": "1", "text": HEARD, "nature": "help",
            "household": county.households["H1a"].pk}  # fmt: skip
    for _ in range(2):  # the same item sent twice
        assert client.post(f"/field/visits/{visit.pk}/case/", item).status_code == 302
    case = Case.objects.get()
    assert case.attachments.count() == 2
    other = item | {"seq": "2", "text": "井边的排水沟也堵了。"}
    client.post(f"/field/visits/{visit.pk}/case/", other)
    assert Case.objects.count() == 2
    assert CaseAttachment.objects.count() == 4
    for attachment in CaseAttachment.objects.all():
        assert stored_image(attachment).getexif().get_ifd(GPS) == {}


def test_a_record_without_photos_raises_a_case_without_attachments(county):
    entry = write_entry(county)
    case, _ = diary_raise_case(entry=entry, actor=county.users["cadre"])
    assert not case.attachments.exists()
