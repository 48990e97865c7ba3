"""Writes of the urgency and 十必报 word lists: seeding a county's defaults."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.org.models import Level, Node, User
from minqing.textanalysis.models import UrgencyTerm
from minqing.textanalysis.urgency import DEFAULT_URGENCY_TERMS, forget_county


def urgency_terms_ensure_default(*, county: Node, actor: User | None = None) -> int:
    """Create whichever default phrases the county lacks; return how many.

    A phrase the county already has counts as present whatever its settings, so the
    county's edits win and a default it switched off stays off.
    """
    if county.level != Level.COUNTY:
        raise ValueError("urgency terms belong to a county")
    with transaction.atomic():
        have = set(UrgencyTerm.objects.filter(county=county).values_list("phrase", flat=True))
        missing = [t for t in DEFAULT_URGENCY_TERMS if t.phrase not in have]
        UrgencyTerm.objects.bulk_create(
            [
                UrgencyTerm(
                    county=county,
                    phrase=t.phrase,
                    urgency=t.urgency,
                    must_report=t.must_report,
                    reason=t.reason,
                )
                for t in missing
            ]
        )
        if missing:
            record(
                action=Action.BULK_LOAD,
                actor=actor,
                object_type=UrgencyTerm._meta.label_lower,
                object_id=county.code,
                object_repr=_("%(county)s 紧急与十必报词语") % {"county": county.name},
                changes={"defaults": True, "created": len(missing)},
                note=_("%(county)s 按默认词表新增紧急与十必报词语 %(n)d 个。")
                % {"county": county.name, "n": len(missing)},
            )
    forget_county(county.pk)  # bulk_create sends no post_save
    return len(missing)
