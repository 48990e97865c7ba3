"""Writes for the village talk point (百姓说事点) and the deputies' office (两代表工作室).

Seed 004: the talk point opens at least four times a month, every Wednesday by default,
with the village 两委 cadres on a rota; every item residents raise is written in the talk
register (说事登记簿), sorted (集中议事), handled by a named person or taken to a meeting,
and the quarter's last talk day is evaluation day (评事日). Deputies receive residents on
a schedule; what they hear becomes cases the same way. Every write is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.cases.models import Case, Channel, Nature, Rating
from minqing.cases.services import case_register
from minqing.fieldwork.models import (
    DecisionLevel,
    Reception,
    TalkDay,
    TalkItem,
    TalkLevel,
    TalkPace,
)
from minqing.fieldwork.rules import fieldwork_rules_for
from minqing.fieldwork.talk_selectors import (
    quarter_bounds,
    responsible_choices,
    talk_dates,
    village_cadres,
)
from minqing.households.models import Household
from minqing.org.models import Level, Node, User
from minqing.org.roles import Role

QUARTER_END_MONTHS = (3, 6, 9, 12)
RATINGS = tuple(value for value, _label in Rating.choices)


def _require_village(node: Node) -> None:
    if node.level != Level.VILLAGE:
        raise ValidationError(_("说事点设在村(社区)。"))


# --- schedule and rota ---------------------------------------------------------------------


@transaction.atomic
def talk_days_generate(
    *, actor: User, village: Node, year: int, month: int
) -> tuple[list[TalkDay], int]:
    """Create the month's talk days on the county's weekday. Idempotent: returns the days
    created now and how many already existed. New days get on-duty cadres by rotation;
    in a quarter's last month the last scheduled day becomes evaluation day (评事日)."""
    _require_village(village)
    rules = fieldwork_rules_for(village)
    dates = talk_dates(year=year, month=month, weekday=rules.talk_weekday)
    evaluation_date = dates[-1] if month in QUARTER_END_MONTHS else None
    cadres = village_cadres(village)
    # The rotation continues where earlier months left off.
    turn = TalkDay.objects.filter(node=village, date__lt=dates[0]).count()
    created: list[TalkDay] = []
    existing = 0
    for date in dates:
        day = TalkDay.objects.filter(node=village, date=date).first()
        if day is None:
            try:
                with transaction.atomic():
                    day = TalkDay.objects.create(
                        node=village, date=date, evaluation=date == evaluation_date
                    )
            except IntegrityError:  # a second click raced this one
                existing += 1
                continue
            if cadres:
                day.on_duty.set([cadres[turn % len(cadres)]])
            turn += 1
            created.append(day)
            record(
                action=Action.CREATE,
                actor=actor,
                obj=day,
                changes={"date": date.isoformat(), "evaluation": day.evaluation},
            )
            continue
        existing += 1
        turn += 1
        if date == evaluation_date and not day.evaluation:
            day.evaluation = True
            day.save(update_fields=["evaluation"])
            record(action=Action.UPDATE, actor=actor, obj=day, changes={"evaluation": True})
    return created, existing


@transaction.atomic
def talk_day_add(*, actor: User, village: Node, date: dt.date) -> tuple[TalkDay, bool]:
    """An extra opening (遇有特殊情况,根据工作需要开放) on any date; once per date."""
    _require_village(village)
    day = TalkDay.objects.filter(node=village, date=date).first()
    if day is not None:
        return day, False
    try:
        with transaction.atomic():
            day = TalkDay.objects.create(node=village, date=date)
    except IntegrityError:
        return TalkDay.objects.get(node=village, date=date), False
    record(action=Action.CREATE, actor=actor, obj=day, changes={"date": date.isoformat()})
    return day, True


@transaction.atomic
def talk_rota_set(*, actor: User, rota: Mapping[TalkDay, Iterable[User]]) -> int:
    """Set the on-duty cadres of each day; returns how many days changed."""
    changed = 0
    for day, cadres in rota.items():
        allowed = {u.pk for u in responsible_choices(day.node)}
        wanted = {u.pk for u in cadres}
        if wanted - allowed:
            raise ValidationError(_("值班干部须是本村两委干部或挂联干部。"))
        before = set(day.on_duty.values_list("pk", flat=True))
        if before == wanted:
            continue
        day.on_duty.set(sorted(wanted))
        changed += 1
        record(
            action=Action.UPDATE,
            actor=actor,
            obj=day,
            changes={"on_duty": [sorted(before), sorted(wanted)]},
        )
    return changed


@transaction.atomic
def talk_day_note_set(*, actor: User, talk_day: TalkDay, note: str) -> TalkDay:
    note = note.strip()
    if note != talk_day.note:
        before = talk_day.note
        talk_day.note = note
        talk_day.full_clean(exclude=["node"], validate_unique=False)
        talk_day.save(update_fields=["note"])
        record(
            action=Action.UPDATE,
            actor=actor,
            obj=talk_day,
            changes={"note": [before, note]},
        )
    return talk_day


