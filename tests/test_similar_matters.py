"""Similar and duplicate matters (相似事项): ranking, scope, freshness of the in-process index
across workers and status changes, the case page's card with its merge button, and the
registration page's warning."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minqing.cases.models import Case
from minqing.cases.services import case_register, case_transition
from minqing.cases.workflow import Action, Status
from minqing.textanalysis import similar_index
from minqing.textanalysis.models import InsightRules
from minqing.textanalysis.similar_index import CountyIndex
from minqing.textanalysis.similarity import mark, shared_words, similar_matters, similar_to_case

WELL_V1 = "东风村一组的水井干了，全组吃水困难，希望尽快打一口新井。"
WELL_V1_AGAIN = "东风村二组水井没水了，吃水很困难，请村里想办法。"
WELL_V3 = "南湾村一组的水井干了，全组吃水困难，希望尽快打一口新井。"
LAMP_V1 = "村口路灯坏了一个多月，晚上老人出门看不清路。"
ROAD_V2 = "西岭村通组公路有一段塌方，下雨天车辆过不去。"
SUBSIDY = "家里老人瘫痪在床，想咨询低保和残疾人补贴怎么申请。"


@pytest.fixture(autouse=True)
def _fresh_indexes():
    similar_index.reset()
    yield
    similar_index.reset()


def register(county, node, text, households=()):
    case, _ = case_register(
        actor=None, node=node, channel="walk_in", nature="help", original_text=text,
        reporter_name="李秀英", households=households,
    )  # fmt: skip
    return case


def numbers(matches):
    return [m.case.number for m in matches]


@pytest.fixture
def matters(county):
    return {
        "well_v1": register(county, county.g1a, WELL_V1),
        "well_v3": register(county, county.g3, WELL_V3),
        "lamp_v1": register(county, county.g1a, LAMP_V1),
        "road_v2": register(county, county.g2, ROAD_V2),
        "subsidy_v1": register(county, county.g1b, SUBSIDY),
    }


# --- ranking ---


def test_same_well_in_the_same_village_ranks_first_and_unrelated_matters_stay_out(county, matters):
    found = similar_matters(
        county.users["county_admin"], text=WELL_V1_AGAIN, node=county.g1b, limit=5
    )
    assert found[0].case == matters["well_v1"]
    assert found[0].same_village is True
    assert matters["lamp_v1"] not in [m.case for m in found]
    assert matters["subsidy_v1"] not in [m.case for m in found]
    assert "水井" in found[0].shared
    assert "吃水" in found[0].shared
    assert 0 < found[0].score <= 1


def test_a_near_identical_matter_from_another_village_is_still_shown(county, matters):
    found = similar_matters(
        county.users["county_admin"], text="南湾村一组水井干了，全组吃水困难，请尽快打新井",
        node=county.g1a,
    )  # fmt: skip
    assert found[0].case == matters["well_v3"]
    assert found[0].same_village is False
    assert found[0].score > 0.6


def test_the_same_place_raises_the_score_of_the_same_text(county, matters):
    admin = county.users["county_admin"]
    here = similar_matters(admin, text="水井干了吃水困难", node=county.g1a)
    there = similar_matters(admin, text="水井干了吃水困难", node=county.g3)
    score_here = {m.case.pk: m.score for m in here}
    score_there = {m.case.pk: m.score for m in there}
    v1, v3 = matters["well_v1"].pk, matters["well_v3"].pk
    assert score_here[v1] > score_here[v3]
    assert score_there[v3] > score_there[v1]
    assert numbers(here)[0] == matters["well_v1"].number


def test_a_few_typed_characters_already_find_the_matter(county, matters):
    found = similar_matters(county.users["township_staff"], text="路灯坏", node=county.g1a)
    assert numbers(found) == [matters["lamp_v1"].number]
    assert found[0].shared == ["路灯坏"]


def test_the_same_household_is_shown_even_with_different_words(county, matters):
    household = county.households["H1a"]
    earlier = register(county, county.g1a, SUBSIDY, households=[household])
    found = similar_matters(
        county.users["cadre"], text="家门口的排水沟堵了", node=county.g1a,
        households=[household.pk],
    )  # fmt: skip
    assert numbers(found) == [earlier.number]
    assert found[0].same_household is True
    assert found[0].score >= 0.5


def test_nothing_typed_finds_nothing(county, matters):
    assert similar_matters(county.users["county_admin"], text="  ") == []
    assert similar_matters(county.users["county_admin"], text="。，！") == []


def test_the_case_itself_is_excluded(county, matters):
    admin = county.users["county_admin"]
    well = matters["well_v1"]
    found = similar_matters(admin, text=WELL_V1, node=county.g1a, exclude=well.pk)
    assert well not in [m.case for m in found]
    assert matters["well_v3"] in [m.case for m in found]
    assert well not in [m.case for m in similar_to_case(admin, well)]


def test_limit_caps_the_list(county, matters):
    for i in range(8):
        register(county, county.g1a, f"{i}号水井干了，全组吃水困难")
    found = similar_matters(county.users["county_admin"], text="水井干了吃水困难", limit=3)
    assert len(found) == 3
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)


# --- scope ---


def test_sibling_village_cadre_never_sees_the_first_villages_matter(county, matters):
    found = similar_matters(county.users["sibling"], text=WELL_V1, node=county.g2)
    assert found == []
    own = similar_matters(county.users["sibling"], text=ROAD_V2, node=county.g2)
    assert numbers(own) == [matters["road_v2"].number]


def test_village_cadre_sees_own_village_only(county, matters):
    found = similar_matters(county.users["cadre"], text=WELL_V3, node=county.g1a)
    assert [m.case for m in found] == [matters["well_v1"]]


def test_other_township_and_other_county_see_nothing_of_the_first_township(county, matters):
    assert similar_matters(county.users["other_township"], text=LAMP_V1) == []
    assert similar_matters(county.users["other_admin"], text=LAMP_V1) == []
    assert similar_matters(county.users["other_dept"], text=LAMP_V1) == []


def test_department_handler_sees_only_what_his_unit_holds_or_held(county, matters):
    handler = county.users["dept_handler"]
    assert similar_matters(handler, text=WELL_V1) == []
    case_transition(
        case=matters["well_v3"], action=Action.ASSIGN, actor=None, unit=county.department
    )
    assert [m.case for m in similar_matters(handler, text=WELL_V1)] == [matters["well_v3"]]
    # Handed on to the village station: the department held it, so it still sees it.
    case_transition(
        case=matters["well_v3"], action=Action.ESCALATE, actor=None, unit=county.station,
        note="转村里办理",
    )  # fmt: skip
    assert [m.case for m in similar_matters(handler, text=WELL_V1)] == [matters["well_v3"]]


# --- freshness and status ---


def test_a_case_registered_elsewhere_is_found_by_another_workers_index(county, matters):
    worker_b = CountyIndex(county.county.pk, 90).build()
    built_at = worker_b.built_at
    new = register(county, county.g1a, "东风村一组水塘漂着死鱼，气味很大。")
    assert not worker_b.contains(new.pk)
    assert worker_b.refresh() == 1
    assert worker_b.contains(new.pk)
    assert worker_b.built_at == built_at  # refreshed, not rebuilt
    # Through the public function (this process's own index, built before the case).
    admin = county.users["county_admin"]
    similar_matters(admin, text=WELL_V1)
    index = similar_index._indexes[county.county.pk]
    another = register(county, county.g1a, "东风村水塘又漂着死鱼，臭味很大。")
    found = similar_matters(admin, text="水塘漂着死鱼", node=county.g1a)
    assert set(numbers(found)) == {new.number, another.number}
    assert similar_index._indexes[county.county.pk] is index


def test_a_late_commit_stamped_before_the_high_water_is_caught_by_the_sweep(county, matters):
    worker_b = CountyIndex(county.county.pk, 90).build()
    late = register(county, county.g1a, "东风村一组水塘漂着死鱼，气味很大。")
    # Stamped before the newest row worker B has seen: it committed after a later stamp.
    Case.objects.filter(pk=late.pk).update(
        updated_at=worker_b.high_water - dt.timedelta(seconds=30)
    )
    assert worker_b.refresh(sweep=False) == 0
    assert not worker_b.contains(late.pk)
    assert worker_b.refresh(sweep=True) == 1
    assert worker_b.contains(late.pk)
    assert worker_b.refresh(sweep=True) == 0  # seen once, not fetched again


def test_a_merged_case_drops_out_of_the_index_and_the_answers(county, matters):
    admin = county.users["county_admin"]
    worker_b = CountyIndex(county.county.pk, 90).build()
    assert matters["well_v3"] in [m.case for m in similar_matters(admin, text=WELL_V1)]
    case_transition(
        case=matters["well_v3"], action=Action.MERGE, actor=None, parent=matters["well_v1"]
    )
    worker_b.refresh()
    assert not worker_b.contains(matters["well_v3"].pk)
    found = similar_matters(admin, text=WELL_V1)
    assert matters["well_v3"] not in [m.case for m in found]
    assert not similar_index._indexes[county.county.pk].contains(matters["well_v3"].pk)


def _finish(county, case, *, days_ago):
    at = timezone.now() - dt.timedelta(days=days_ago)
    for action, extra in [
        (Action.ASSIGN, {"unit": county.department}),
        (Action.ACCEPT, {}),
        (Action.START, {}),
        (Action.RESOLVE, {"answer": "已打新井"}),
        (Action.ANSWER, {"answer_method": "phone"}),
        (Action.CLOSE, {}),
    ]:
        case = case_transition(case=case, action=action, actor=None, at=at, **extra)
    return case


def test_recently_closed_matters_stay_and_long_closed_ones_drop_out(county, matters):
    admin = county.users["county_admin"]
    similar_matters(admin, text=WELL_V1)  # the index exists before the cases close
    recent = _finish(county, matters["well_v3"], days_ago=10)
    assert recent.status == Status.CLOSED
    assert matters["well_v3"] in [m.case for m in similar_matters(admin, text=WELL_V1)]
    old = register(county, county.g1a, "东风村一组水井干了好多天，吃水困难。")
    _finish(county, old, days_ago=120)
    assert old not in [m.case for m in similar_matters(admin, text=WELL_V1)]


def test_the_countys_recent_window_decides_what_recent_means(county, matters):
    admin = county.users["county_admin"]
    _finish(county, matters["well_v3"], days_ago=40)
    assert matters["well_v3"] in [m.case for m in similar_matters(admin, text=WELL_V1)]
    InsightRules.objects.create(county=county.county, similar_recent_days=30)
    assert matters["well_v3"] not in [m.case for m in similar_matters(admin, text=WELL_V1)]
    InsightRules.objects.filter(county=county.county).update(similar_recent_days=60)
    assert matters["well_v3"] in [m.case for m in similar_matters(admin, text=WELL_V1)]


def test_the_delta_folds_into_the_base_without_losing_or_reviving_matters(
    county, matters, monkeypatch
):
    monkeypatch.setattr(similar_index, "FOLD_AT", 3)
    admin = county.users["county_admin"]
    similar_matters(admin, text=WELL_V1)
    index = similar_index._indexes[county.county.pk]
    base_before = index.base.shape[1]
    added = [
        register(county, county.g1a, f"东风村{i}组排水沟堵塞，雨天积水进屋。") for i in range(5)
    ]
    case_transition(case=matters["lamp_v1"], action=Action.MERGE, actor=None, parent=added[0])
    found = similar_matters(admin, text="排水沟堵塞积水", limit=10)
    assert set(numbers(found)) == {c.number for c in added}
    assert index.base.shape[1] > base_before  # folded
    assert not index.contains(matters["lamp_v1"].pk)
    assert numbers(similar_matters(admin, text=WELL_V1, node=county.g1a))[0] == (
        matters["well_v1"].number
    )


def test_while_a_large_county_builds_the_lookup_falls_back_to_nearby_matters(
    county, matters, monkeypatch
):
    started = []
    monkeypatch.setattr(similar_index, "SYNC_BUILD_LIMIT", 0)
    monkeypatch.setattr(similar_index, "_start_build", lambda *a: started.append(a))
    found = similar_matters(county.users["county_admin"], text=WELL_V1_AGAIN, node=county.g1b)
    assert started
    assert county.county.pk not in similar_index._indexes
    assert numbers(found)[:1] == [matters["well_v1"].number]


# --- shared words and marking ---


def test_shared_words_are_the_longest_common_stretches_first():
    words = shared_words("东风村二组水井没水了，吃水很困难", WELL_V1)
    assert words[0] == "东风村"
    assert set(words) == {"东风村", "水井", "吃水", "困难"}
    assert shared_words("路灯", "水井") == []


def test_common_words_are_not_offered_as_shared_when_the_county_is_large():
    def idf(gram):
        return 1.0 if gram in {"希望", "望尽", "尽快"} else 9.0

    words = shared_words("希望尽快修好水井", "水井坏了，希望尽快处理", idf)
    assert words == ["水井"]


def test_a_matter_sharing_only_common_words_is_not_shown(county, matters, monkeypatch):
    from minqing.textanalysis import similarity

    # As in a large county: a bigram in 2 of these 5 matters counts as common.
    monkeypatch.setattr(similarity, "COMMON_MIN_DOCS", 1)
    monkeypatch.setattr(similarity, "COMMON_IDF", 2.0)
    admin = county.users["county_admin"]
    assert similar_matters(admin, text="希望尽快打一口新井") == []
    found = similar_matters(admin, text="东风村的水井")
    assert [m.case for m in found] == [matters["well_v1"]]
    assert found[0].shared == ["东风村"]


def test_marking_escapes_the_text_around_the_shared_words():
    html = mark("<b>水井</b>干了", ["水井"])
    assert html == "&lt;b&gt;<mark>水井</mark>&lt;/b&gt;干了"


# --- the case page's card ---


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("cadre", 200),
        ("township_staff", 200),
        ("county_supervisor", 200),
        ("sibling", 404),
        ("other_township", 404),
        ("other_admin", 404),
        ("dept_handler", 404),
    ],
)
def test_similar_card_answers_only_inside_scope(county, client_for, matters, persona, status):
    url = f"/insight/similar/{matters['well_v1'].number}/"
    response = client_for(persona).get(url)
    assert response.status_code == status
    if status == 404:
        assert WELL_V3 not in response.content.decode()


def test_similar_card_needs_a_signed_in_user(county, client_for, matters):
    response = client_for("anonymous").get(f"/insight/similar/{matters['well_v1'].number}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_case_page_loads_the_card_with_htmx(county, client_for, matters):
    number = matters["well_v1"].number
    page = client_for("cadre").get(f"/cases/{number}/")
    assert f'hx-get="/insight/similar/{number}/"' in page.text
    assert "相似事项" in page.text


def test_card_lists_matches_with_score_shared_words_and_merge_form(
    county, client_for, matters, django_assert_max_num_queries
):
    well = matters["well_v1"]
    client = client_for("county_supervisor")
    client.get(f"/insight/similar/{well.number}/")  # session and index warm
    with django_assert_max_num_queries(10):
        response = client.get(f"/insight/similar/{well.number}/")
    html = response.content.decode()
    assert f'data-number="{matters["well_v3"].number}"' in html
    assert "<mark>村一组的水井干了</mark>" in html
    assert 'data-testid="similar-score"' in html
    assert 'name="parent_number" value="{}"'.format(matters["well_v3"].number) in html
    assert f'action="/cases/{well.number}/act/"' in html
    assert 'value="merge"' in html
    assert f'data-number="{matters["lamp_v1"].number}"' not in html


def test_no_merge_button_for_those_who_cannot_merge(county, client_for, matters):
    well = matters["well_v1"]
    case_transition(case=well, action=Action.ASSIGN, actor=None, unit=county.department)
    response = client_for("dept_handler").get(f"/insight/similar/{well.number}/")
    assert response.status_code == 200
    assert 'data-testid="merge-into"' not in response.content.decode()
    merged = matters["well_v3"]
    case_transition(case=merged, action=Action.MERGE, actor=None, parent=well)
    response = client_for("county_admin").get(f"/insight/similar/{merged.number}/")
    html = response.content.decode()
    assert f'data-number="{well.number}"' in html
    assert 'data-testid="merge-into"' not in html  # a merged matter cannot be merged again


def test_merge_button_merges_this_case_into_the_similar_one(county, client_for, matters):
    duplicate = register(county, county.g1a, WELL_V1_AGAIN)
    client = client_for("cadre")
    html = client.get(f"/insight/similar/{duplicate.number}/").content.decode()
    assert f'value="{matters["well_v1"].number}"' in html
    response = client.post(
        f"/cases/{duplicate.number}/act/",
        {"action": "merge", "parent_number": matters["well_v1"].number, "note": "同一口井"},
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED
    assert duplicate.parent == matters["well_v1"]
    after = similar_matters(county.users["cadre"], text=WELL_V1_AGAIN, node=county.g1a)
    assert duplicate not in [m.case for m in after]


def test_card_says_so_when_nothing_is_similar(county, client_for, matters):
    response = client_for("cadre").get(f"/insight/similar/{matters['subsidy_v1'].number}/")
    assert 'data-testid="no-similar"' in response.content.decode()


# --- the registration page's warning ---


def _form(county, **overrides):
    data = {
        "idempotency_key": "similar-1", "channel": "hotline", "node": county.g1b.pk,
        "reporter_name": "李秀英", "reporter_phone": "13800000002",
        "original_text": WELL_V1_AGAIN, "nature": "help", "urgency": "normal",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_registering_a_likely_duplicate_shows_it_with_score_and_shared_words_first(
    county, client_for, matters
):
    client = client_for("cadre")
    response = client.post("/cases/new/", _form(county))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="similar-cases"' in html
    assert f'data-number="{matters["well_v1"].number}"' in html
    assert "<mark>水井</mark>" in html
    assert "相似度" in html
    assert Case.objects.count() == len(matters)
    confirmed = client.post("/cases/new/", _form(county, confirm_new="1"))
    assert confirmed.status_code == 302
    assert Case.objects.count() == len(matters) + 1


def test_registering_something_new_goes_straight_through(county, client_for, matters):
    response = client_for("cadre").post(
        "/cases/new/", _form(county, original_text="二组有户人家的狗经常咬人，请村里管一管。")
    )
    assert response.status_code == 302
    assert Case.objects.count() == len(matters) + 1


def test_registration_warning_shows_only_matters_in_the_clerks_scope(county, client_for, matters):
    response = client_for("sibling").post(
        "/cases/new/", _form(county, node=county.g2.pk, original_text=WELL_V1)
    )
    assert response.status_code == 302  # 东风村's well is not the sibling village's business


def test_a_matter_cannot_be_merged_into_a_finished_one(county) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    from minqing.cases.services import case_register, case_transition

    cadre = county.users["cadre"]
    old, _ = case_register(
        actor=cadre, node=county.g1a, channel="hotline", nature="help",
        original_text="一组水井抽水泵坏了", reporter_name="张建国",
    )  # fmt: skip
    case_transition(case=old, action="solve_on_spot", actor=cadre, answer="已修好")
    new, _ = case_register(
        actor=cadre, node=county.g1a, channel="hotline", nature="help",
        original_text="一组水井抽水泵又坏了", reporter_name="李秀英",
    )  # fmt: skip
    old.refresh_from_db()
    with pytest.raises(ValidationError, match="只能并入尚未办结的事项"):
        case_transition(case=new, action="merge", actor=cadre, parent=old)
    new.refresh_from_db()
    assert new.status == "registered"


@pytest.mark.django_db(transaction=True)
def test_served_workers_build_the_index_before_the_first_lookup(county) -> None:  # type: ignore[no-untyped-def]
    from minqing.cases.services import case_register
    from minqing.gunicorn_conf import warm_in_background
    from minqing.textanalysis import similar_index

    case_register(
        actor=None, node=county.g1a, channel="hotline", nature="help",
        original_text="一组水井抽水泵坏了", reporter_name="张建国",
    )  # fmt: skip
    similar_index.reset()
    warm_in_background().join(timeout=30)
    try:
        assert county.county.pk in similar_index._indexes
        assert similar_index._indexes[county.county.pk].n_docs == 1
    finally:
        similar_index.reset()  # the next test's database is another one
