"""The pure hot-spot algorithm (minqing.textanalysis.hotspots) on small hand-made records:
topics, places (lowest common ancestor), windows, growth and heat as documented."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from minqing.textanalysis import hotspots
from minqing.textanalysis.datasets import DatasetError
from minqing.textanalysis.hotspots import (
    Record,
    find_hotspots,
    heat_of,
    jieba_words,
    keyword_tokens,
    load_custom_words,
    read_message_records,
    signature,
)

FIXTURE = Path(__file__).parent / "fixtures" / "textanalysis" / "hotspot_messages.csv"
TODAY = dt.date(2025, 6, 30)
C, T1, T2 = "330199", "330199101", "330199102"
V1, V2, V3 = "330199101201", "330199101202", "330199102201"

WELL = [
    "老水井这几天水发浑，全组都靠水井饮水",
    "水井的水有怪味，不敢饮水，请检测水质",
    "水井旁边有人倒垃圾，污水流进水井，饮水不安全",
    "水井水位下降，早上打不上水，饮水困难",
    "用水井的井水饮水，最近井水变黄了",
    "水井年久失修，井口没有盖板，饮水有隐患",
    "水井的水浑浊发黄，饮水让人担心",
]
OTHER = [
    "孩子今年上小学，户口在外地，想问入学材料",
    "低保申请交上去两个月了，不知道进展",
    "和邻居因为宅基地边界吵了好几次，请帮忙调解",
    "新农合报销比例看不懂，住院费用还没报下来",
    "建议在小广场增加健身器材",
    "工地夜里施工噪音很大，影响休息",
]


def place(village: str, group: int = 1) -> tuple[str, ...]:
    return (C, village[:9], village, f"{village}{group:03d}")


def rec(i: int, days_ago: int, text: str, where: tuple[str, ...], **kw: object) -> Record:
    return Record(
        id=i, day=TODAY - dt.timedelta(days=days_ago), title=text[:12], text=text,
        place=where, household=str(kw.pop("household", f"h{i}")), **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def noise(start: int, where: tuple[str, ...], days_ago: int = 3) -> list[Record]:
    return [rec(start + k, days_ago + k, t, where) for k, t in enumerate(OTHER)]


def test_same_topic_matters_in_one_village_form_a_hot_spot_placed_at_the_village() -> None:
    records = [rec(i, i, t, place(V1, 1 + i % 3)) for i, t in enumerate(WELL[:6])]
    records += noise(100, place(V3))
    [spot] = find_hotspots(records, as_of=TODAY)
    assert spot.place == (C, T1, V1)
    assert sorted(spot.members) == list(range(6))
    assert "水井" in spot.topic
    assert spot.topic.count(" / ") in (1, 2)
    assert spot.keywords[0] in ("水井", "饮水")
    assert (spot.count, spot.households, spot.places) == (6, 6, 3)
    assert spot.window_start == TODAY - dt.timedelta(days=13)
    assert spot.window_end == TODAY


def test_unrelated_matters_are_not_clustered() -> None:
    records = noise(0, place(V1)) + noise(10, place(V1, 2), days_ago=1)[:3]
    records = [*records[:6], *records[6:]]
    assert find_hotspots(records[:6], as_of=TODAY) == []


def test_fewer_matters_than_the_county_minimum_are_no_hot_spot() -> None:
    records = [rec(i, i, t, place(V1)) for i, t in enumerate(WELL[:3])]
    assert find_hotspots(records, as_of=TODAY, min_cases=4) == []
    assert len(find_hotspots(records, as_of=TODAY, min_cases=3)) == 1


def test_a_topic_recurring_in_two_villages_is_placed_at_their_township() -> None:
    records = [rec(i, i, t, place(V1 if i % 2 else V2)) for i, t in enumerate(WELL[:6])]
    records += noise(100, place(V3))
    [spot] = find_hotspots(records, as_of=TODAY)
    assert spot.place == (C, T1)  # the lowest common ancestor of both villages
    assert spot.places == 2  # two villages below the township


def test_one_stray_matter_in_a_neighbour_village_leaves_the_hot_spot_in_its_village() -> None:
    records = [rec(i, i, t, place(V1)) for i, t in enumerate(WELL[:5])]
    records.append(rec(5, 2, WELL[5], place(V2)))
    [spot] = find_hotspots(records, as_of=TODAY)
    assert spot.place == (C, T1, V1)
    assert 5 not in spot.members


def test_a_topic_in_two_townships_is_the_countys() -> None:
    records = [rec(i, i, t, place([V1, V3][i % 2])) for i, t in enumerate(WELL[:6])]
    [spot] = find_hotspots(records, as_of=TODAY)
    assert spot.place == (C,)


def test_a_surge_in_one_village_is_not_drowned_in_a_county_wide_topic() -> None:
    # The well topic turns up in three villages of two townships, but V1 has far more than
    # its share of the county's matters: V1 gets a hot spot of its own.
    villages = [V1, V2, V3, "330199101203", "330199102202"]
    records = [rec(i, i % 10, WELL[i % 7], place(V1)) for i in range(12)]
    records += [rec(20 + i, i, WELL[i], place([V2, V3][i % 2])) for i in range(4)]
    for k, v in enumerate(villages):  # every village sends about as much on other things
        records += noise(100 * (k + 1), place(v), days_ago=k)
        records += noise(1000 * (k + 1), place(v, 2), days_ago=k + 1)
    spots = {s.place: s for s in find_hotspots(records, as_of=TODAY)}
    assert (C, T1, V1) in spots
    surge = set(spots[(C, T1, V1)].members)
    assert len(surge) >= 10  # ("饮水困难" is a word of its own to jieba)
    assert surge <= set(range(12))


def test_the_same_share_in_two_villages_is_no_surge() -> None:
    records = [rec(i, i, WELL[i % 7], place([V1, V2][i % 2])) for i in range(8)]
    records += noise(100, place(V1)) + noise(200, place(V2))
    [spot] = [s for s in find_hotspots(records, as_of=TODAY) if "水井" in s.keywords]
    assert spot.place == (C, T1)


def test_poisson_tail() -> None:
    assert hotspots.poisson_sf(0, 3.0) == 1.0
    assert hotspots.poisson_sf(1, 2.0) == pytest.approx(1 - math.exp(-2))
    assert hotspots.poisson_sf(8, 1.0) < 1e-4
    assert hotspots.poisson_sf(3, 0.0) == 0.0


def test_heat_follows_the_documented_formula() -> None:
    # The module docstring's example: 7 matters, 7 households, 4 groups, none before.
    first = heat_of(count=7, households=7, places=4, support=0, previous=0)
    assert first.base == pytest.approx(8.5)
    assert first.heat == pytest.approx(17.0)
    steady = heat_of(count=7, households=7, places=4, support=0, previous=7)
    assert steady.heat == pytest.approx(8.5)
    cooling = heat_of(count=7, households=7, places=4, support=0, previous=14)
    assert cooling.growth == pytest.approx(-0.5)
    assert cooling.heat == pytest.approx(8.5 * 0.75, abs=0.01)
    # A household writing three times counts 1 + 0.5 + 0.5; 7 supporters add log2(8) = 3.
    repeat = heat_of(count=3, households=1, places=1, support=7, previous=None)
    assert repeat.heat == pytest.approx(1 + 1 + 3)
    assert repeat.parts["growth_factor"] == 1.0
    smallest = heat_of(count=3, households=3, places=2, support=0, previous=0)
    assert smallest.heat < 10.0  # the smallest new hot spot is watched, not alerted


def test_growth_compares_with_the_same_topic_and_place_in_the_previous_window() -> None:
    now = [rec(i, i, WELL[i], place(V1)) for i in range(6)]
    before = [rec(10 + i, 15 + i, WELL[i], place(V1)) for i in range(2)]
    elsewhere = [rec(20 + i, 16 + i, WELL[i], place(V3)) for i in range(3)]
    [spot] = find_hotspots(now + before + elsewhere, as_of=TODAY)
    assert spot.place == (C, T1, V1)
    assert spot.previous_count == 2  # V3's matters are another place's history
    assert spot.growth == pytest.approx(2.0)
    expected = heat_of(count=6, households=6, places=1, support=0, previous=2)
    assert spot.heat == pytest.approx(expected.heat)
    assert spot.parts["growth_factor"] == pytest.approx(2.0)


def test_series_counts_each_day_of_both_windows() -> None:
    now = [rec(i, [0, 0, 1, 5][i], WELL[i], place(V1)) for i in range(4)]
    before = [rec(10, 20, WELL[4], place(V1))]
    [spot] = find_hotspots(now + before, as_of=TODAY)
    series = dict(spot.series)
    assert len(spot.series) == 28
    assert spot.series[0][0] == TODAY - dt.timedelta(days=27)
    assert series[TODAY] == 2
    assert series[TODAY - dt.timedelta(days=1)] == 1
    assert series[TODAY - dt.timedelta(days=20)] == 1
    assert sum(series.values()) == 5


def test_growth_is_not_invented_before_the_data_starts() -> None:
    records = [rec(i, i, WELL[i], ()) for i in range(4)]
    [spot] = find_hotspots(records, as_of=TODAY, known_from=TODAY - dt.timedelta(days=5))
    assert spot.previous_known is False
    assert spot.parts["growth_factor"] == 1.0
    assert spot.place == ()


def test_older_windows_are_reported_when_asked() -> None:
    old = [rec(i, 15 + i, WELL[i], place(V1)) for i in range(4)]
    assert find_hotspots(old, as_of=TODAY) == []
    [spot] = find_hotspots(old, as_of=TODAY, windows=2)
    assert spot.window_end == TODAY - dt.timedelta(days=14)


def test_support_counts_add_heat() -> None:
    plain = [rec(i, i, WELL[i], place(V1)) for i in range(4)]
    backed = [rec(i, i, WELL[i], place(V1), support=5) for i in range(4)]
    [a] = find_hotspots(plain, as_of=TODAY)
    [b] = find_hotspots(backed, as_of=TODAY)
    assert b.support == 20
    assert b.heat > a.heat


def test_signature_names_a_topic_in_a_place_whatever_the_keyword_order() -> None:
    assert signature((C, T1), ["水井", "饮水", "水质"]) == signature(
        (C, T1), ["饮水", "水质", "水井"]
    )
    assert signature((C, T1), ["水井", "饮水"]) != signature((C, T2), ["水井", "饮水"])


def test_county_words_stay_whole_and_stop_words_are_left_out() -> None:
    text = "三改一拆工作推进慢，希望尽快处理问题"
    load_custom_words(["三改一拆"])
    tokens = keyword_tokens(text, jieba_words, hotspots.STOP_WORDS)
    assert "三改一拆" in tokens
    assert not {"希望", "尽快", "处理", "问题"} & set(tokens)
    assert "推进" not in keyword_tokens(text, jieba_words, hotspots.STOP_WORDS | {"推进"})


def test_a_message_file_is_read_with_the_real_columns() -> None:
    records, skipped = read_message_records(str(FIXTURE))
    assert skipped == 1  # "bad-date"
    assert len(records) == 15
    by_id = {r.id: r for r in records}
    assert by_id["8"].support == 8
    assert by_id["8"].day == dt.date(2025, 3, 27)
    assert by_id["1"].place == ()


def test_a_message_file_without_a_time_column_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "m.csv"
    bad.write_text("id,title,detail\n1,路灯,坏了\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="time"):
        read_message_records(str(bad))


def test_a_place_column_nests_its_levels(tmp_path: Path) -> None:
    f = tmp_path / "m.csv"
    f.write_text(
        "id,time,title,detail,place\n"
        + "".join(
            f"{i},2025-03-0{i + 1},{t[:8]},{t},城关镇/东风村\n" for i, t in enumerate(WELL[:4])
        )
        + "9,2025-03-02,低保,低保申请,城关镇/西岭村\n",
        encoding="utf-8",
    )
    records, _ = read_message_records(str(f))
    assert records[0].place == ("城关镇", "城关镇/东风村")
    [spot] = find_hotspots(records)
    assert spot.place == ("城关镇", "城关镇/东风村")
