"""Reads of the sentiment diary (民情日记): who may see which entries, weekly quota progress
and who is behind, and the entries of a compiled volume.

A diary is personal: a cadre sees only their own entries. Reviewers (审阅, Cap.REVIEW_FIELDWORK)
also see every entry placed in their subtree. Quota figures are aggregate queries (one per
page), counted by the entry's date, Monday to Sunday.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from minqing.fieldwork.models import DiaryEntry
from minqing.fieldwork.rules import fieldwork_rules_for
from minqing.org.models import Level, Node, User
from minqing.org.roles import CAPABILITIES, Cap, has_cap
from minqing.org.scoping import under, user_scope_path, within

# Roles that keep a diary (the quota applies to them).
DIARY_ROLES: tuple[str, ...] = tuple(
    role for role, caps in CAPABILITIES.items() if Cap.FIELDWORK in caps
)


def visible_entries(user: User) -> QuerySet[DiaryEntry]:
    """Own entries; for reviewers also every entry placed in their subtree."""
    if has_cap(user, Cap.REVIEW_FIELDWORK):
        path = user_scope_path(user)
        if path is None:
            return DiaryEntry.objects.none()
        return DiaryEntry.objects.filter(Q(author=user) | under(path, "node__path"))
    if has_cap(user, Cap.FIELDWORK):
        return DiaryEntry.objects.filter(author=user)
    return DiaryEntry.objects.none()


def reviewable_entries(user: User) -> QuerySet[DiaryEntry]:
    """Others' entries a reviewer may review: in their subtree, never their own."""
    if not has_cap(user, Cap.REVIEW_FIELDWORK):
        return DiaryEntry.objects.none()
    return DiaryEntry.objects.for_user(user).exclude(author=user)


def can_edit(user: User, entry: DiaryEntry) -> bool:
    return entry.author_id == user.pk and entry.reviewed_at is None


def can_review(user: User, entry: DiaryEntry) -> bool:
    path = user_scope_path(user)
    return (
        has_cap(user, Cap.REVIEW_FIELDWORK)
        and path is not None
        and entry.author_id != user.pk
        and within(entry.node, path)
    )


def can_follow_up(user: User, entry: DiaryEntry) -> bool:
    """The author or a reviewer appends follow-ups until the result is recorded."""
    return entry.result_at is None and (entry.author_id == user.pk or can_review(user, entry))


def can_raise_case(user: User, entry: DiaryEntry) -> bool:
    return entry.case_id is None and entry.author_id == user.pk and has_cap(user, Cap.REGISTER_CASE)


_WEEK = dt.timedelta(days=7)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def diary_quota(user: User) -> int:
    return fieldwork_rules_for(user.node).diary_per_week if user.node else 1


@dataclass(frozen=True)
class WeekCount:
    start: dt.date
    count: int
    quota: int

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)

    @property
    def met(self) -> bool:
        return self.count >= self.quota


def weekly_progress(user: User, *, weeks: int = 8, today: dt.date | None = None) -> list[WeekCount]:
    """The user's own entries per week, this week first, `weeks` weeks in all."""
    this_monday = week_start(today or timezone.localdate())
    first = this_monday - dt.timedelta(weeks=weeks - 1)
    rows = (
        DiaryEntry.objects.filter(author=user, date__gte=first, date__lt=this_monday + _WEEK)
        .annotate(week=TruncWeek("date"))
        .values("week")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {_as_date(row["week"]): row["n"] for row in rows}
    quota = diary_quota(user)
    return [
        WeekCount(start=monday, count=counts.get(monday, 0), quota=quota)
        for monday in (this_monday - dt.timedelta(weeks=i) for i in range(weeks))
    ]


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    # TruncWeek of a DateField is a date on PostgreSQL and SQLite; be lenient anyway.
    return value.date() if isinstance(value, dt.datetime) else value


@dataclass(frozen=True)
class CadreProgress:
    cadre: User
    this_week: int
    last_week: int
    quota: int

    @property
    def behind(self) -> bool:
        return self.this_week < self.quota

    @property
    def missing(self) -> int:
        return max(self.quota - self.this_week, 0)

    @property
    def missed_last_week(self) -> bool:
        return self.last_week < self.quota


def diary_keepers(reviewer: User) -> QuerySet[User]:
    """Active staff in the reviewer's subtree whose role keeps a diary."""
    path = user_scope_path(reviewer)
    if path is None or not has_cap(reviewer, Cap.REVIEW_FIELDWORK):
        return User.objects.none()
    return User.objects.filter(
        under(path, "node__path"), is_active=True, role__in=DIARY_ROLES
    ).select_related("node__parent")


def team_progress(reviewer: User, *, today: dt.date | None = None) -> list[CadreProgress]:
    """Every diary keeper in scope with this week's and last week's counts (one query),
    those behind this week first."""
    monday = week_start(today or timezone.localdate())
    last_monday = monday - _WEEK
    cadres = diary_keepers(reviewer).annotate(
        this_week=Count("diary", filter=Q(diary__date__gte=monday, diary__date__lt=monday + _WEEK)),
        last_week=Count("diary", filter=Q(diary__date__gte=last_monday, diary__date__lt=monday)),
    )
    quota = diary_quota(reviewer)
    rows = [
        CadreProgress(cadre=c, this_week=c.this_week, last_week=c.last_week, quota=quota)
        for c in cadres.order_by("node__code", "name", "username")
    ]
    return sorted(rows, key=lambda p: not p.behind)  # stable: tree order within each part


def pending_review(reviewer: User) -> QuerySet[DiaryEntry]:
    return reviewable_entries(reviewer).filter(reviewed_at__isnull=True)


def place_label(node: Node) -> str:
    """`城关镇 东风村 一组` (the county is implied); needs node__parent__parent selected."""
    names: list[str] = []
    current: Node | None = node
    while current is not None and current.level != Level.COUNTY:
        names.append(current.name)
        current = current.parent
    return " ".join(reversed(names)) or node.name


def with_details(entries: QuerySet[DiaryEntry]) -> QuerySet[DiaryEntry]:
    return entries.select_related(
        "author", "node__parent__parent", "reviewed_by", "case"
    ).prefetch_related("households", "follow_ups__author")


def volume_entries(
    user: User,
    *,
    start: dt.date,
    end: dt.date,
    author: User | None = None,
    village: Node | None = None,
) -> QuerySet[DiaryEntry]:
    """The entries of a compiled volume, oldest first: one cadre's, or a village's."""
    entries = visible_entries(user).filter(date__gte=start, date__lte=end)
    if author is not None:
        entries = entries.filter(author=author)
    if village is not None:
        entries = entries.filter(under(village, "node__path"))
    return with_details(entries).order_by("date", "id")
