"""Images sent by residents and cadres are untrusted: the one guard every upload goes through.

A file of a few hundred bytes can declare a 65,000 × 65,000 picture, and a PNG can carry a
text or colour-profile chunk that inflates to tens of megabytes. So an image is judged by
its header first (`read_header`: PIL's `Image.open` parses the header and the chunks before
the pixels and decodes nothing) and refused by the size it declares; only then is it
decoded, once, shrunk, turned upright and re-encoded without any metadata (`reencode`).
Every failure is a ValidationError in Chinese naming the file; nothing else escapes.

The byte size is capped before this, by `minqing.cases.attachments.check_upload`
(MINQING_ATTACHMENT_MAX_MB). A truncated file is refused: PIL's LOAD_TRUNCATED_IMAGES stays
off, so decoding it fails instead of padding it with grey.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, PngImagePlugin, UnidentifiedImageError

# No side longer than this: a 100,000 × 10 strip is few pixels but useless and slow to shrink.
MAX_SIDE = 10_000
# The most pixels accepted, by how the file decodes, so that one image costs a worker at
# most ~150 MB while it is processed (peaks measured with Pillow 13, worst case of each):
#   JPEG, one interleaved scan (what cameras write): draft() decodes it at 1/2, 1/4 or 1/8
#     scale, below STORED_SIDE: 40 MP costs ~40 MB;
#   JPEG with progressive or split scans: libjpeg keeps the whole picture's coefficients
#     whatever the scale: 16 MP (4:4:4) ~155 MB;
#   PNG: decoded whole, then shrunk: 10 MP RGBA ~135 MB;
#   WebP: decoded whole into several RGBA buffers: 6 MP ~155 MB.
MAX_PIXELS = 40_000_000  # every phone's default photo (12–24 MP); not a 48/50 MP "hi-res" one
MAX_PIXELS_BUFFERED_JPEG = 16_000_000
MAX_PIXELS_PNG = 10_000_000  # a 4K screenshot (8.3 MP) fits
MAX_PIXELS_WEBP = 6_000_000
# Stored photos are shown on a screen and printed on an A4 case sheet: 4096 px is plenty,
# and keeps every stored file (and every later copy to a case) a few MB at most. A larger
# JPEG is shrunk by its decoder, in steps of 1/2, so it is stored at between half of this
# and this.
STORED_SIDE = 4096
# All text chunks (tEXt/zTXt/iTXt) of a PNG together; the stored copy keeps none of them.
MAX_TEXT_BYTES = 1024 * 1024
# Only the formats uploads accept: PIL tries no other decoder on an uploaded file.
FORMATS = ("JPEG", "PNG", "WEBP")
_SAVE_AS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}  # MPO: a JPEG
ORIENTATION = 0x0112  # EXIF tag
_TURN = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

# Process-wide, so that no PIL call in a worker (now or added later) decodes a bomb: past
# this PIL warns, past twice this it raises; the warning is made an error too. Set at the
# largest picture within MAX_SIDE, so that every other one reaches the exact check below,
# which does not rely on this either (a test run or a -W flag may change warning filters).
Image.MAX_IMAGE_PIXELS = MAX_SIDE * MAX_SIDE
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)
# PIL's own default allows 64 MB of PNG text, inflated from a file of a few KB.
PngImagePlugin.MAX_TEXT_MEMORY = MAX_TEXT_BYTES


@dataclass(frozen=True)
class ImageHeader:
    format: str  # PIL's name: "JPEG", "MPO" (a JPEG), "PNG", "WEBP"
    width: int
    height: int


def _too_large(name: str, max_pixels: int) -> ValidationError:
    # Advice that always works, in the measure photo editors offer: the side of a square
    # that fits this kind of file's cap, rounded down to hundreds.
    side = min(MAX_SIDE, math.isqrt(max_pixels) // 100 * 100)
    return ValidationError(
        _("图片“%(name)s”尺寸过大，请把长边缩小到 %(side)d 像素以内再上传。")
        % {"name": name, "side": side}
    )


def _unreadable(name: str) -> ValidationError:
    return ValidationError(
        _("无法识别的图片文件“%(name)s”：文件可能已损坏，请重新拍摄或另存后再上传。")
        % {"name": name}
    )


def _refusal(name: str, error: Exception, head: bytes) -> ValidationError:
    """What to tell the user about an exception PIL raised while reading the file."""
    if isinstance(error, Image.DecompressionBombError | Image.DecompressionBombWarning):
        # PIL stopped it inside Image.open, before the check by kind: tell the kind's cap.
        if head.startswith(b"\x89PNG"):
            return _too_large(name, MAX_PIXELS_PNG)
        return _too_large(name, MAX_PIXELS_WEBP if head.startswith(b"RIFF") else MAX_PIXELS)
    # PngImagePlugin says so when a text or ICC chunk inflates past MAX_TEXT_CHUNK, or all
    # text together past MAX_TEXT_MEMORY; any other ValueError means a broken file.
    if isinstance(error, ValueError) and "MAX_TEXT" in str(error):
        return ValidationError(
            _("图片“%(name)s”附带的文字或颜色配置信息过大，请另存为普通照片后再上传。")
            % {"name": name}
        )
    return _unreadable(name)


# What PIL raises on a hostile or broken file: OSError covers UnidentifiedImageError and
# "image file is truncated", SyntaxError a broken PNG chunk, ValueError oversized chunks,
# EOFError / IndexError a file that ends inside a header.
_PIL_ERRORS = (
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
)


def _jpeg_buffers_coefficients(file: IO[bytes], image: ImageFile.ImageFile) -> bool:
    """Whether libjpeg must keep the coefficients of the whole picture to decode it: a
    progressive JPEG, or one whose first scan leaves components to later scans (Ns < Nf
    in the first SOS segment). Anything this walk cannot follow counts as such."""
    if image.info.get("progressive"):
        return True
    components = getattr(image, "layers", 0)
    file.seek(2)  # after SOI; PIL has checked the segments up to the first scan
    for _step in range(1000):  # a camera writes a few dozen segments (and fill bytes)
        head = file.read(4)
        if len(head) < 4 or head[0] != 0xFF:
            return True
        if head[1] == 0xFF:  # fill byte before a marker
            file.seek(-3, io.SEEK_CUR)
            continue
        if head[1] == 0xDA:  # SOS: length (2 bytes, read), then Ns
            first_scan = file.read(1)
            return not first_scan or first_scan[0] < components
        length = int.from_bytes(head[2:], "big")
        if length < 2:
            return True
        file.seek(length - 2, io.SEEK_CUR)
    return True


def _max_pixels(file: IO[bytes], image: ImageFile.ImageFile) -> int:
    if image.format == "PNG":
        return MAX_PIXELS_PNG
    if image.format == "WEBP":
        return MAX_PIXELS_WEBP
    if _jpeg_buffers_coefficients(file, image):
        return MAX_PIXELS_BUFFERED_JPEG
    return MAX_PIXELS


@contextmanager
def _opened(file: IO[bytes], name: str) -> Iterator[ImageFile.ImageFile]:
    """Open lazily (header only) and refuse by declared size. Leaving the block closes
    only what PIL opened itself: an upload's own file stays open (Image.close would not)."""
    with Image.open(file, formats=FORMATS) as image:
        width, height = image.size
        if width < 1 or height < 1:
            raise _unreadable(name)
        limit = _max_pixels(file, image)
        if max(width, height) > MAX_SIDE or width * height > limit:
            raise _too_large(name, limit)
        yield image