# --- the register --------------------------------------------------------------------------


def talk_item_add(
    *,
    actor: User,
    talk_day: TalkDay,
    text: str,
    speaker: str = "",
    household: Household | None = None,
    idempotency_key: str | None = None,
) -> tuple[TalkItem, bool]:
    """Write one line in the talk register. A retried key returns the first line."""
    if idempotency_key:
        existing = TalkItem.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.talk_day_id != talk_day.pk:
                raise ValidationError(_("提交编号重复，请刷新页面后重新填写。"))
            return existing, False
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("请填写群众所说的事。")})
    if talk_day.date > timezone.localdate():
        raise ValidationError(_("这个说事日还没到，不能登记。"))
    if household is not None and not household.group.path.startswith(talk_day.node.path):
        raise ValidationError({"household": _("所选的户不在本村。")})
    item = TalkItem(
        talk_day=talk_day,
        speaker=speaker.strip(),
        household=household,
        text=text,
        idempotency_key=idempotency_key or None,
    )
    item.full_clean(exclude=["talk_day", "household", "idempotency_key"], validate_unique=False)
    try:
        with transaction.atomic():
            item.save()
            record(
                action=Action.CREATE,
                actor=actor,
                obj=item,
                changes={
                    "talk_day": talk_day.pk,
                    "household": household.code if household else "",
                },
            )
    except IntegrityError:
        if idempotency_key:
            existing = TalkItem.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None and existing.talk_day_id == talk_day.pk:
                return existing, False
        raise
    return item, True


SORT_FIELDS = ("pace", "level", "decision", "responsible", "promise")


@transaction.atomic
def talk_item_sort(
    *,
    actor: User,
    item: TalkItem,
    pace: str,
    level: str,
    decision: str,
    responsible: User | None,
    promise: str = "",
) -> TalkItem:
    """集中议事: immediate or staged, village or higher level, who decides, who handles."""
    if pace and pace not in TalkPace.values:
        raise ValidationError({"pace": _("请选择办理方式。")})
    if level and level not in TalkLevel.values:
        raise ValidationError({"level": _("请选择解决层级。")})
    if decision and decision not in DecisionLevel.values:
        raise ValidationError({"decision": _("请选择决策层级。")})
    village = item.talk_day.node
    if responsible is not None and responsible.pk not in {
        u.pk for u in responsible_choices(village)
    }:
        raise ValidationError({"responsible": _("责任人须是本村两委干部或挂联干部。")})
    promise = promise.strip()
    if pace == TalkPace.STAGED and not promise:
        raise ValidationError({"promise": _("分步办理的事项须作出承诺并写明期限。")})
    item = TalkItem.objects.select_for_update().get(pk=item.pk)
    before = {f: _plain(getattr(item, f)) for f in SORT_FIELDS}
    item.pace, item.level, item.decision = pace, level, decision
    item.responsible, item.promise = responsible, promise
    after = {f: _plain(getattr(item, f)) for f in SORT_FIELDS}
    changes = {f: [before[f], after[f]] for f in SORT_FIELDS if before[f] != after[f]}
    if changes:
        item.full_clean(
            exclude=["talk_day", "household", "responsible", "case", "idempotency_key"],
            validate_unique=False,
        )
        item.save(update_fields=["pace", "level", "decision", "responsible", "promise"])
        record(action=Action.UPDATE, actor=actor, obj=item, changes=changes)
    return item


def _plain(value: Any) -> Any:
    return value.pk if isinstance(value, User) else value


def talk_item_to_case(*, actor: User, item: TalkItem) -> tuple[Case, bool]:
    """Register the item as a case (channel 百姓说事点), once: a second click, or a retry
    after a lost connection, returns the same case."""
    with transaction.atomic():
        item = (
            TalkItem.objects.select_for_update(of=("self",))
            .select_related("talk_day__node", "household__group", "case")
            .get(pk=item.pk)
        )
        if item.case is not None:
            return item.case, False
        household = item.household
        name = item.speaker or (household.head_name if household else "")
        case, created = case_register(
            actor=actor,
            node=household.group if household else item.talk_day.node,
            channel=Channel.TALK_DAY,
            original_text=item.text,
            nature=Nature.HELP,
            reporter_name=name,
            reporter_address=household.address if household else "",
            anonymous=not name,
            reported_at=item.created_at,
            proposal=item.promise,
            households=[household] if household else [],
            idempotency_key=f"talk:{item.pk}",
        )
        item.case = case
        item.save(update_fields=["case"])
        record(action=Action.UPDATE, actor=actor, obj=item, changes={"case": case.number})
    return case, created


