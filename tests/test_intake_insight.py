"""The intake form's insight panel as the clerk types: the county's category suggestions
with the words that drove them, routing, urgency flags and similar matters in scope."""

from __future__ import annotations

from pathlib import Path

import pytest

from minqing.cases.models import Case, Category, Channel, Nature
from minqing.cases.services import case_register, case_transition, categories_ensure_default
from minqing.textanalysis.models import CategoryConfirmation, ModelKind, ModelStatus
from minqing.textanalysis.services import examples_import, model_request_training

FIXTURE = Path(__file__).parent / "fixtures" / "textanalysis" / "county_labelled.csv"


@pytest.fixture
def trained(county, settings, tmp_path, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    settings.MINQING_MODEL_DIR = tmp_path / "models"
    categories_ensure_default(county=county.county, audit=False)
    examples_import(county=county.county, data=FIXTURE.read_bytes(), file_name="x.csv", actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        row = model_request_training(county=county.county, kind=ModelKind.CATEGORY, actor=None)
    row.refresh_from_db()
    assert row.status == ModelStatus.READY, row.error
    return county


def _suggest(client, **fields):  # type: ignore[no-untyped-def]
    return client.post("/insight/suggest/", fields)


def test_typing_a_matter_suggests_the_category_and_marks_the_words(trained, client_for) -> None:
    response = _suggest(
        client_for("cadre"), original_text="二组路口的路灯坏了，晚上黑乎乎的", node=trained.g1a.pk
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="insight-categories"' in page
    top = Category.objects.get(county=trained.county, name="村容村貌整治")
    first_button = page.index("data-mq-category")
    assert page[first_button : first_button + 40].count(f'"{top.pk}"') == 1
    assert "<mark>路灯</mark>" in page
    assert f'name="insight_suggested" value="{top.code}"' in page


def test_the_panel_flags_urgent_words_with_the_reason(trained, client_for) -> None:
    page = _suggest(
        client_for("cadre"), original_text="组里的电线杆倒了，电线掉在地上漏电，小孩在旁边玩"
    ).content.decode()
    assert 'data-testid="insight-flags"' in page
    assert "<mark>漏电</mark>" in page
    assert "紧急" in page


def test_similar_matters_show_only_inside_the_users_scope(trained, client_for) -> None:
    case_register(
        actor=trained.users["cadre"], node=trained.g1a, channel=Channel.HOTLINE,
        nature=Nature.HELP, original_text="一组的水井抽水泵坏了，全组吃水困难",
        reporter_name="张建国",
    )  # fmt: skip
    text = "一组水井的抽水泵又坏了，吃水困难"
    mine = _suggest(client_for("colleague"), original_text=text, node=trained.g1a.pk)
    assert 'data-testid="insight-similar"' in mine.content.decode()
    theirs = _suggest(client_for("sibling"), original_text=text, node=trained.g2.pk)
    assert "水井抽水泵坏了" not in theirs.content.decode()


def test_a_place_outside_scope_is_ignored_and_short_text_stays_quiet(trained, client_for) -> None:
    client = client_for("sibling")
    response = _suggest(client, original_text="路灯坏了很久了", node=trained.g1a.pk)
    assert response.status_code == 200
    assert 'data-testid="insight-idle"' in _suggest(client, original_text="路灯").content.decode()


def test_only_staff_who_register_cases_may_ask(trained, client_for, client) -> None:
    assert _suggest(client_for("dept_handler"), original_text="路灯坏了很久").status_code == 404
    assert _suggest(client, original_text="路灯坏了很久").status_code == 302  # sign in first


def test_registering_keeps_the_chosen_category_and_the_suggestion(trained, client_for) -> None:
    leaf = Category.objects.get(county=trained.county, name="通路")
    response = client_for("cadre").post(
        "/cases/new/",
        {
            "original_text": "通组公路被雨冲坏了一段，车过不去",
            "channel": Channel.HOTLINE, "node": trained.g1a.pk, "nature": Nature.HELP,
            "urgency": "normal", "reporter_name": "张建国", "category": leaf.pk,
            "idempotency_key": "k-insight-1", "confirm_new": "1",
            "insight_suggested": "07", "insight_model": "",
        },
    )  # fmt: skip
    assert response.status_code == 302
    case = Case.objects.get(idempotency_key="k-insight-1")
    confirmation = CategoryConfirmation.objects.get(case=case)
    assert confirmation.category == leaf
    assert confirmation.suggested.code == "07"


def _train_routing(county, capture) -> None:  # type: ignore[no-untyped-def]
    cadre = county.users["cadre"]
    texts = {
        county.station: ["路灯坏了请修一下", "垃圾没人清运", "邻居吵架请调解", "村口水沟堵了"],
        county.department: ["低保申请怎么办", "残疾补贴怎么领", "养老院入住申请", "临时救助申请"],
    }
    for unit, items in texts.items():
        for n, text in enumerate(items * 3):
            case, _ = case_register(
                actor=cadre, node=county.g1a, channel=Channel.HOTLINE, nature=Nature.HELP,
                original_text=f"{text}（{n}）", reporter_name="张建国",
            )  # fmt: skip
            case_transition(case=case, action="assign", actor=cadre, unit=unit)
    from minqing.textanalysis.models import InsightRules

    InsightRules.objects.create(county=county.county, min_training_cases=10)
    with capture(execute=True):
        row = model_request_training(county=county.county, kind=ModelKind.ROUTING, actor=None)
    row.refresh_from_db()
    assert row.status == ModelStatus.READY, row.error


def test_the_case_page_offers_to_assign_as_suggested(
    trained, client_for, django_capture_on_commit_callbacks
) -> None:
    _train_routing(trained, django_capture_on_commit_callbacks)
    case, _ = case_register(
        actor=trained.users["township_staff"], node=trained.g1b, channel=Channel.HOTLINE,
        nature=Nature.HELP, original_text="二组路灯坏了，晚上看不见路", reporter_name="李秀英",
    )  # fmt: skip
    panel = client_for("township_staff").get(f"/insight/case/{case.number}/").content.decode()
    assert 'data-testid="assign-as-suggested"' in panel
    assert trained.station.name in panel
    client_for("township_staff").post(
        f"/cases/{case.number}/act/",
        {"action": "assign", "unit": trained.station.pk, "note": "按智能提示交办"},
    )
    case.refresh_from_db()
    assert case.status == "assigned"
    assert case.unit == trained.station
    # Once it sits with that unit, the button is gone.
    panel = client_for("township_staff").get(f"/insight/case/{case.number}/").content.decode()
    assert 'data-testid="assign-as-suggested"' not in panel


def test_routing_is_learned_from_past_assignments_and_place(
    trained, client_for, django_capture_on_commit_callbacks
) -> None:
    _train_routing(trained, django_capture_on_commit_callbacks)
    page = _suggest(
        client_for("cadre"), original_text="想申请低保，家里困难", node=trained.g1a.pk
    ).content.decode()
    assert 'data-testid="insight-routing"' in page
    assert "县直部门办理" in page
    assert trained.department.name in page


def test_the_case_page_panel_answers_404_outside_scope(trained, client_for) -> None:
    case, _ = case_register(
        actor=trained.users["cadre"], node=trained.g1a, channel=Channel.HOTLINE,
        nature=Nature.HELP, original_text="村口路灯坏了", reporter_name="张建国",
    )  # fmt: skip
    url = f"/insight/case/{case.number}/"
    assert 'data-testid="case-insight"' in client_for("cadre").get(url).content.decode()
    assert client_for("sibling").get(url).status_code == 404
    assert client_for("other_admin").get(url).status_code == 404


def test_staff_adopt_the_suggested_category_on_the_case_page(trained, client_for) -> None:
    case, _ = case_register(
        actor=trained.users["cadre"], node=trained.g1a, channel=Channel.PORTAL,
        nature=Nature.HELP, original_text="村口的路灯坏了一个月了", anonymous=True,
    )  # fmt: skip
    panel = client_for("cadre").get(f"/insight/case/{case.number}/").content.decode()
    assert 'data-testid="adopt-category"' in panel
    top = Category.objects.get(county=trained.county, name="村容村貌整治")
    url = f"/insight/case/{case.number}/category/"
    assert client_for("sibling").post(url, {"category": top.pk}).status_code == 404
    client_for("cadre").post(url, {"category": top.pk, "insight_suggested": top.code})
    case.refresh_from_db()
    assert case.category == top
    assert CategoryConfirmation.objects.get(case=case).accepted
    assert case.events.filter(action="note", note__contains="分类").exists()


def test_correcting_the_category_in_the_details_form_updates_the_training_data(
    trained, client_for
) -> None:
    first = Category.objects.get(county=trained.county, name="村容村貌整治")
    second = Category.objects.get(county=trained.county, name="农村矛盾纠纷")
    case, _ = case_register(
        actor=trained.users["cadre"], node=trained.g1a, channel=Channel.HOTLINE,
        nature=Nature.HELP, original_text="两家为排水沟吵起来了", reporter_name="张建国",
        category=first,
    )  # fmt: skip
    client_for("cadre").post(
        f"/cases/{case.number}/edit/",
        {"title": case.title, "description": case.description, "category": second.pk,
         "nature": case.nature, "urgency": case.urgency, "must_report": ""},
    )  # fmt: skip
    assert CategoryConfirmation.objects.get(case=case).category == second


def test_a_reshown_form_keeps_the_suggestion_until_the_panel_reloads(trained, client_for) -> None:
    page = client_for("cadre").post(
        "/cases/new/",
        {"original_text": "", "insight_suggested": "07", "insight_model": "3"},
    )
    assert 'name="insight_suggested" value="07"' in page.content.decode()


def test_adopting_a_malformed_category_answers_404(trained, client_for) -> None:
    case, _ = case_register(
        actor=trained.users["cadre"], node=trained.g1a, channel=Channel.HOTLINE,
        nature=Nature.HELP, original_text="村口路灯坏了", reporter_name="张建国",
    )  # fmt: skip
    url = f"/insight/case/{case.number}/category/"
    assert client_for("cadre").post(url, {"category": "abc"}).status_code == 404
