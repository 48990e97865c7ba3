"""Urgency and 十必报 detection from the county's word list: documented defaults, county
edits that count at once, negations and the false alarms a short word would raise."""

from __future__ import annotations

import statistics
import time

import pytest

from minqing.audit.models import Action, AuditEvent
from minqing.cases.models import MustReport, Urgency
from minqing.textanalysis import urgency
from minqing.textanalysis.models import UrgencyTerm
from minqing.textanalysis.services import urgency_terms_ensure_default
from minqing.textanalysis.urgency import (
    DEFAULT_URGENCY_TERMS,
    UrgencyFlag,
    detect_urgency,
    strongest,
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Primary keys repeat between tests on SQLite; a compiled list must not outlive its test.
    urgency._cache.clear()
    yield
    urgency._cache.clear()


def types(flags: list[UrgencyFlag]) -> list[str]:
    return [f.must_report for f in flags]


def test_defaults_cover_every_must_report_type_a_word_can_show(county):
    covered = {t.must_report for t in DEFAULT_URGENCY_TERMS}
    # 联系户意见建议 is any matter a contact household raises: no word marks it.
    assert covered == {m.value for m in MustReport} - {MustReport.OPINION}
    assert all(
        t.reason and t.urgency in (Urgency.URGENT, Urgency.IMPORTANT) for t in DEFAULT_URGENCY_TERMS
    )
    assert len({t.phrase for t in DEFAULT_URGENCY_TERMS}) == len(DEFAULT_URGENCY_TERMS)


def test_county_without_saved_terms_is_flagged_by_the_defaults(county):
    flags = detect_urgency(county=county.county, text="我家后墙出现裂缝，昨晚插座还漏电了。")
    assert len(flags) == 1
    flag = flags[0]
    assert (flag.urgency, flag.must_report) == (Urgency.URGENT, MustReport.SAFETY_HAZARD)
    assert flag.phrases == ["裂缝", "漏电"]
    assert flag.reason == "涉及安全隐患，须立即处置并上报"
    assert flag.source == "词表"
    assert flag.must_report_label == "安全隐患"


def test_plain_matter_raises_no_flag(county):
    assert detect_urgency(county=county.county, text="村口路灯坏了三个月，晚上出门不方便。") == []
    assert detect_urgency(county=county.county, text="") == []


def test_default_terms_are_created_once_and_audited(county):
    created = urgency_terms_ensure_default(county=county.county, actor=county.users["county_admin"])
    assert created == len(DEFAULT_URGENCY_TERMS)
    assert urgency_terms_ensure_default(county=county.county) == 0
    assert UrgencyTerm.objects.filter(county=county.county).count() == len(DEFAULT_URGENCY_TERMS)
    assert not UrgencyTerm.objects.filter(county=county.other_county).exists()
    event = AuditEvent.objects.get(action=Action.BULK_LOAD, object_type="textanalysis.urgencyterm")
    assert event.changes["created"] == len(DEFAULT_URGENCY_TERMS)


def test_county_edits_survive_filling_in_the_defaults(county):
    urgency_terms_ensure_default(county=county.county)
    UrgencyTerm.objects.filter(county=county.county, phrase="住院").update(
        urgency=Urgency.URGENT, reason="本县规定：住院须当日上报"
    )
    UrgencyTerm.objects.filter(county=county.county, phrase="怀孕").delete()
    assert urgency_terms_ensure_default(county=county.county) == 1
    kept = UrgencyTerm.objects.get(county=county.county, phrase="住院")
    assert (kept.urgency, kept.reason) == (Urgency.URGENT, "本县规定：住院须当日上报")


def test_county_edited_term_changes_detection_immediately(county):
    urgency_terms_ensure_default(county=county.county)
    text = "村东头的老井水位下降，家里老人住院了。"
    assert types(detect_urgency(county=county.county, text=text)) == [MustReport.ILLNESS]

    term = UrgencyTerm.objects.get(county=county.county, phrase="住院")
    term.active = False
    term.save()
    assert detect_urgency(county=county.county, text=text) == []

    UrgencyTerm.objects.create(
        county=county.county, phrase="水位下降", urgency=Urgency.URGENT,
        must_report=MustReport.SAFETY_HAZARD, reason="饮水安全，须立即核查",
    )  # fmt: skip
    flags = detect_urgency(county=county.county, text=text)
    assert [(f.must_report, f.reason, f.phrases) for f in flags] == [
        (MustReport.SAFETY_HAZARD, "饮水安全，须立即核查", ["水位下降"])
    ]
    UrgencyTerm.objects.filter(county=county.county, phrase="水位下降").get().delete()
    assert detect_urgency(county=county.county, text=text) == []
    # Another county keeps its own (default) list.
    assert types(detect_urgency(county=county.other_county, text=text)) == [MustReport.ILLNESS]


def test_edit_made_by_another_process_is_seen_after_the_recheck(county, monkeypatch):
    urgency_terms_ensure_default(county=county.county)
    text = "两户因为宅基地吵架。"
    assert types(detect_urgency(county=county.county, text=text)) == [MustReport.NEIGHBOUR_DISPUTE]
    # queryset.update() sends no signal, like an edit saved by another worker process.
    UrgencyTerm.objects.filter(county=county.county, phrase="吵架").update(active=False)
    assert detect_urgency(county=county.county, text=text) != []  # cached, for now
    monkeypatch.setattr(urgency, "RECHECK_SECONDS", 0.0)
    assert detect_urgency(county=county.county, text=text) == []


def test_county_that_switched_every_term_off_gets_no_flags(county):
    urgency_terms_ensure_default(county=county.county)
    UrgencyTerm.objects.filter(county=county.county).update(active=False)
    urgency.forget_county(county.county.pk)
    assert detect_urgency(county=county.county, text="房屋倒塌，有人被困") == []


@pytest.mark.parametrize(
    "text",
    [
        "两家没有打架，只是拌了几句嘴。",
        "他俩早就不打架了。",
        "经村里排查未发现裂缝。",
        "老人并未住院，在家休养。",
    ],
)
def test_negation_right_before_the_phrase_cancels_it(county, text):
    assert detect_urgency(county=county.county, text=text) == []


def test_negation_further_away_does_not_cancel(county):
    # Better one false alarm than a missed hazard: only an adjacent negation counts.
    flags = detect_urgency(county=county.county, text="没发现墙体裂缝")
    assert types(flags) == [MustReport.SAFETY_HAZARD]


@pytest.mark.parametrize(
    "text",
    [
        "村集体经济发展缓慢，希望引进项目。",
        "申请材料需要加盖公章。",
        "学校开展暑期防溺水宣传。",
        "煤气费比去年涨了。",
        "今年村里经济滑坡。",
        "希望政策向山区倾斜。",
        "村里打算新建文化礼堂，征求意见。",
        "小区移动手机信号很差。",
        "早高峰交通瘫痪。",
        "广场上孩子们聚集玩耍。",
        "塌方式腐败必须严查。",
        "新引进的企业落户工业园。",
        "新盖的房子屋顶漏水。",
    ],
)
def test_ordinary_wording_raises_no_false_alarm(county, text):
    assert detect_urgency(county=county.county, text=text) == []


def test_an_operation_is_an_illness_not_a_fight(county):
    flags = detect_urgency(county=county.county, text="父亲下周要动手术，想咨询医保报销比例。")
    assert [(f.must_report, f.phrases) for f in flags] == [(MustReport.ILLNESS, ["动手术"])]


def test_village_collective_economy_is_no_instability_even_with_a_county_word_collective(county):
    UrgencyTerm.objects.create(
        county=county.county, phrase="集体", urgency=Urgency.URGENT,
        must_report=MustReport.INSTABILITY, reason="群体性苗头，须立即稳控",
    )  # fmt: skip
    assert detect_urgency(county=county.county, text="村集体经济发展") == []
    flags = detect_urgency(county=county.county, text="十几户村民准备集体到县里反映")
    assert types(flags) == [MustReport.INSTABILITY]
    assert flags[0].phrases == ["集体"]


def test_flags_merge_per_type_and_the_most_urgent_comes_first(county):
    flags = detect_urgency(
        county=county.county,
        text="张家老人住院了；两家先是吵架，后来打架，昨天院墙还漏电。",
    )
    assert [(f.must_report, f.urgency) for f in flags] == [
        (MustReport.NEIGHBOUR_DISPUTE, Urgency.URGENT),
        (MustReport.SAFETY_HAZARD, Urgency.URGENT),
        (MustReport.ILLNESS, Urgency.IMPORTANT),
    ]
    dispute = flags[0]
    assert dispute.phrases == ["吵架", "打架"]
    assert dispute.reason == "纠纷已有肢体冲突，须立即到场调处并上报"


def test_strongest_gives_the_form_its_urgency_and_type(county):
    flags = detect_urgency(county=county.county, text="老人住院；有人扬言要去县里上访")
    assert strongest(flags) == (Urgency.URGENT, MustReport.INSTABILITY)
    assert strongest([]) == (Urgency.NORMAL, "")
    only_urgency = UrgencyFlag(urgency=Urgency.URGENT, must_report="", reason="紧急")
    illness = UrgencyFlag(urgency=Urgency.IMPORTANT, must_report=MustReport.ILLNESS, reason="病")
    assert strongest([only_urgency, illness]) == (Urgency.URGENT, MustReport.ILLNESS)


def test_a_place_below_the_county_uses_its_county_list(county):
    UrgencyTerm.objects.create(
        county=county.county, phrase="水井干涸", urgency=Urgency.URGENT,
        must_report=MustReport.LIFE_CHANGE, reason="饮水困难",
    )  # fmt: skip
    assert types(detect_urgency(county=county.g1a, text="一组水井干涸")) == [MustReport.LIFE_CHANGE]


def test_full_width_text_is_matched(county):
    flags = detect_urgency(county=county.county, text="ＡＢ两户发生纠纷")
    assert types(flags) == [MustReport.NEIGHBOUR_DISPUTE]


def test_detection_of_a_500_character_text_takes_under_2_ms(county):
    urgency_terms_ensure_default(county=county.county)
    text = (
        "东风村一组村民反映，村口的石桥年久失修，桥面有多处破损，雨天路滑，老人孩子通行不便，"
        "希望镇里安排资金维修。另外，村里的垃圾收集点清运不及时，夏天气味很大。"
    ) * 8
    text = text[:480] + "后墙开裂，邻居吵架。"
    assert len(text) >= 490
    detect_urgency(county=county.county, text=text)  # compile once
    samples = []
    for _i in range(200):
        start = time.perf_counter()
        flags = detect_urgency(county=county.county, text=text)
        samples.append(time.perf_counter() - start)
    assert types(flags) == [MustReport.NEIGHBOUR_DISPUTE]
    assert statistics.median(samples) < 0.002


# --- admin -----------------------------------------------------------------------------
def test_county_admin_fills_in_the_defaults_from_the_admin(county, client_for):
    client = client_for("county_admin")
    page = client.get("/admin/textanalysis/urgencyterm/")
    assert page.status_code == 200
    assert "目前按默认词表" in page.text
    response = client.post("/admin/textanalysis/urgencyterm/ensure-defaults/")
    assert response.status_code == 302
    assert UrgencyTerm.objects.filter(county=county.county).count() == len(DEFAULT_URGENCY_TERMS)
    page = client.get("/admin/textanalysis/urgencyterm/?q=漏电")
    assert "漏电" in page.text
    assert "目前按默认词表" not in page.text
    assert client.get("/admin/textanalysis/urgencyterm/ensure-defaults/").status_code == 405


def test_admin_lists_and_edits_only_the_admins_county_terms(county, client_for):
    urgency_terms_ensure_default(county=county.other_county)
    theirs = UrgencyTerm.objects.get(county=county.other_county, phrase="漏电")
    client = client_for("county_admin")
    assert "漏电" not in client.get("/admin/textanalysis/urgencyterm/").text
    assert client.get(f"/admin/textanalysis/urgencyterm/{theirs.pk}/change/").status_code == 302
    add = client.get("/admin/textanalysis/urgencyterm/add/")
    assert "清河县" in add.text
    assert "邻县" not in add.text
    response = client.post(
        "/admin/textanalysis/urgencyterm/add/",
        {"county": county.county.pk, "phrase": "水井干涸", "urgency": Urgency.URGENT,
         "must_report": MustReport.LIFE_CHANGE, "reason": "饮水困难，须立即解决", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    flags = detect_urgency(county=county.county, text="三组的水井干涸了")
    assert [f.reason for f in flags] == ["饮水困难，须立即解决"]
    assert AuditEvent.objects.filter(object_type="textanalysis.urgencyterm").exists()


@pytest.mark.parametrize("persona", ["township_staff", "cadre", "county_supervisor"])
def test_other_roles_cannot_open_the_word_list_admin(county, client_for, persona):
    client = client_for(persona)
    assert client.get("/admin/textanalysis/urgencyterm/").status_code == 302
    assert client.post("/admin/textanalysis/urgencyterm/ensure-defaults/").status_code == 302
    assert not UrgencyTerm.objects.exists()


def test_county_admin_saves_custom_words_in_insight_settings(county, client_for):
    from minqing.textanalysis.models import InsightRules

    client = client_for("county_admin")
    add = client.get("/admin/textanalysis/insightrules/add/")
    assert add.status_code == 200
    assert "邻县" not in add.text
    response = client.post(
        "/admin/textanalysis/insightrules/add/",
        {"county": county.county.pk, "hotspot_window_days": 14, "hotspot_min_cases": 3,
         "hotspot_alert_heat": 10, "similar_recent_days": 90, "min_training_cases": 30,
         "custom_words": "东风水库\n三改一拆", "stop_words": "东风村"},
    )  # fmt: skip
    assert response.status_code == 302
    rules = InsightRules.objects.get(county=county.county)
    assert rules.custom_word_list() == ["东风水库", "三改一拆"]
