"""Storing a case's attachments once minqing.cases.attachments has checked them.

Callers that store several files prepare them all first (`attachment_prepare`), so a
refused one leaves no row and no file."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from minqing.audit.services import record_change
from minqing.cases.attachments import PreparedFile, attachment_prepare
from minqing.cases.models import Case, CaseAttachment
from minqing.org.models import User


@transaction.atomic
def attachment_store(*, case: Case, prepared: PreparedFile, actor: User | None) -> CaseAttachment:
    attachment = CaseAttachment(
        case=case,
        original_name=prepared.name,
        size=len(prepared.data),
        sha256=prepared.sha256,
        uploaded_by=actor,
    )
    attachment.file.save(
        f"{prepared.sha256[:16]}{prepared.ext}", ContentFile(prepared.data), save=False
    )
    attachment.save()
    record_change(actor=actor, obj=attachment, before=None)
    return attachment


def attachment_add(*, case: Case, upload: UploadedFile, actor: User | None) -> CaseAttachment:
    return attachment_store(case=case, prepared=attachment_prepare(upload=upload), actor=actor)
