"""Writes of hot spots: the daily refresh of a county's clusters (upsert by identity,
alert once, cool down) and marking a hot spot 已研判. The clustering itself is the pure
`hotspots.find_hotspots`; this module feeds it the county's matters and stores the result.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from minqing.audit.services import record_change, snapshot
from minqing.cases.models import Case, Nature
from minqing.cases.workflow import Status
from minqing.notify.services import notify_staff
from minqing.org.models import PATH_WIDTH, Level, Node, User
from minqing.org.roles import Role
from minqing.org.scoping import under
from minqing.textanalysis.hotspots import HotCluster, Record, find_hotspots, place_stripper
from minqing.textanalysis.models import HotSpot, HotSpotStatus
from minqing.textanalysis.rules import insight_rules_for
from minqing.textanalysis.segment import segmenter_from

_WIDTHS = (PATH_WIDTH[Level.COUNTY], PATH_WIDTH[Level.TOWNSHIP], PATH_WIDTH[Level.VILLAGE],
           PATH_WIDTH[Level.GROUP])  # fmt: skip

# Where a hot spot at each level is to be studied (seed 002: 村周例会, 乡镇半月分析会).
_MEETING = {
    Level.VILLAGE: gettext_noop("在村(社区)周例会上研究，并报乡镇(街道)半月民情分析会"),
    Level.TOWNSHIP: gettext_noop("提交乡镇(街道)半月民情分析会研究"),
    Level.COUNTY: gettext_noop("提交县级民情分析会研究"),
}


def agenda_text(
    cluster: HotCluster, *, place_name: str, level: str, window_days: int, recent: bool = True
) -> str:
    """One sentence for the next analysis meeting's agenda. `recent`: the window ends today
    ("近14天"); otherwise its dates are named (an old window of a message file)."""
    when = (
        _("近%(d)d天") % {"d": window_days}
        if recent
        else _("%(start)s至%(end)s")
        % {"start": cluster.window_start.isoformat(), "end": cluster.window_end.isoformat()}
    )
    parts = [
        _("%(place)s%(when)s有%(h)d户群众反映“%(topic)s”问题(共%(n)d件)")
        % {
            "place": place_name,
            "when": when,
            "h": cluster.households,
            "topic": cluster.topic,
            "n": cluster.count,
        }
    ]
    if cluster.support:
        parts.append(_("，另有%(s)d人次附议") % {"s": cluster.support})
    if level == Level.TOWNSHIP and cluster.places > 1:
        parts.append(_("，涉及%(p)d个村(社区)") % {"p": cluster.places})
    elif level == Level.COUNTY and cluster.places > 1:
        parts.append(_("，涉及%(p)d个乡镇(街道)") % {"p": cluster.places})
    if not cluster.previous_known:
        pass  # a message file that starts inside the previous window: no comparison
    elif cluster.previous_count == 0:
        parts.append(_("，前%(d)d天没有同类反映") % {"d": window_days})
    elif cluster.count > cluster.previous_count:
        parts.append(
            _("，较前%(d)d天(%(p)d件)增长%(pct)d%%")
            % {"d": window_days, "p": cluster.previous_count, "pct": round(100 * cluster.growth)}
        )
    elif cluster.count < cluster.previous_count:
        parts.append(
            _("，较前%(d)d天(%(p)d件)减少%(pct)d%%")
            % {"d": window_days, "p": cluster.previous_count, "pct": round(-100 * cluster.growth)}
        )
    else:
        parts.append(_("，与前%(d)d天持平") % {"d": window_days})
    meeting = _(_MEETING.get(level, _MEETING[Level.COUNTY]))
    parts.append(
        _("。建议%(meeting)s：查明原因，明确责任单位和办理时限，并向反映群众反馈。")
        % {"meeting": meeting}
    )
    return "".join(parts)


# ------------------------------------------------------------------------ the county's data


def county_records(county: Node, *, start: dt.date, end: dt.date) -> list[Record]:
    """The county's matters reported from `start` to `end` (local dates, inclusive), merged
    ones excepted (a merged matter's reporter counts as support, 附议, of the one it joined)
    and praise too (a run of thanks is not a problem to study).

    A matter's household is its linked household (the lowest id if several), else its
    reporter's phone or name and address; an anonymous matter is its own household."""
    tz = timezone.get_current_timezone()
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    matters = (
        Case.objects.filter(county=county, reported_at__gte=start_at, reported_at__lt=end_at)
        .exclude(status=Status.MERGED)
        .exclude(nature=Nature.PRAISE)
    )
    households: dict[int, int] = {}
    through = Case.households.through
    for case_id, household_id in through.objects.filter(
        case__county=county, case__reported_at__gte=start_at, case__reported_at__lt=end_at
    ).values_list("case_id", "household_id"):
        if case_id not in households or household_id < households[case_id]:
            households[case_id] = household_id
    support = dict(
        Case.objects.filter(
            status=Status.MERGED,
            parent__county=county,
            parent__reported_at__gte=start_at,
            parent__reported_at__lt=end_at,
        )
        .values("parent_id")
        .annotate(n=Count("id"))
        .values_list("parent_id", "n")
    )
    strip = place_stripper(Node.objects.filter(under(county)).values_list("name", flat=True))
    out: list[Record] = []
    rows = matters.order_by("reported_at", "id").values_list(
        "id", "reported_at", "title", "description", "original_text", "node__path",
        "reporter_name", "reporter_address", "reporter_phone", "anonymous",
    )  # fmt: skip
    for pk, at, title, description, original, path, name, address, phone, anon in rows.iterator(
        chunk_size=5000
    ):
        text = description or original
        if name and len(name) > 1:
            # A reporter who names himself must not become a hot spot's "topic" (the topic
            # goes into agendas and alerts); keyword trends drop the name the same way.
            title, text = title.replace(name, ""), text.replace(name, "")
        if strip is not None:
            title, text = strip(title), strip(text)
        if pk in households:
            household = f"h{households[pk]}"
        elif anon:
            household = ""
        else:
            household = f"p{phone}" if phone else (f"r{name}|{address}" if name else "")
        out.append(
            Record(
                id=pk,
                day=timezone.localtime(at, tz).date(),
                title=title,
                text=text,
                place=tuple(path[:w] for w in _WIDTHS if len(path) >= w),
                household=household,
                support=support.get(pk, 0),
            )
        )
    return out


# ------------------------------------------------------------------------------- refresh


def _recipients(node: Node) -> list[User]:
    """Who supervises a hot spot's place: the township for a village, the county otherwise."""
    if node.level == Level.VILLAGE:
        return list(
            User.objects.filter(
                node_id=node.parent_id,
                role__in=[Role.TOWNSHIP_LEADER, Role.TOWNSHIP_STAFF],
                is_active=True,
            ).order_by("pk")
        )
    county_path = node.path[: PATH_WIDTH[Level.COUNTY]]
    return list(
        User.objects.filter(
            node__path=county_path,
            node__level=Level.COUNTY,
            role=Role.COUNTY_SUPERVISOR,
            is_active=True,
        ).order_by("pk")
    )


def _alert(spot: HotSpot) -> int:
    users = _recipients(spot.node)
    rows = notify_staff(
        users=users,
        dedupe_key=f"hotspot:{spot.pk}:alert",
        subject=_("热点预警：%(place)s %(topic)s") % {"place": spot.node.name, "topic": spot.topic},
        body=spot.agenda,
        url=reverse("insight:hot_detail", args=[spot.pk]),
        related=spot,
    )
    return len(rows)


_FIELDS = (
    "topic", "keywords", "window_start", "window_end", "case_count", "household_count",
    "place_count", "previous_count", "growth", "support", "heat", "heat_parts", "series",
    "agenda", "peak_heat", "active", "last_seen", "status",
)  # fmt: skip


def _values(cluster: HotCluster, agenda: str) -> dict[str, Any]:
    return {
        "topic": cluster.topic[:120],
        "keywords": cluster.keywords,
        "window_start": cluster.window_start,
        "window_end": cluster.window_end,
        "case_count": cluster.count,
        "household_count": cluster.households,
        "place_count": cluster.places,
        "previous_count": cluster.previous_count,
        "growth": cluster.growth,
        "support": cluster.support,
        "heat": cluster.heat,
        "heat_parts": cluster.parts,
        "series": [[d.isoformat(), n] for d, n in cluster.series],
        "agenda": agenda,
    }


def _match(
    cluster: HotCluster,
    node: Node,
    candidates: Sequence[HotSpot],
    members: dict[int, set[int]],
    taken: set[int],
) -> HotSpot | None:
    """The row this cluster continues: same place, most matters in common; else the row of
    the same place and keywords (same `key`) that was still current."""
    ids = set(cluster.members)
    best, best_overlap = None, 0
    for spot in candidates:
        if spot.pk in taken or spot.node_id != node.pk:
            continue
        overlap = len(ids & members.get(spot.pk, set()))
        if overlap > best_overlap:
            best, best_overlap = spot, overlap
    if best is not None:
        return best
    for spot in candidates:
        if spot.pk not in taken and spot.key == cluster.signature and spot.node_id == node.pk:
            return spot
    return None


def hotspots_refresh(
    *, county: Node, today: dt.date | None = None, window_days: int | None = None
) -> dict[str, int]:
    """Recompute the county's hot spots as of `today` (default: the local date).

    Idempotent per day: a second run over the same matters writes nothing and alerts no
    one; a cluster keeps its row (and first_seen) while it continues; a row whose heat
    crosses the county's alert threshold becomes 预警 and its supervisors are told once
    (alerted_at); a row that drops below it goes back to 关注, and one no longer found is
    kept as inactive history. 已研判 rows keep their status."""
    rules = insight_rules_for(county)
    # The admin enforces these minimums; a row saved around it must not empty the page.
    days = max(1, window_days or rules.hotspot_window_days)
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=2 * days - 1)
    records = county_records(county, start=start, end=today)
    segmenter = segmenter_from(rules, county_stop_words=False)
    clusters = find_hotspots(
        records,
        window_days=days,
        min_cases=max(2, rules.hotspot_min_cases),
        as_of=today,
        stop_words=rules.stop_word_list(),
        tokenize=segmenter.tokens,
    )
    nodes = {
        n.path: n
        for n in Node.objects.filter(
            under(county), level__in=[Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]
        )
    }
    result = {"matters": len(records), "clusters": len(clusters), "created": 0, "updated": 0,
              "cooled": 0, "alerted": 0, "notified": 0}  # fmt: skip
    with transaction.atomic():
        # One refresh of a county at a time (a doubled scheduler tick waits, then finds
        # nothing to change).
        Node.objects.select_for_update().filter(pk=county.pk).first()
        recent = list(
            HotSpot.objects.select_for_update(of=("self",))
            .filter(county=county)
            .filter(last_seen__gte=start)
            .select_related("node")
        )
        members: dict[int, set[int]] = defaultdict(set)
        for spot_id, case_id in HotSpot.cases.through.objects.filter(
            hotspot__in=recent
        ).values_list("hotspot_id", "case_id"):
            members[spot_id].add(case_id)
        seen: set[int] = set()
        now = timezone.now()
        for cluster in clusters:
            node = nodes.get(cluster.place[-1]) if cluster.place else county
            if node is None:
                continue
            agenda = agenda_text(cluster, place_name=node.name, level=node.level, window_days=days)
            spot = _match(cluster, node, recent, members, seen)
            values = _values(cluster, agenda)
            created = spot is None
            if spot is None:
                spot = _create(county, node, cluster, values, today, now)
                result["created"] += 1
            old_members = members.get(spot.pk, set())
            seen.add(spot.pk)
            values["peak_heat"] = max(spot.peak_heat, cluster.heat)
            values["active"] = True
            values["last_seen"] = today
            values["status"] = _status(spot.status, cluster.heat, rules.hotspot_alert_heat)
            changed = [f for f in _FIELDS if getattr(spot, f) != values[f]]
            if changed:
                for f in changed:
                    setattr(spot, f, values[f])
                spot.computed_at = now
                spot.save(update_fields=[*changed, "computed_at"])
                result["updated"] += 0 if created else 1
            if set(cluster.members) != old_members:
                spot.cases.set(cluster.members)
            if spot.status == HotSpotStatus.ALERT and spot.alerted_at is None:
                spot.alerted_at = now
                spot.save(update_fields=["alerted_at"])
                result["alerted"] += 1
                result["notified"] += _alert(spot)
        for spot in HotSpot.objects.select_for_update().filter(county=county, active=True):
            if spot.pk in seen:
                continue
            spot.active = False
            fields = ["active"]
            if spot.status == HotSpotStatus.ALERT:
                spot.status = HotSpotStatus.WATCH
                fields.append("status")
            spot.save(update_fields=fields)
            result["cooled"] += 1
    return result


