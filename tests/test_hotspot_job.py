"""The daily hot-spot job on the fixture county: clusters become HotSpot rows that keep their
identity from day to day, cross the county's threshold once (alerting the supervising
level once), cool down without losing their history, and re-running a day changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minqing.cases.models import Case
from minqing.cases.services import case_register, case_transition
from minqing.notify.models import Outbox
from minqing.org.models import Node
from minqing.textanalysis.hotspot_tasks import refresh_hotspots_task
from minqing.textanalysis.models import HotSpot, HotSpotStatus, InsightRules
from minqing.textanalysis.services import hotspot_mark_handled, hotspots_refresh
from tests.conftest import County

WELL = [
    "东风村老水井这几天水发浑，全组都靠水井饮水",
    "水井的水有怪味，不敢饮水，请检测水质",
    "水井旁边有人倒垃圾，污水流进水井，饮水不安全",
    "水井的水浑浊发黄，饮水让人担心",
    "用水井的井水饮水，最近井水变黄了",
    "水井年久失修，井口没有盖板，饮水有隐患",
]
OTHER = [
    "孩子今年上小学，户口在外地，想问入学材料",
    "低保申请交上去两个月了，不知道进展",
    "和邻居因为宅基地边界吵了好几次，请帮忙调解",
]
TODAY = dt.date(2025, 6, 30)


def register(node: Node, text: str, days_ago: int, n: int, **kw: object) -> Case:
    at = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(10)) - dt.timedelta(days=days_ago))
    case, _ = case_register(
        actor=None, node=node, channel="hotline", nature=str(kw.pop("nature", "help")),
        original_text=text, reporter_name=f"村民{n}", reporter_phone=f"1371111{n:04d}",
        reported_at=at, **kw,  # type: ignore[arg-type]
    )  # fmt: skip
    return case


def village_cluster(county: County, count: int = 6) -> list[Case]:
    cases = [
        register([county.g1a, county.g1b][i % 2], WELL[i % len(WELL)], i, i) for i in range(count)
    ]
    for k, text in enumerate(OTHER):
        register(county.g3, text, k, 100 + k)
    return cases


def alerts() -> list[Outbox]:
    return list(Outbox.objects.filter(dedupe_key__startswith="hotspot:"))


def test_a_village_cluster_becomes_a_hot_spot_with_its_matters(county: County) -> None:
    cases = village_cluster(county)
    result = hotspots_refresh(county=county.county, today=TODAY)
    assert result["created"] == 1
    spot = HotSpot.objects.get()
    assert spot.node == county.v1
    assert set(spot.cases.all()) == set(cases)
    assert (spot.case_count, spot.household_count, spot.place_count) == (6, 6, 2)
    assert spot.previous_count == 0
    assert "水井" in spot.keywords
    assert spot.window_end == TODAY
    assert spot.window_start == TODAY - dt.timedelta(days=13)
    assert len(spot.series) == 28
    assert sum(n for _d, n in spot.series) == 6
    assert "东风村近14天有6户群众反映" in spot.agenda
    assert "村(社区)周例会" in spot.agenda
    assert spot.heat == pytest.approx((6 + 0.5) * 2)
    assert spot.status == HotSpotStatus.ALERT
    assert spot.active
    assert spot.last_seen == TODAY


def test_a_village_hot_spot_alerts_the_township_staff_once(county: County) -> None:
    village_cluster(county)
    hotspots_refresh(county=county.county, today=TODAY)
    recipients = {o.recipient_user.username for o in alerts()}
    assert recipients == {"township_staff"}  # not the deputy, not the county, not the village
    spot = HotSpot.objects.get()
    assert spot.alerted_at is not None
    assert alerts()[0].url == f"/insight/hot/{spot.pk}/"


def test_rerunning_the_same_day_changes_nothing_and_alerts_no_one_twice(county: County) -> None:
    village_cluster(county)
    hotspots_refresh(county=county.county, today=TODAY)
    before = HotSpot.objects.values().get()
    again = hotspots_refresh(county=county.county, today=TODAY)
    assert again["created"] == again["updated"] == again["alerted"] == again["cooled"] == 0
    assert HotSpot.objects.values().get() == before
    assert len(alerts()) == 1


def test_a_cluster_keeps_its_row_and_first_seen_from_day_to_day(county: County) -> None:
    village_cluster(county, count=4)
    hotspots_refresh(county=county.county, today=TODAY)
    spot = HotSpot.objects.get()
    register(county.g1b, "水井的水又发浑了，饮水困难", -1, 50)  # the next day
    hotspots_refresh(county=county.county, today=TODAY + dt.timedelta(days=1))
    again = HotSpot.objects.get()
    assert again.pk == spot.pk
    assert again.key == spot.key
    assert again.first_seen == spot.first_seen
    assert again.case_count == spot.case_count + 1


def test_a_township_cluster_alerts_the_county_supervisors(county: County) -> None:
    for i in range(6):
        register([county.g1a, county.g2][i % 2], WELL[i], i, i)
    for k, text in enumerate(OTHER):
        register(county.g3, text, k, 100 + k)
    hotspots_refresh(county=county.county, today=TODAY)
    spot = HotSpot.objects.get()
    assert spot.node == county.t1
    assert spot.place_count == 2
    assert "涉及2个村(社区)" in spot.agenda
    assert "乡镇(街道)半月民情分析会" in spot.agenda
    assert spot.status == HotSpotStatus.ALERT
    assert {o.recipient_user.username for o in alerts()} == {"county_supervisor"}


def test_below_the_county_threshold_a_hot_spot_is_only_watched(county: County) -> None:
    InsightRules.objects.create(county=county.county, hotspot_alert_heat=50.0)
    village_cluster(county)
    hotspots_refresh(county=county.county, today=TODAY)
    assert HotSpot.objects.get().status == HotSpotStatus.WATCH
    assert alerts() == []


def test_the_county_minimum_of_matters_is_respected(county: County) -> None:
    InsightRules.objects.create(county=county.county, hotspot_min_cases=7)
    village_cluster(county)
    assert hotspots_refresh(county=county.county, today=TODAY)["clusters"] == 0
    assert not HotSpot.objects.exists()


def test_a_cooled_cluster_drops_back_but_keeps_its_history(county: County) -> None:
    village_cluster(county)
    hotspots_refresh(county=county.county, today=TODAY)
    result = hotspots_refresh(county=county.county, today=TODAY + dt.timedelta(days=40))
    assert result["cooled"] == 1
    spot = HotSpot.objects.get()
    assert not spot.active
    assert spot.status == HotSpotStatus.WATCH
    assert spot.alerted_at is not None  # history kept
    assert spot.case_count == 6
    assert spot.cases.count() == 6
    assert spot.peak_heat == spot.heat > 0


def test_crossing_the_threshold_again_does_not_alert_again(county: County) -> None:
    village_cluster(county)
    hotspots_refresh(county=county.county, today=TODAY)
    rules = InsightRules.objects.create(county=county.county, hotspot_alert_heat=100.0)
    hotspots_refresh(county=county.county, today=TODAY)
    assert HotSpot.objects.get().status == HotSpotStatus.WATCH  # dropped back
    rules.hotspot_alert_heat = 10.0
    rules.save()
    hotspots_refresh(county=county.county, today=TODAY)
    assert HotSpot.objects.get().status == HotSpotStatus.ALERT
    assert len(alerts()) == 1


def test_a_handled_hot_spot_stays_handled(county: County) -> None:
    village_cluster(county)
    hotspots_refresh(county=county.county, today=TODAY)
    spot = HotSpot.objects.get()
    hotspot_mark_handled(hot_spot=spot, actor=county.users["township_staff"], note="已列入周例会")
    register(county.g1a, "水井的水还是浑，饮水困难", 0, 60)
    hotspots_refresh(county=county.county, today=TODAY)
    spot.refresh_from_db()
    assert spot.status == HotSpotStatus.HANDLED
    assert spot.case_count == 7


def test_merged_matters_count_as_support_and_praise_is_no_problem(county: County) -> None:
    cases = village_cluster(county, count=4)
    duplicate = register(county.g1a, WELL[0], 1, 77)
    case_transition(case=duplicate, action="merge", actor=None, parent=cases[0])
    for k in range(4):
        register(county.g2, "网格员每次都上门帮忙，特别感谢网格员", k, 200 + k, nature="praise")
    hotspots_refresh(county=county.county, today=TODAY)
    spot = HotSpot.objects.get()
    assert duplicate not in spot.cases.all()
    assert spot.support == 1


def test_other_counties_matters_stay_out(county: County) -> None:
    village_cluster(county)
    hotspots_refresh(county=county.other_county, today=TODAY)
    assert not HotSpot.objects.exists()


def test_the_daily_task_runs_every_county(county: County) -> None:
    village_cluster(county, count=5)
    now = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(18)))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "now", lambda: now)
        result = refresh_hotspots_task.enqueue().return_value
    assert result["counties"] == 2
    assert result["clusters"] == 1
    assert HotSpot.objects.filter(county=county.county).count() == 1


def test_a_topic_that_returns_after_cooling_is_a_new_episode_with_its_own_alert(
    county: County,
) -> None:
    village_cluster(county)
    hotspots_refresh(county=county.county, today=TODAY)
    later = TODAY + dt.timedelta(days=60)
    for i in range(6):
        register([county.g1a, county.g1b][i % 2], WELL[i], -60 + i, 300 + i)
    hotspots_refresh(county=county.county, today=later)
    old, new = HotSpot.objects.order_by("pk")
    assert not old.active
    assert new.active
    assert new.key != old.key
    assert new.first_seen > old.first_seen
    assert new.status == HotSpotStatus.ALERT
    assert len({o.dedupe_key.split(":")[1] for o in alerts()}) == 2


def test_the_countys_custom_words_stay_whole_in_the_topic(county: County) -> None:
    InsightRules.objects.create(county=county.county, custom_words="三清三拆\n")
    texts = ["三清三拆拆了猪圈，补偿没到位", "三清三拆的补偿标准是多少", "三清三拆后柴房没地方放",
             "三清三拆拆除的棚子补偿呢"]  # fmt: skip
    for i, text in enumerate(texts):
        register(county.g1a, text, i, 400 + i)
    hotspots_refresh(county=county.county, today=TODAY)
    spot = HotSpot.objects.get()
    assert spot.keywords[0] == "三清三拆"
    assert spot.topic.startswith("三清三拆")
