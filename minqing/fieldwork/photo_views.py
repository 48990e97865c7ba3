"""Field photos: served only to those who may read the visit or diary entry they belong to
(the same rules as the visit and diary detail pages; a 404 otherwise, logged), and added
later from the record's page by its author."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minqing.fieldwork.diary_selectors import visible_entries
from minqing.fieldwork.models import DiaryEntry, FieldPhoto, Visit
from minqing.fieldwork.services import photos_add
from minqing.fieldwork.visit_selectors import visible_visits
from minqing.fieldwork.visit_views import field_or_review
from minqing.kit.guards import requires
from minqing.org.models import User
from minqing.org.roles import Cap
from minqing.org.scoping import get_in_scope_or_404

CONTENT_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}


def visible_photos(user: User) -> QuerySet[FieldPhoto]:
    """Photos of the visits and diary entries the user may read."""
    return FieldPhoto.objects.filter(
        Q(visit__in=visible_visits(user).values("pk"))
        | Q(entry__in=visible_entries(user).values("pk"))
    )


@require_GET
@field_or_review
def photo_file(request: HttpRequest, pk: int) -> FileResponse:
    photo = get_in_scope_or_404(visible_photos(request.user), request, pk=pk)  # type: ignore[arg-type]
    content_type = CONTENT_TYPES.get(PurePath(photo.file.name).suffix.lower())
    if content_type is None:
        raise Http404
    try:
        handle = photo.file.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type, filename=photo.original_name)
    # Personal data: kept by the user's own browser only, never by a shared cache.
    response["Cache-Control"] = "private, max-age=3600"
    # Uploaded content is never interpreted by the browser as HTML or script.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


def _add(
    request: HttpRequest, *, visit: Visit | None = None, entry: DiaryEntry | None = None
) -> None:
    uploads = request.FILES.getlist("photos")
    if not uploads:
        messages.error(request, _("请选择要上传的照片。"))
        return
    try:
        added = photos_add(visit=visit, entry=entry, uploads=uploads, actor=request.user)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if added:
            messages.success(request, _("已添加 %(n)d 张照片。") % {"n": len(added)})
        else:
            messages.info(request, _("这些照片已经添加过了。"))


@require_POST
@requires(Cap.FIELDWORK)
def visit_photos_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The visitor adds photos to their visit later (e.g. once back in signal)."""
    visit = get_in_scope_or_404(
        visible_visits(request.user).filter(visitor=request.user),  # type: ignore[arg-type,misc]
        request,
        pk=pk,
    )
    _add(request, visit=visit)
    return redirect(reverse("visits:detail", args=[visit.pk]) + "#photos")


@require_POST
@requires(Cap.FIELDWORK)
def entry_photos_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The author adds photos to their diary entry later."""
    entry = get_in_scope_or_404(DiaryEntry.objects.filter(author=request.user), request, pk=pk)
    _add(request, entry=entry)
    return redirect(reverse("diary:detail", args=[entry.pk]) + "#photos")
