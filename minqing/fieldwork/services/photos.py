"""Photos taken in the field (现场照片), on a visit or a diary entry.

The same rules as case attachments (minqing.cases.attachments): type checked by content,
size capped, refused by declared dimensions before decoding, turned upright and re-encoded
without EXIF (minqing.lib.images) so a phone photo never carries the GPS of a resident's
home, stored under MEDIA_ROOT (the var dir) and served only by the scoped view.
Only photos, at most MAX_PHOTOS per record; the same photo sent twice is stored once.
When the record's matter becomes a case, its photos are copied to the case's attachments.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from minqing.audit.services import record_change
from minqing.cases.attachments import IMAGE_TYPES, check_upload
from minqing.cases.models import Case, CaseAttachment
from minqing.fieldwork.models import DiaryEntry, FieldPhoto, Visit
from minqing.lib import images
from minqing.org.models import User

MAX_PHOTOS = 6

log = logging.getLogger(__name__)


def check_photo(upload: UploadedFile) -> str:
    """The normalised extension of a JPG/PNG/WebP photo, or a Chinese ValidationError."""
    name = upload.name or ""
    if PurePath(name).suffix.lower() not in IMAGE_TYPES:
        raise ValidationError(
            _("“%(name)s”不是照片：只能上传 JPG、PNG 或 WebP 格式的照片。") % {"name": name[:60]}
        )
    return check_upload(upload)  # size, and content matching the extension


def _record_of(visit: Visit | None, entry: DiaryEntry | None) -> Visit | DiaryEntry:
    if (visit is None) == (entry is None):
        raise TypeError("a photo belongs to exactly one visit or one diary entry")
    return visit if visit is not None else entry  # type: ignore[return-value]


def _author_id(record: Visit | DiaryEntry) -> int:
    return record.visitor_id if isinstance(record, Visit) else record.author_id


def may_add_photos(user: User, record: Visit | DiaryEntry) -> bool:
    """Only the one who made the visit or wrote the entry adds its photos."""
    return user.pk == _author_id(record)


@transaction.atomic
def photos_add(
    *,
    visit: Visit | None = None,
    entry: DiaryEntry | None = None,
    uploads: Iterable[UploadedFile],
    actor: User,
) -> list[FieldPhoto]:
    """Store the uploaded photos on one visit or one diary entry: all of them or none.
    Returns the photos added; a photo the record already has is skipped (a resent form)."""
    record = _record_of(visit, entry)
    uploads = [u for u in uploads if u]
    if not uploads:
        return []
    if not may_add_photos(actor, record):
        raise ValidationError({"photos": [_("只有记录人本人可以添加照片。")]})
    # Lock the record: two sends at once cannot pass the limit together.
    list(type(record).objects.select_for_update().filter(pk=record.pk).values_list("pk"))
    have = record.photos.count()
    if len(uploads) > MAX_PHOTOS:  # refused before any decoding
        raise ValidationError({"photos": [_too_many(have, len(uploads))]})
    known = set(record.photos.values_list("sha256", flat=True))
    prepared: list[tuple[str, str, bytes, str]] = []
    for upload in uploads:
        try:
            ext = check_photo(upload)
            name = PurePath(upload.name or "photo").name[:120]
            # Every photo is decoded before the first is saved: one refused, none stored.
            data = images.reencode(data=upload.read(), name=name[:60])
        except ValidationError as error:
            raise ValidationError({"photos": error.messages}) from error
        digest = hashlib.sha256(data).hexdigest()
        if digest in known:
            continue
        known.add(digest)
        prepared.append((name, ext, data, digest))
    if have + len(prepared) > MAX_PHOTOS:
        raise ValidationError({"photos": [_too_many(have, len(prepared))]})
    photos: list[FieldPhoto] = []
    for name, ext, data, digest in prepared:
        photo = FieldPhoto(
            visit=visit,
            entry=entry,
            original_name=name,
            size=len(data),
            sha256=digest,
            uploaded_by=actor,
        )
        photo.file.save(f"{digest[:16]}{ext}", ContentFile(data), save=False)
        photo.save()
        record_change(actor=actor, obj=photo, before=None)
        photos.append(photo)
    return photos


def _too_many(have: int, adding: int) -> str:
    if have:
        return _("每条记录最多 %(max)d 张照片：已有 %(have)d 张，这次又选了 %(n)d 张。") % {
            "max": MAX_PHOTOS,
            "have": have,
            "n": adding,
        }
    return _("每条记录最多 %(max)d 张照片，这次选了 %(n)d 张。") % {
        "max": MAX_PHOTOS,
        "n": adding,
    }


def photos_copy_to_case(
    *,
    case: Case,
    actor: User | None,
    visit: Visit | None = None,
    entry: DiaryEntry | None = None,
) -> list[CaseAttachment]:
    """Copy a record's photos to the case raised from it, as case attachments. Already
    stripped, so the bytes are copied as they are; a photo the case already has (same
    content) is not copied again, so asking twice copies once."""
    record = _record_of(visit, entry)
    have = set(case.attachments.values_list("sha256", flat=True))
    note = "复制自走访记录的照片" if visit is not None else "复制自民情日记的照片"
    copied: list[CaseAttachment] = []
    for photo in record.photos.all():
        if photo.sha256 in have:
            continue
        try:
            with photo.file.open("rb") as handle:
                data = handle.read()
        except OSError:
            # A lost file must not stop the case from being registered.
            log.warning("field photo %s missing on disk, not copied to case %s", photo.pk, case)
            continue
        attachment = CaseAttachment(
            case=case,
            original_name=photo.original_name,
            size=len(data),
            sha256=photo.sha256,
            uploaded_by_id=photo.uploaded_by_id,
        )
        ext = PurePath(photo.file.name).suffix.lower()
        attachment.file.save(f"{photo.sha256[:16]}{ext}", ContentFile(data), save=False)
        attachment.save()
        record_change(actor=actor, obj=attachment, before=None, note=note)
        have.add(photo.sha256)
        copied.append(attachment)
    return copied
