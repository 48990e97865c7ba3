"""Writes of hot spots: the daily refresh of a county's clusters (upsert by identity,
alert once, cool down) and marking a hot spot 已研判. The clustering itself is the pure
`hotspots.find_hotspots`; this feeds it the county's matters (`hotspot_selectors.
county_records`) and stores the result.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.audit.services import record_change, snapshot
from minqing.notify.services import outbox_queue_staff
from minqing.org.models import PATH_WIDTH, Level, Node, User
from minqing.org.roles import Role
from minqing.org.scoping import under
from minqing.textanalysis.hotspot_report import agenda_text
from minqing.textanalysis.hotspot_selectors import county_records
from minqing.textanalysis.hotspots import HotCluster, find_hotspots
from minqing.textanalysis.models import HotSpot, HotSpotStatus
from minqing.textanalysis.rules import insight_rules_for
from minqing.textanalysis.segment import segmenter_from


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
    rows = outbox_queue_staff(
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
