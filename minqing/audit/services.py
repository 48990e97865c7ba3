"""Writing to the audit log. Services call `record_change`; auth signals call `record`."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest

from minqing.audit.models import Action, AuditEvent
from minqing.lib.clientip import client_ip
from minqing.lib.masking import birth_year, mask_id_number, mask_phone


def _plain(value: Any) -> Any:
    """Make a field value JSON-safe for the `changes` column."""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, FieldFile):
        return value.name
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


# Residents' secrets reach the log masked: the log is read by roles (the county
# supervisor) that may not reveal them, and a logged value would be an unlogged reveal.
SECRET_FIELDS: dict[str, Callable[[Any], str]] = {
    "id_number": lambda v: mask_id_number(v or ""),
    "phone": lambda v: mask_phone(v or ""),
    "reporter_phone": lambda v: mask_phone(v or ""),
    "birth_date": birth_year,
}


def snapshot(instance: models.Model) -> dict[str, Any]:
    """Field values of an instance, for diffing before and after a change."""
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name == "password":
            continue  # never copy a hash into the log
        value = getattr(instance, field.attname)
        secret = SECRET_FIELDS.get(field.name)
        values[field.attname] = secret(value) if secret else _plain(value)
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }


def record(
    *,
    action: str,
    actor: Any = None,
    request: HttpRequest | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    note: str = "",
    username: str = "",
) -> AuditEvent:
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_username=(actor.get_username() if is_user else username)[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes=changes or {},
        ip=client_ip(request),
        path=(request.get_full_path()[:300] if request is not None else ""),
        note=note,
    )


def record_change(
    *,
    actor: Any,
    obj: models.Model,
    before: dict[str, Any] | None,
    request: HttpRequest | None = None,
    note: str = "",
) -> AuditEvent | None:
    """Log a create (before=None) or an update; an update that changed nothing is not logged."""
    after = snapshot(obj)
    if before is None:
        return record(
            action=Action.CREATE, actor=actor, request=request, obj=obj, changes=after, note=note
        )
    changes = diff(before, after)
    if not changes:
        return None
    return record(
        action=Action.UPDATE, actor=actor, request=request, obj=obj, changes=changes, note=note
    )


def record_delete(*, actor: Any, obj: models.Model, request: HttpRequest | None = None) -> None:
    record(action=Action.DELETE, actor=actor, request=request, obj=obj, changes=snapshot(obj))


def record_denial(
    *, request: HttpRequest, model: type[models.Model], lookup: dict[str, Any]
) -> None:
    record(
        action=Action.DENIED,
        request=request,
        object_type=model._meta.label_lower,
        object_id=",".join(f"{k}={v}" for k, v in lookup.items())[:64],
        note="对象存在但不在该用户的辖区范围内",
    )
