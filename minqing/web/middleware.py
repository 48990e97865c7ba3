"""Idle sign-out, and form bodies in old phones' charsets (FormEncodingMiddleware, below).

Idle sign-out without a database write on every request:

SESSION_SAVE_EVERY_REQUEST would renew the cookie on each hit, but it also rewrites the
session row each time — on SQLite a second write transaction per request. Touching the
session at most once a minute keeps the idle timeout (to within a minute) at a fraction
of the writes.
"""

import codecs
import io
import time
from collections.abc import Callable
from urllib.parse import unquote_to_bytes, urlencode

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict

TOUCH_EVERY_SECONDS = 60


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated:
            now = int(time.time())
            if now - int(session.get("_touched", 0)) >= TOUCH_EVERY_SECONDS:
                session["_touched"] = now  # modified → saved, cookie expiry renewed
        return self.get_response(request)


# Charsets that are all read as GB18030, their superset: phones that declare gb2312 often
# send GBK characters (镕, 喆 …) that GB2312 lacks.
GB_CODECS = {"gb2312", "gbk", "gb18030"}
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _decode_component(raw: bytes, codec: str) -> str:
    return unquote_to_bytes(raw.replace(b"+", b" ")).decode(codec)


def transcode_form(body: bytes, codec: str) -> bytes:
    """A urlencoded body in `codec` as the same fields in UTF-8. Strict: bytes that are not
    `codec` raise UnicodeDecodeError rather than turning into replacement characters."""
    pairs = []
    for chunk in body.split(b"&"):
        if chunk:
            name, _sep, value = chunk.partition(b"=")
            pairs.append((_decode_component(name, codec), _decode_component(value, codec)))
    return urlencode(pairs).encode("ascii")


class FormEncodingMiddleware:
    """Read form posts in whatever real charset they declare; answer 400, never 500.

    Django 6 refuses a urlencoded body whose declared charset is not UTF-8 with BadRequest,
    then renders the 400 page through the CSRF check, which reads the body again and raises
    again: the resident got a 500 (issue 12, 7b). So, before the CSRF check:

    - a GB2312 / GBK / GB18030 form is decoded as GB18030, other real charsets as declared,
      and handed on as UTF-8;
    - an unknown charset, bytes that are not what the charset says, and any other body
      Django cannot parse (too many fields, too large) get a 400 page in plain words, and
      the request is marked parsed so nothing downstream tries again.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type in FORM_TYPES:
            refused = self._prepare(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _prepare(self, request: HttpRequest) -> HttpResponse | None:
        charset = request.content_params.get("charset")
        try:
            if charset is not None:
                codec = codecs.lookup(charset.strip().strip("\"'")).name
                if codec in GB_CODECS:
                    codec = "gb18030"
                if codec != "utf-8":
                    self._use_codec(request, codec)
                else:
                    # Django accepts only the exact name: "UTF8" would be refused.
                    request.encoding = "utf-8"
            request.POST  # noqa: B018 (parse now, while a failure can still be answered)
        except (LookupError, UnicodeDecodeError, BadRequest, MultiPartParserError):
            return self._refuse(request)
        except RequestDataTooBig:
            return self._refuse(request, status=413)
        except SuspiciousOperation:  # too many fields or files
            return self._refuse(request)
        return None

    def _use_codec(self, request: HttpRequest, codec: str) -> None:
        if request.content_type == "multipart/form-data":
            # The multipart parser decodes each field with the request's encoding.
            request.encoding = codec
            return
        body = transcode_form(request.body, codec)
        request._body = body
        request._stream = io.BytesIO(body)
        request.META["CONTENT_LENGTH"] = str(len(body))
        request.content_params["charset"] = "utf-8"
        request.encoding = "utf-8"

    def _refuse(self, request: HttpRequest, status: int = 400) -> HttpResponse:
        # Nothing after this may parse the body again (the error views' CSRF check would).
        request._post, request._files = QueryDict(), MultiValueDict()  # type: ignore[attr-defined]
        return render(request, "web/bad_request.html", {"too_large": status == 413}, status=status)
