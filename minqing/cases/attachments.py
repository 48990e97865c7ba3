"""Photos and documents attached to a case: checked by content (not only by name), capped
in size, images refused by their declared size before decoding and re-encoded without EXIF
(a phone photo carries the GPS of the resident's home) by minqing.lib.images, stored outside
the static/media URL space and served only through a scoped view.

`attachment_prepare` does all the checking and decoding and touches nothing; callers that
store several files prepare them all first, so a refused one leaves no row and no file. The
writes (`attachment_store`, `attachment_add`) are in minqing.cases.services.attachments."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from minqing.lib import images

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
    if ext in IMAGE_TYPES:
        # Header only: a form refuses an image bomb before anything is decoded or saved.
        images.read_header(file=upload, name=name[:60])
    return ext


@dataclass(frozen=True)
class PreparedFile:
    """An upload checked and, if an image, re-encoded: ready to store, nothing saved yet."""

    name: str
    ext: str
    data: bytes
    sha256: str


def attachment_prepare(*, upload: UploadedFile) -> PreparedFile:
    """Check an upload and strip an image; a Chinese ValidationError, and nothing written,
    if it is refused. Needs no transaction: called before one, decoding holds no lock."""
    ext = check_upload(upload)
    name = PurePath(upload.name or "file").name[:120]
    data = upload.read()
    if ext in IMAGE_TYPES:
        data = images.reencode(data=data, name=name[:60])
    return PreparedFile(name=name, ext=ext, data=data, sha256=hashlib.sha256(data).hexdigest())