def read_header(*, file: IO[bytes], name: str) -> ImageHeader:
    """The declared format and size of an uploaded image, read without decoding a pixel;
    a ValidationError if it is not a readable JPEG/PNG/WebP or is too large. The file is
    left at its start."""
    file.seek(0)
    try:
        with _opened(file, name) as image:
            return ImageHeader(format=image.format or "", width=image.width, height=image.height)
    except ValidationError:
        raise
    except _PIL_ERRORS as error:
        file.seek(0)
        raise _refusal(name, error, file.read(8)) from error
    finally:
        file.seek(0)


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def reencode(*, data: bytes, name: str) -> bytes:
    """The image decoded once and saved again in its own format: at most STORED_SIDE on its
    long side, turned upright by its EXIF orientation, and without EXIF (a phone photo
    carries the GPS of the resident's home), XMP, text or ICC profile. A ValidationError
    for anything `read_header` refuses and for a file that fails to decode."""
    try:
        with _opened(io.BytesIO(data), name) as image:
            fmt = _SAVE_AS.get(image.format or "", "JPEG")
            # A JPEG decodes at the smallest 1/2, 1/4 or 1/8 scale still at least half of
            # STORED_SIDE: a large photo is never held at full size. Others ignore this.
            image.draft(None, _fit(image.size, STORED_SIDE // 2))
            image.load()
            turn = _TURN.get(image.getexif().get(ORIENTATION, 1))
            transparency = image.info.get("transparency")  # pixels, not metadata
            image.thumbnail((STORED_SIDE, STORED_SIDE))  # in place; no-op when small enough
            clean = image.transpose(turn) if turn is not None else image
            clean.info = {} if transparency is None else {"transparency": transparency}
            out = io.BytesIO()
            options = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
            clean.save(out, format=fmt, exif=b"", **options)
            return out.getvalue()
    except ValidationError:
        raise
    except _PIL_ERRORS as error:
        raise _refusal(name, error, data[:8]) from error