def _status(current: str, heat: float, threshold: float) -> str:
    if current == HotSpotStatus.HANDLED:
        return current
    return HotSpotStatus.ALERT if heat >= threshold else HotSpotStatus.WATCH


def _create(
    county: Node,
    node: Node,
    cluster: HotCluster,
    values: dict[str, Any],
    today: dt.date,
    now: dt.datetime,
) -> HotSpot:
    key, n = cluster.signature, 1
    while HotSpot.objects.filter(county=county, key=key).exists():
        # The same topic in the same place came back after cooling down: a new episode,
        # with its own first_seen and its own alert.
        key = f"{cluster.signature}-{today:%Y%m%d}" + (f"-{n}" if n > 1 else "")
        n += 1
    return HotSpot.objects.create(
        county=county, key=key, node=node, first_seen=now, computed_at=now, last_seen=today,
        **values,
    )  # fmt: skip


def hotspots_refresh_all(*, today: dt.date | None = None) -> dict[str, int]:
    """Every county's hot spots (the daily job)."""
    totals: dict[str, int] = defaultdict(int)
    for county in Node.objects.filter(level=Level.COUNTY).order_by("code"):
        for k, v in hotspots_refresh(county=county, today=today).items():
            totals[k] += v
        totals["counties"] += 1
    return dict(totals)


