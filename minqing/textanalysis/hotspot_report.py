"""What a hot spot says: the sentence for the analysis meeting's agenda, and the CLI's report
of a message file (no database). The daily refresh that stores hot spots is in
minqing.textanalysis.services.hotspots.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from minqing.org.models import Level
from minqing.textanalysis.hotspots import HotCluster, find_hotspots

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
