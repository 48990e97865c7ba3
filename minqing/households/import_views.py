"""Ledger import in the browser: upload → map columns and check (dry run) → import.

The uploaded file waits under var/imports/ between the steps, named for its owner, so
the confirm step imports exactly the file that was checked, and only its uploader can.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from minqing.households.importer import DEFAULT_HEADERS, FIELDS, map_columns, read_rows
from minqing.households.services import households_import
from minqing.kit.guards import requires
from minqing.lib.masking import mask_id_number, mask_phone
from minqing.org.models import Level, Node
from minqing.org.roles import Cap

FIELD_LABELS = {name: headers[0] for name, headers in DEFAULT_HEADERS.items()}
MAX_BYTES = 20 * 1024 * 1024


# An upload nobody confirmed within a day is abandoned: residents' data must not pile up.
KEEP_SECONDS = 24 * 3600


def _folder() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def remove_stale_uploads(now: float | None = None) -> int:
    """Delete uploads older than KEEP_SECONDS; returns how many went."""
    cutoff = (now or time.time()) - KEEP_SECONDS
    removed = 0
    for path in _folder().iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _stored(request: HttpRequest, token: str) -> Path:
    if not token.replace("-", "").isalnum():
        raise Http404
    matches = list(_folder().glob(f"{request.user.pk}-{token}.*"))
    if not matches:
        raise Http404
    return matches[0]


@requires(Cap.MANAGE_REGISTRY)
def upload(request: HttpRequest) -> HttpResponse:
    villages = Node.objects.for_user(request.user).filter(level=Level.VILLAGE).order_by("code")
    if request.method == "POST":
        remove_stale_uploads()
        file = request.FILES.get("file")
        village = villages.filter(pk=request.POST.get("village") or 0).first()
        ext = Path(file.name).suffix.lower() if file else ""
        if village is None:
            messages.error(request, _("请选择村(社区)。"))
        elif file is None or ext not in (".xlsx", ".csv") or file.size > MAX_BYTES:
            messages.error(request, _("请上传不超过 20 MB 的 .xlsx 或 .csv 文件。"))
        else:
            token = uuid.uuid4().hex
            path = _folder() / f"{request.user.pk}-{token}{ext}"
            with path.open("wb") as out:
                for chunk in file.chunks():
                    out.write(chunk)
            return redirect("households:import_check", token=token, village=village.code)
    return render(request, "households/import_upload.html", {"villages": villages})


@requires(Cap.MANAGE_REGISTRY)
def check(request: HttpRequest, token: str, village: str) -> HttpResponse:
    path = _stored(request, token)
    node = Node.objects.for_user(request.user).filter(code=village, level=Level.VILLAGE).first()
    if node is None:
        raise Http404
    try:
        rows = read_rows(path)
    except (OSError, ValueError, KeyError) as error:
        messages.error(request, _("无法读取文件：%(e)s") % {"e": error})
        return redirect("households:import")
    header = [h.strip() for h in (rows[0] if rows else [])]
    mapping = {name: request.POST.get(f"map_{name}", "") for name in FIELDS}
    if request.method != "POST":
        guessed = map_columns(header)
        mapping = {name: header[i] for name, i in guessed.items()}
    commit = request.method == "POST" and request.POST.get("commit") == "1"
    report = households_import(
        village=node,
        rows=rows,
        actor=request.user,  # type: ignore[arg-type]
        mapping=mapping,
        dry_run=not commit,
        request=request,  # a refused number's audit line carries the address it came from
    )
    if commit and report.written:
        path.unlink(missing_ok=True)
        messages.success(
            request,
            _("导入完成：%(h)d 户，%(r)d 人，用时 %(s).1f 秒。")
            % {"h": report.households, "r": report.residents, "s": report.seconds},
        )
        return redirect("households:list")
    return render(
        request,
        "households/import_check.html",
        {
            "village": node,
            "header": header,
            "fields": [(name, FIELD_LABELS[name], mapping.get(name, "")) for name in FIELDS],
            "report": report,
            "sample": [[_masked(cell) for cell in row] for row in rows[1:6]],
        },
    )


def _masked(cell: str) -> str:
    """The preview never shows a full ID number or mobile number, even to the uploader."""
    text = cell.strip()
    if len(text) == 18 and text[:17].isdigit():
        return mask_id_number(text)
    if len(text) == 11 and text.isdigit():
        return mask_phone(text)
    return cell