# ------------------------------------------------------------------------------ handled


@transaction.atomic
def hotspot_mark_handled(*, hot_spot: HotSpot, actor: User, note: str = "") -> HotSpot:
    """已研判: the hot spot was studied (at the analysis meeting); audited."""
    spot = HotSpot.objects.select_for_update().get(pk=hot_spot.pk)
    if spot.status == HotSpotStatus.HANDLED:
        return spot
    before = snapshot(spot)
    spot.status = HotSpotStatus.HANDLED
    spot.handled_at = timezone.now()
    spot.handled_by = actor
    spot.handled_note = note.strip()[:2000]
    spot.save(update_fields=["status", "handled_at", "handled_by", "handled_note"])
    record_change(actor=actor, obj=spot, before=before, note=_("热点已研判"))
    return spot


# ------------------------------------------------------------------- message files (CLI)

# A message file's place column names its own levels from the top ("城关镇/东风村").
_FILE_LEVELS = {0: Level.COUNTY, 1: Level.TOWNSHIP}


def file_hotspots(
    path: str, *, top: int = 10, window_days: int = 14, min_cases: int = 3
) -> dict[str, Any]:
    """The top hot issues of a message file, every window of it (no database)."""
    import time

    from minqing.textanalysis.hotspots import file_windows, read_message_records

    started = time.perf_counter()
    records, skipped = read_message_records(path)
    first = min(r.day for r in records)
    last = max(r.day for r in records)
    windows = file_windows(records, window_days)
    clusters = find_hotspots(
        records, window_days=window_days, min_cases=min_cases, as_of=last, windows=windows,
        known_from=first,
    )  # fmt: skip
    titles = {r.id: r.title for r in records}
    # One entry per topic and place, at its hottest window; the others are counted.
    best: dict[tuple[int, tuple[str, ...]], HotCluster] = {}
    windows_hot: dict[tuple[int, tuple[str, ...]], int] = defaultdict(int)
    for c in clusters:
        best.setdefault((c.topic_id, c.place), c)
        windows_hot[(c.topic_id, c.place)] += 1
    spots = []
    for rank, c in enumerate(list(best.values())[:top], start=1):
        place_name = c.place[-1].rsplit("/", 1)[-1] if c.place else ""
        level = _FILE_LEVELS.get(len(c.place), Level.VILLAGE)
        spots.append({
            "rank": rank, "topic": c.topic, "keywords": c.keywords, "place": place_name,
            "window_start": c.window_start.isoformat(), "window_end": c.window_end.isoformat(),
            "count": c.count, "households": c.households, "places": c.places,
            "previous_count": c.previous_count if c.previous_known else None,
            "growth": c.growth if c.previous_known else None, "support": c.support,
            "heat": c.heat, "heat_parts": c.parts,
            "agenda": agenda_text(c, place_name=place_name, level=level,
                                  window_days=window_days, recent=c.window_end == last),
            "windows_hot": windows_hot[(c.topic_id, c.place)],
            "ids": [str(m) for m in c.members], "titles": [titles[m] for m in c.members[:3]],
        })  # fmt: skip
    return {
        "input": str(path),
        "messages": len(records),
        "skipped": skipped,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "window_days": window_days,
        "windows": windows,
        "min_cases": min_cases,
        "hot_spots_found": len(clusters),
        "hot_topics": len(best),
        "seconds": round(time.perf_counter() - started, 2),
        "hot_spots": spots,
    }


