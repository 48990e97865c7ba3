"""Keyword trends (关键词趋势): counts per place and period on a small fixture of our own,
the change against the previous period, scope by role (outsiders 404), the xlsx export,
county custom and stop words, and the per-month cache."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.utils import timezone
from openpyxl import load_workbook

from minqing.audit.models import Action, AuditEvent
from minqing.cases.models import Case
from minqing.cases.services import case_register
from minqing.org.models import Node
from minqing.textanalysis import keywords as kw
from minqing.textanalysis import segment
from minqing.textanalysis.keywords import Period, keyword_trends, warm_keyword_counts
from minqing.textanalysis.models import InsightRules
from minqing.textanalysis.segment import county_words, tokens

URL = "/insight/keywords/"
EXPORT = "/insight/keywords/export.xlsx"
JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 1)

# (place, month, text, reporter)
MATTERS = [
    ("g1a", JAN, "东风水库渗水，下游农田被淹。", "张建国"),
    ("g1b", JAN, "村口路灯坏了，晚上看不见。", "李秀英"),
    ("g2", JAN, "西岭村路灯坏了好几盏。", "王德明"),
    ("g3", JAN, "南湾村自来水停水三天。", "刘桂兰"),
    ("g1a", FEB, "东风水库大坝出现渗水，张建国担心汛期安全。", "张建国"),
    ("g1b", FEB, "东风水库管理员不在岗，渗水没人管。", "李秀英"),
    ("g1a", FEB, "路灯还是不亮。", "张建国"),
    ("g2", FEB, "自来水浑浊发黄。", "王德明"),
    ("g3", FEB, "自来水浑浊，垃圾清运不及时。", "刘桂兰"),
    ("t1", FEB, "城关镇集镇垃圾清运不及时。", "赵某"),
]


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch):
    # Primary keys repeat between tests on SQLite; cached counts must not outlive a test,
    # and tests must not write into the checkout's var/ directory.
    monkeypatch.setattr(kw, "_file_store", LocMemCache("keyword-tests", {}))
    kw._store().clear()
    segment._segmenters.clear()
    added_before = set(segment._added)
    yield
    kw._store().clear()
    segment._segmenters.clear()
    # jieba's dictionary is one per process: take back the custom words this test added,
    # so that other tests (the classifier's) segment as they would alone.
    for word in set(segment._added) - added_before:
        segment._tokenizer().del_word(word)  # type: ignore[attr-defined]
        segment._added.discard(word)


@pytest.fixture
def matters(county):
    InsightRules.objects.create(county=county.county, custom_words="东风水库")
    for place, month, text, reporter in MATTERS:
        case_register(
            actor=None, node=getattr(county, place), channel="hotline", nature="help",
            original_text=text, reporter_name=reporter,
            reported_at=timezone.make_aware(dt.datetime.combine(month, dt.time(10)))
            + dt.timedelta(days=9),
        )  # fmt: skip
    return county


def trends_of(response):
    assert response.status_code == 200
    return response.context["trends"]


def counts(trends) -> dict[str, tuple[int, int, str]]:
    return {r.word: (r.count, r.previous, r.change) for r in trends.rows}


def test_township_staff_sees_keyword_counts_of_february_against_january(matters, client_for):
    trends = trends_of(client_for("township_staff").get(URL, {"period": "2026-02", "top": 30}))
    assert (trends.scope, trends.matters, trends.previous_matters) == (matters.t1, 5, 3)
    found = counts(trends)
    assert found["东风水库"] == (2, 1, "up")
    assert found["渗水"] == (2, 1, "up")
    assert found["路灯"] == (1, 2, "down")
    assert found["自来水"] == (1, 0, "new")
    assert found["垃圾清运"] == (1, 0, "new")
    # The ranking: most mentioned first, then by word.
    assert [r.word for r in trends.rows[:2]] == ["东风水库", "渗水"]
    assert trends.rows[0].rank == 1
    assert trends.rows[0].share == pytest.approx(40.0)


def test_page_shows_the_ranking_chart_data_and_change_marks(matters, client_for):
    response = client_for("township_staff").get(URL, {"period": "2026-02", "top": 30})
    text = response.text
    assert 'data-word="东风水库" data-count="2" data-change="up"' in text
    assert 'data-word="自来水" data-count="1" data-change="new"' in text
    assert 'id="mq-keyword-data"' in text
    assert "js/keyword-chart.js" in text
    chart = response.context["chart"]
    assert chart["months"][-2:] == ["2026-01", "2026-02"]
    series = {s["name"]: s["data"] for s in chart["series"]}
    assert series["东风水库"][-2:] == [1, 2]
    assert len(chart["months"]) == 12


def test_county_custom_word_is_kept_whole(matters):
    assert county_words(matters.county) == ["东风水库"]
    assert "东风水库" in tokens("东风水库大坝出现渗水", county=matters.county)


def test_keywords_leave_out_stop_words_placeholders_numbers_and_single_characters(county):
    words = tokens("A市B区XX小区3号楼电梯坏了三个月，希望有关部门尽快处理这个问题。")
    assert words == ["小区", "电梯"]


def test_reporters_own_name_is_no_keyword(matters, client_for):
    trends = trends_of(client_for("township_staff").get(URL, {"period": "2026-02", "top": 30}))
    assert "张建国" not in counts(trends)


def test_county_stop_word_applies_at_once_without_recounting(matters, client_for):
    client = client_for("township_staff")
    assert "渗水" in counts(trends_of(client.get(URL, {"period": "2026-02", "top": 30})))
    rules = InsightRules.objects.get(county=matters.county)
    rules.stop_words = "渗水\n"
    rules.save()
    trends = trends_of(client.get(URL, {"period": "2026-02", "top": 30}))
    assert "渗水" not in counts(trends)
    assert trends.segmented_months == 0  # the cached counts were reused


def test_quarter_sums_its_months_and_compares_with_the_quarter_before(matters, client_for):
    trends = trends_of(client_for("township_staff").get(URL, {"period": "2026-Q1", "top": 30}))
    assert trends.period == Period("quarter", JAN)
    assert (trends.matters, trends.previous_matters) == (8, 0)
    found = counts(trends)
    assert found["东风水库"] == (3, 0, "new")
    assert found["路灯"][0] == 3


def test_village_cadre_counts_only_his_village(matters, client_for):
    trends = trends_of(client_for("cadre").get(URL, {"period": "2026-02", "top": 30}))
    assert (trends.scope, trends.matters) == (matters.v1, 3)
    found = counts(trends)
    assert found["东风水库"] == (2, 1, "up")
    assert "自来水" not in found
    assert "垃圾清运" not in found


def test_sibling_village_cadre_page_does_not_count_v1_matters(matters, client_for):
    trends = trends_of(client_for("sibling").get(URL, {"period": "2026-02", "top": 30}))
    assert (trends.scope, trends.matters) == (matters.v2, 1)
    assert "东风水库" not in counts(trends)
    assert counts(trends)["自来水"] == (1, 0, "new")


def test_county_user_sees_the_whole_county_or_chooses_a_township(matters, client_for):
    client = client_for("county_supervisor")
    whole = trends_of(client.get(URL, {"period": "2026-02", "top": 30}))
    assert (whole.scope, whole.matters) == (matters.county, 6)
    assert counts(whole)["自来水"] == (2, 1, "up")
    response = client.get(URL, {"period": "2026-02", "top": 30, "township": matters.t1.code})
    township = trends_of(response)
    assert (township.scope, township.matters) == (matters.t1, 5)
    assert counts(township)["自来水"] == (1, 0, "new")
    assert response.context["q"].townships == [matters.t1, matters.t2]
    assert "河口乡" in response.text


@pytest.mark.parametrize(
    ("persona", "township"),
    [
        ("township_staff", "t2"),  # the other township
        ("cadre", "t1"),  # his own township is above his village
        ("other_township", "t1"),
        ("other_admin", "t1"),  # another county
    ],
)
def test_township_parameter_outside_scope_is_404(matters, client_for, persona, township):
    code = getattr(matters, township).code
    client = client_for(persona)
    assert client.get(URL, {"township": code}).status_code == 404
    assert client.get(EXPORT, {"township": code}).status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENIED).exists()


def test_unknown_township_is_404(matters, client_for):
    assert client_for("county_admin").get(URL, {"township": "999999999999"}).status_code == 404


@pytest.mark.parametrize("persona", ["dept_handler", "liaison", "deputy"])
def test_roles_without_insight_get_404(matters, client_for, persona):
    client = client_for(persona)
    assert client.get(URL).status_code == 404
    assert client.get(EXPORT).status_code == 404


def test_anonymous_is_sent_to_sign_in(matters, client_for):
    response = client_for("anonymous").get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_bad_parameters_fall_back_to_current_month_and_defaults(matters, client_for):
    client = client_for("township_staff")
    for params in ({"period": "2026-13"}, {"period": "x"}, {"period": "2999-01"}, {"top": "7"}):
        response = client.get(URL, params)
        trends = trends_of(response)
        assert trends.period == Period.of("month", timezone.localdate())
        assert response.context["q"].top == 10
    assert trends.matters == 0
    assert "本期没有登记的事项" in response.text


def test_export_is_the_same_table_with_formulas_escaped(matters, client_for):
    Node.objects.filter(pk=matters.t1.pk).update(name='=HYPERLINK("http://x","城关镇")')
    response = client_for("township_staff").get(EXPORT, {"period": "2026-02", "top": 30})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "keywords-330199101000-2026-02.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("范围", "期间", "排名", "关键词", "本期事项数")
    assert rows[0][-1] == "2026-02"
    first = rows[1]
    assert first[0] == '\'=HYPERLINK("http://x","城关镇")'
    assert first[1:8] == ("2026年2月", 1, "东风水库", 2, 1, 1, "上升")
    assert first[-2:] == (1, 2)
    assert len(rows) - 1 == len(
        trends_of(client_for("township_staff").get(URL, {"period": "2026-02", "top": 30})).rows
    )
    assert AuditEvent.objects.filter(action=Action.EXPORT, note__contains="关键词趋势").exists()


def test_counts_are_cached_per_month_and_recounted_only_where_matters_changed(matters):
    cases = Case.objects.filter(township=matters.t1)
    period = Period("month", FEB)
    first = keyword_trends(cases=cases, scope=matters.t1, period=period, span=6)
    assert first.segmented_months == 2  # January and February; the other months are empty
    again = keyword_trends(cases=cases, scope=matters.t1, period=period, span=6)
    assert (again.segmented_months, again.segmented_matters) == (0, 0)
    assert counts(again) == counts(first)
    case_register(
        actor=None, node=matters.g2, channel="hotline", nature="help",
        original_text="东风水库又渗水了。", reporter_name="王德明",
        reported_at=timezone.make_aware(dt.datetime(2026, 2, 20, 9)),
    )  # fmt: skip
    changed = keyword_trends(cases=cases, scope=matters.t1, period=period, span=6)
    # February is counted again, but only the new matter is segmented.
    assert (changed.segmented_months, changed.segmented_matters) == (1, 1)
    assert counts(changed)["东风水库"] == (3, 1, "up")


def test_places_share_the_segmented_matters(matters):
    feb = Period("month", FEB)
    county_trends = keyword_trends(cases=Case.objects.all(), scope=matters.county, period=feb)
    assert county_trends.segmented_matters == len(MATTERS)
    village = keyword_trends(
        cases=Case.objects.filter(village=matters.v1), scope=matters.v1, period=feb
    )
    assert village.segmented_months == 2  # its own counts are new …
    assert village.segmented_matters == 0  # … but no matter is segmented twice
    assert counts(village)["东风水库"] == (2, 1, "up")


def test_an_edited_matter_is_segmented_again(matters):
    cases = Case.objects.filter(village=matters.v2)
    feb = Period("month", FEB)
    assert "自来水" in counts(keyword_trends(cases=cases, scope=matters.v2, period=feb))
    case = cases.get(reported_at__month=2)
    case.title, case.description = "水塘堵塞", "水塘堵塞发臭。"
    case.save()
    after = keyword_trends(cases=cases, scope=matters.v2, period=feb)
    assert (after.segmented_months, after.segmented_matters) == (1, 1)
    assert "自来水" not in counts(after)
    assert counts(after)["发臭"] == (1, 0, "new")


def test_counts_are_kept_in_files_under_the_var_directory(matters, monkeypatch, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(kw, "_file_store", None)
    store = kw._store()
    assert isinstance(store, FileBasedCache)
    keyword_trends(
        cases=Case.objects.filter(village=matters.v1), scope=matters.v1, period=Period("month", FEB)
    )
    assert list((tmp_path / "cache" / "keywords").iterdir())
    again = keyword_trends(
        cases=Case.objects.filter(village=matters.v1), scope=matters.v1, period=Period("month", FEB)
    )
    assert again.segmented_months == 0


def test_nightly_warm_up_leaves_nothing_for_the_pages_to_count(matters, client_for):
    assert warm_keyword_counts(county=matters.county, today=dt.date(2026, 3, 5)) == len(MATTERS)
    for persona in ("county_admin", "township_staff"):
        trends = trends_of(client_for(persona).get(URL, {"period": "2026-02", "span": 6}))
        assert (trends.segmented_months, trends.segmented_matters) == (0, 0), persona
    village = trends_of(client_for("cadre").get(URL, {"period": "2026-02", "span": 6}))
    assert village.segmented_matters == 0


def test_new_custom_word_recounts(matters):
    cases = Case.objects.filter(village=matters.v3)
    period = Period("month", FEB)
    assert "自来水" in counts(keyword_trends(cases=cases, scope=matters.v3, period=period))
    rules = InsightRules.objects.get(county=matters.county)
    rules.custom_words = "东风水库\n垃圾清运不及时"
    rules.save()
    after = keyword_trends(cases=cases, scope=matters.v3, period=period)
    assert after.segmented_months == 2
    assert "垃圾清运不及时" in counts(after)


def test_rising_words_outside_the_top_are_listed(matters, client_for):
    for i in range(3):
        case_register(
            actor=None, node=matters.g1a, channel="hotline", nature="help",
            original_text=f"村道塌陷第{i}处，路面塌陷严重。", reporter_name="张建国",
            reported_at=timezone.make_aware(dt.datetime(2026, 2, 12, 9)),
        )  # fmt: skip
    trends = trends_of(client_for("township_staff").get(URL, {"period": "2026-02", "top": 5}))
    top = [r.word for r in trends.rows]
    rising = [r.word for r in trends.rising]
    assert top[0] == "塌陷"
    assert "东风水库" in top
    assert "渗水" in top or "渗水" in rising
    assert not set(top) & set(rising)
    assert all(r.delta > 0 and r.count >= 2 for r in trends.rising)


def test_warm_page_takes_a_fixed_number_of_queries(
    matters, client_for, django_assert_max_num_queries
):
    client = client_for("county_admin")
    client.get(URL, {"period": "2026-02"})
    with django_assert_max_num_queries(7):
        client.get(URL, {"period": "2026-02"})


def test_period_labels_and_navigation(county):
    assert Period.parse("2026-Q1", dt.date(2026, 5, 1)).label == "2026年第1季度"
    assert Period.parse("2026-Q1", dt.date(2026, 5, 1)).previous().value == "2025-Q4"
    assert Period.parse("2026-01", dt.date(2026, 5, 1)).previous().value == "2025-12"
    assert Period.parse("quarter", dt.date(2026, 5, 1)).value == "2026-Q2"
    assert [p.value for p in Period.of("month", dt.date(2026, 2, 9)).recent(3)] == [
        "2026-02", "2026-01", "2025-12",
    ]  # fmt: skip
    assert kw.Period("quarter", JAN).months == [JAN, FEB, dt.date(2026, 3, 1)]


def test_navigation_offers_keyword_trends_to_insight_roles(county, client_for):
    from minqing.web.nav import nav_for

    def keys(persona: str) -> set[str]:
        return {item.key for item in nav_for(county.users[persona])}

    for persona in ("cadre", "township_staff", "county_admin", "county_supervisor"):
        assert "keywords" in keys(persona), persona
    for persona in ("dept_handler", "liaison", "deputy"):
        assert "keywords" not in keys(persona), persona
    page = client_for("township_staff").get(URL)
    assert 'href="/insight/keywords/"' in page.text
