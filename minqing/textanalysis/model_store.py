"""Trained models on disk: one file per version under MINQING_MODEL_DIR, checked by SHA-256
when loaded, and kept in memory per process until the county activates another version.

Files rather than database blobs: a model is written once by the worker and read by every
web process; keeping old versions on disk is what makes rollback instant.
"""

from __future__ import annotations

import hashlib
import io
import threading
from pathlib import Path
from typing import Any

import joblib
from django.conf import settings

from minqing.textanalysis.models import ModelStatus, TextModel

# (TextModel pk, file checksum) → loaded object: a version's file never changes, and the
# checksum keeps a reused primary key (a test database flushed between tests) from ever
# answering with another model.
_cache: dict[tuple[int, str], Any] = {}
CACHE_SIZE = 12  # three kinds for a few counties; a model is a few MB
_lock = threading.Lock()


def model_dir() -> Path:
    path = Path(settings.MINQING_MODEL_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def save(row: TextModel, obj: object) -> None:
    """Write the object for this version; sets file_name and sha256 (not saved)."""
    buffer = io.BytesIO()
    joblib.dump(obj, buffer, compress=3)
    data = buffer.getvalue()
    name = f"{row.county.code}-{row.kind}-v{row.version}.joblib"
    target = model_dir() / name
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)  # readers never see half a file
    row.file_name = name
    row.sha256 = hashlib.sha256(data).hexdigest()


class ModelFileError(RuntimeError):
    pass


def load(row: TextModel) -> Any:
    key = (row.pk, row.sha256)
    with _lock:
        if key in _cache:
            return _cache[key]
    data = (model_dir() / row.file_name).read_bytes()
    if hashlib.sha256(data).hexdigest() != row.sha256:
        # A file that is not the one the worker wrote is never unpickled.
        raise ModelFileError(f"{row.file_name}: checksum mismatch")
    obj = joblib.load(io.BytesIO(data))
    with _lock:
        _cache[key] = obj
        while len(_cache) > CACHE_SIZE:  # versions switched away from are dropped, oldest first
            del _cache[next(iter(_cache))]
    return obj


def active_model(county_id: int, kind: str) -> tuple[TextModel, Any] | None:
    """The county's active version of `kind` and its loaded object, or None (no model yet,
    or its file is missing: suggestions then simply do not show)."""
    row = (
        TextModel.objects.filter(
            county_id=county_id, kind=kind, active=True, status=ModelStatus.READY
        )
        .only("pk", "file_name", "sha256", "version", "kind", "county_id")
        .first()
    )
    if row is None:
        return None
    try:
        return row, load(row)
    except (OSError, ModelFileError):
        return None