def format_file_hotspots(result: dict[str, Any]) -> str:
    """The CLI's table: one block per hot issue, hottest first."""
    lines = [
        _("%(path)s：%(n)d 条留言(跳过 %(skipped)d 条)，%(start)s 至 %(end)s，按 %(d)d 天窗口"
          "分为 %(w)d 段，发现 %(found)d 个热点(%(topics)d 个主题)，用时 %(s).1f 秒。"
          "每个主题列出最热的一段。")
        % {"path": result["input"], "n": result["messages"], "skipped": result["skipped"],
           "start": result["from"], "end": result["to"], "d": result["window_days"],
           "w": result["windows"], "found": result["hot_spots_found"],
           "topics": result["hot_topics"], "s": result["seconds"]},
        "",
    ]  # fmt: skip
    for spot in result["hot_spots"]:
        growth = (
            "—" if spot["previous_count"] is None else f"{spot['previous_count']}→{spot['count']}"
        )
        place = f" @{spot['place']}" if spot["place"] else ""
        lines.append(
            f"{spot['rank']:>2}. [{spot['heat']:.1f}] {spot['topic']}{place}  "
            f"{spot['window_start']}~{spot['window_end']}  "
            + _("%(n)d件 %(h)d户 前期→本期 %(g)s 附议 %(s)d")
            % {"n": spot["count"], "h": spot["households"], "g": growth, "s": spot["support"]}
        )
        if spot["windows_hot"] > 1:
            lines.append("    " + _("另有 %(k)d 段窗口也是热点") % {"k": spot["windows_hot"] - 1})
        lines.append("    " + _("关键词：") + "、".join(spot["keywords"]))
        for title in spot["titles"]:
            lines.append(f"    · {title}")
        lines.append("    " + _("议题：") + spot["agenda"])
        lines.append("")
    return "\n".join(lines)
