"""Photos and documents attached to a case: checked by content (not only by name), capped
in size, images re-encoded without EXIF (a phone photo carries the GPS of the resident's
home), stored outside the static/media URL space and served only through a scoped view."""

from __future__ import annotations

import hashlib
import io
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from minqing.audit.services import record_change
from minqing.cases.models import Case, CaseAttachment
from minqing.org.models import User

# Leading bytes of each accepted type. Office formats are ZIP or OLE containers.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".webp": (b"RIFF",),
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
}
IMAGE_TYPES = {".jpg", ".jpeg", ".png", ".webp"}


def max_bytes() -> int:
    return settings.MINQING_ATTACHMENT_MAX_MB * 1024 * 1024


def check_upload(upload: UploadedFile) -> str:
    """Return the normalised extension, or raise a Chinese ValidationError."""
    name = upload.name or ""
    ext = PurePath(name).suffix.lower()
    if ext not in _SIGNATURES:
        raise ValidationError(
            _("不支持的文件类型“%(name)s”：只接受照片(JPG/PNG/WebP)、PDF、Word、Excel。")
            % {"name": name[:60]}
        )
    if upload.size is None or upload.size > max_bytes():
        raise ValidationError(
            _("文件“%(name)s”超过 %(mb)d MB。")
            % {"name": name[:60], "mb": settings.MINQING_ATTACHMENT_MAX_MB}
        )
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in _SIGNATURES[ext]) or (
        ext == ".webp" and head[8:12] != b"WEBP"
    ):
        raise ValidationError(_("文件“%(name)s”的内容与扩展名不符。") % {"name": name[:60]})
    return ext


def _without_metadata(data: bytes) -> bytes:
    """Re-encode an image so EXIF (GPS, device) is dropped; refuses non-images."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            fmt = image.format or "JPEG"
            clean = image.copy()
            clean.info.clear()  # EXIF, XMP, text chunks: nothing of the original survives
            out = io.BytesIO()
            options = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
            clean.save(out, format=fmt, exif=b"", **options)
            return out.getvalue()
    except (UnidentifiedImageError, OSError) as error:
        raise ValidationError(_("无法识别的图片文件。")) from error


# Public name for other apps' uploads (fieldwork photos) that need the same stripping.
strip_metadata = _without_metadata


@transaction.atomic
def attachment_add(*, case: Case, upload: UploadedFile, actor: User | None) -> CaseAttachment:
    ext = check_upload(upload)
    data = upload.read()
    if ext in IMAGE_TYPES:
        data = _without_metadata(data)
    digest = hashlib.sha256(data).hexdigest()
    attachment = CaseAttachment(
        case=case,
        original_name=PurePath(upload.name or "file").name[:120],
        size=len(data),
        sha256=digest,
        uploaded_by=actor,
    )
    attachment.file.save(f"{digest[:16]}{ext}", ContentFile(data), save=False)
    attachment.save()
    record_change(actor=actor, obj=attachment, before=None)
    return attachment
