"""Who hears about what on a case. Called by `case_transition` inside its transaction, so
a message is queued exactly when the change commits (the notify outbox guarantees it).

Staff get in-app messages; the resident gets an SMS at the two moments the documents
require them to be told: an extension (with the reason) and the answer.

Recipients are chosen by role here (the holding unit, the registrar); `outbox_queue_staff` then
keeps only those who may open the case (a station's liaison of another group may not).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from minqing.cases.models import Case, CaseEvent
from minqing.cases.workflow import Action
from minqing.notify.models import Channel
from minqing.notify.services import outbox_queue, outbox_queue_staff
from minqing.org.models import User


def _holders(case: Case) -> list[User]:
    """The handler if there is one, else every active member of the holding unit."""
    if case.handler_id and case.handler.is_active:
        return [case.handler]
    if case.unit_id is None:
        return []
    return list(User.objects.filter(unit_id=case.unit_id, is_active=True))


_STAFF_SUBJECTS = {
    Action.ASSIGN: gettext_noop("新交办事项 %(n)s"),
    Action.ESCALATE: gettext_noop("上报事项 %(n)s"),
    Action.REOPEN: gettext_noop("事项 %(n)s 需重新办理"),
    Action.REMIND: gettext_noop("事项 %(n)s 即将到期"),
    Action.OVERDUE: gettext_noop("事项 %(n)s 已逾期"),
    Action.SUPERVISE: gettext_noop("事项 %(n)s 被督办"),
}


def on_event(*, case: Case, event: CaseEvent) -> None:
    action = event.action
    key = f"case:{case.number}:event:{event.pk}"
    url = f"/cases/{case.number}/"
    if action in _STAFF_SUBJECTS:
        recipients = [u for u in _holders(case) if u.pk != event.actor_id]
        if recipients:
            outbox_queue_staff(
                users=recipients,
                dedupe_key=key,
                subject=_(_STAFF_SUBJECTS[action]) % {"n": case.number},
                body=f"{case.title}\n{event.note}".strip(),
                url=url,
                related=("cases.case", case.number),
            )
    if action == Action.RETURN and case.created_by_id and case.created_by_id != event.actor_id:
        outbox_queue_staff(
            users=[case.created_by],
            dedupe_key=key,
            subject=_("事项 %(n)s 被退回") % {"n": case.number},
            body=event.note,
            url=url,
            related=("cases.case", case.number),
        )
    if action in (Action.EXTEND, Action.ANSWER, Action.SOLVE_ON_SPOT):
        _tell_resident(case=case, event=event, key=key)


def _tell_resident(*, case: Case, event: CaseEvent, key: str) -> None:
    if case.anonymous or not case.reporter_phone:
        return
    if event.action == Action.EXTEND:
        deadline = timezone.localtime(case.deadline).strftime("%Y-%m-%d")
        body = _("您反映的事项（登记编号%(n)s）办理期限延至%(d)s。原因及进展：%(why)s") % {
            "n": case.number,
            "d": deadline,
            "why": event.note,
        }
    else:
        body = _("您反映的事项（登记编号%(n)s）已办理：%(answer)s") % {
            "n": case.number,
            "answer": case.answer[:300],
        }
    outbox_queue(
        channel=Channel.SMS,
        dedupe_key=key,
        subject=_("民情事项 %(n)s") % {"n": case.number},
        body=body,
        address=case.reporter_phone,
        related=("cases.case", case.number),
    )