@transaction.atomic
def talk_item_to_meeting(*, actor: User, item: TalkItem) -> bool:
    """提交会议议事: put the item on the village's list of pending meeting items."""
    item = TalkItem.objects.select_for_update().get(pk=item.pk)
    if item.meeting_item:
        return False
    item.meeting_item = True
    item.save(update_fields=["meeting_item"])
    record(action=Action.UPDATE, actor=actor, obj=item, changes={"meeting_item": [False, True]})
    return True


@transaction.atomic
def talk_items_rate(
    *,
    actor: User,
    evaluation_day: TalkDay,
    ratings: Mapping[int, tuple[str, str]],
) -> int:
    """定期评事: record what Party members and villager representatives said of each of the
    quarter's items (满意 / 基本满意 / 不满意, with a note). Returns how many changed."""
    if not evaluation_day.evaluation:
        raise ValidationError(_("只有评事日才能评议。"))
    start, end = quarter_bounds(evaluation_day.date)
    items = {
        item.pk: item
        for item in TalkItem.objects.select_for_update().filter(
            pk__in=list(ratings),
            talk_day__node=evaluation_day.node,
            talk_day__date__range=(start, end),
        )
    }
    if len(items) != len(ratings):
        raise ValidationError(_("只能评议本村本季度的说事事项。"))
    changed = 0
    for pk, (rating, note) in ratings.items():
        if rating and rating not in RATINGS:
            raise ValidationError(_("评事结果只能是满意、基本满意或不满意。"))
        note = note.strip()
        if note and not rating:
            raise ValidationError(_("填写评事意见时请同时选择评事结果。"))
        item = items[pk]
        if (item.rating, item.rating_note) == (rating, note):
            continue
        changes = {
            "rating": [item.rating, rating],
            "rating_note": [item.rating_note, note],
            "evaluation_day": evaluation_day.date.isoformat(),
        }
        item.rating, item.rating_note = rating, note
        item.full_clean(
            exclude=["talk_day", "household", "responsible", "case", "idempotency_key"],
            validate_unique=False,
        )
        item.save(update_fields=["rating", "rating_note"])
        record(action=Action.UPDATE, actor=actor, obj=item, changes=changes)
        changed += 1
    return changed


# --- deputies' office ----------------------------------------------------------------------


def reception_record(
    *,
    actor: User,
    date: dt.date,
    record_text: str,
    collective: bool = False,
    visitors: int = 0,
    idempotency_key: str | None = None,
) -> tuple[Reception, bool]:
    """A deputy records a reception at their office (the node they sit at)."""
    if idempotency_key:
        existing = Reception.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.deputy_id != actor.pk:
                raise ValidationError(_("提交编号重复，请刷新页面后重新填写。"))
            return existing, False
    if actor.role != Role.DEPUTY or actor.node is None:
        raise ValidationError(_("只有两代表可以登记接待。"))
    if date > timezone.localdate():
        raise ValidationError({"date": _("接待日期不能晚于今天。")})
    reception = Reception(
        deputy=actor,
        node=actor.node,
        date=date,
        collective=collective,
        visitors=visitors,
        record=record_text.strip(),
        idempotency_key=idempotency_key or None,
    )
    reception.full_clean(exclude=["deputy", "node", "idempotency_key"], validate_unique=False)
    try:
        with transaction.atomic():
            reception.save()
            record(
                action=Action.CREATE,
                actor=actor,
                obj=reception,
                changes={
                    "date": date.isoformat(),
                    "collective": collective,
                    "visitors": visitors,
                },
            )
    except IntegrityError:
        if idempotency_key:
            existing = Reception.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None and existing.deputy_id == actor.pk:
                return existing, False
        raise
    return reception, True


def reception_to_case(
    *,
    actor: User,
    reception: Reception,
    n: int,
    text: str,
    reporter_name: str = "",
    anonymous: bool = False,
    nature: str = Nature.HELP,
) -> tuple[Case, bool]:
    """The reception's n-th matter becomes a case (channel 两代表工作室). The form carries
    `n`, so a double click or a retry registers the same case once."""
    with transaction.atomic():
        reception = (
            Reception.objects.select_for_update(of=("self",))
            .select_related("node")
            .get(pk=reception.pk)
        )
        if n < 1 or n > reception.cases.count() + 1:
            raise ValidationError(_("页面已过期，请刷新后重新提交。"))
        case, created = case_register(
            actor=actor,
            node=reception.node,
            channel=Channel.DEPUTIES,
            original_text=text,
            nature=nature,
            reporter_name=reporter_name,
            anonymous=anonymous,
            idempotency_key=f"reception:{reception.pk}:{n}",
        )
        reception.cases.add(case)  # a no-op when the retry finds it linked
        if created:
            record(
                action=Action.UPDATE,
                actor=actor,
                obj=reception,
                changes={"cases": case.number},
            )
    return case, created
