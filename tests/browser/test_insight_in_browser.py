"""Done-means of 民情分析 at intake, in a real browser: a township clerk types a hotline
call about a village well and, while typing, sees the right category, the level that
should handle it, the urgency reason and the two earlier matters from the same village
about the same well — and registers it with the suggested category in one click."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from minqing.cases.models import Case, Category, Channel, Nature
from minqing.cases.services import case_register, case_transition, categories_ensure_default
from minqing.textanalysis.models import CategoryConfirmation, InsightRules, ModelKind, TextModel
from minqing.textanalysis.services import examples_import, model_train
from tests.browser.test_case_loop_in_browser import sign_in

pytestmark = pytest.mark.browser
FIXTURE = Path(__file__).parent.parent / "fixtures" / "textanalysis" / "county_labelled.csv"


@pytest.fixture
def history(county, settings, tmp_path):  # type: ignore[no-untyped-def]
    """Past matters routed in the township (in 西岭村), an imported labelled file, trained
    models, and two earlier calls from 东风村 about its well."""
    settings.MINQING_MODEL_DIR = tmp_path / "models"
    categories_ensure_default(county=county.county, audit=False)
    examples_import(county=county.county, data=FIXTURE.read_bytes(), file_name="x", actor=None)
    InsightRules.objects.create(county=county.county, min_training_cases=10)
    staff = county.users["township_staff"]
    routed = {
        county.center: ["公用水井抽水泵坏了", "组里水井水质变浑", "饮水管道爆裂", "水池漏水没人修"],
        county.station: ["路灯坏了请修", "垃圾没人清运", "邻居吵架请调解", "村口水沟堵了"],
    }
    for unit, texts in routed.items():
        for n, text in enumerate(texts * 3):
            case, _ = case_register(
                actor=staff, node=county.g2, channel=Channel.HOTLINE,
                nature=Nature.HELP, original_text=f"{text}（{n}）", reporter_name="王德明",
            )  # fmt: skip
            case_transition(case=case, action="assign", actor=staff, unit=unit)
    for kind in (ModelKind.CATEGORY, ModelKind.ROUTING):
        assert model_train(
            model=TextModel.objects.create(county=county.county, kind=kind, version=1)
        ).active
    county.earlier = []
    earlier = [
        ("东风村一组的公用水井抽水泵坏了，几十户人家要到河边挑水。", county.households["H1a"]),
        ("二组这边也靠东风村那口水井吃水，水泵坏了好几天还没人修。", county.households["H1b"]),
    ]
    for text, household in earlier:
        case, _ = case_register(
            actor=county.users["cadre"], node=household.group, channel=Channel.TALK_DAY,
            nature=Nature.HELP, original_text=text, reporter_name=household.head_name,
            households=[household],
        )  # fmt: skip
        county.earlier.append(case.number)
    case_register(
        actor=county.users["sibling"], node=county.g2, channel=Channel.HOTLINE,
        nature=Nature.HELP, original_text="西岭村小学门口的路灯坏了。", reporter_name="王德明",
    )  # fmt: skip
    return county


def test_clerk_sees_category_level_and_the_same_well_while_typing(
    history, live_server, browser, artifacts
):
    clerk = browser.new_context(locale="zh-CN").new_page()
    sign_in(clerk, live_server, "township_staff")
    clerk.goto(f"{live_server.url}/cases/new/")
    clerk.select_option("#id_node", str(history.g1a.pk))
    clerk.select_option("#id_channel", "hotline")
    clerk.locator("#id_original_text").press_sequentially(
        "东风村一组的水井抽水泵又坏了，我们一组十几户没有水吃，请尽快派人修。", delay=15
    )
    panel = clerk.locator("#insight-panel")
    # The panel follows the typing; wait for the render of the whole call.
    expect(panel.locator("[data-testid=insight-highlighted]")).to_contain_text(
        "请尽快派人修", timeout=15000
    )
    panel.locator("[data-testid=insight-similar]").wait_for()
    categories = panel.locator("[data-testid=insight-categories] [data-mq-category]")
    assert categories.count() == 3
    assert categories.first.inner_text().startswith("群众关注的热点难点")
    assert "<mark>" in panel.locator("[data-testid=insight-highlighted]").inner_html()
    routing = panel.locator("[data-testid=insight-routing]").inner_text()
    assert "乡镇(街道)办理" in routing
    assert history.center.name in routing
    similar = panel.locator("[data-testid=insight-similar] .list-group-item")
    texts = similar.all_inner_texts()
    # The two earlier calls from the same village about the same well come first.
    top_two = " ".join(texts[:2])
    assert all(number in top_two for number in history.earlier), texts
    assert not any("西岭村小学" in t for t in texts)
    clerk.screenshot(path=str(artifacts / "insight-intake.png"), full_page=True)

    categories.first.click()
    top = Category.objects.get(county=history.county, name="群众关注的热点难点")
    assert clerk.locator("#id_category").input_value() == str(top.pk)
    clerk.select_option("#id_nature", "help")
    clerk.fill("#id_reporter_name", "张建国")
    clerk.click("button[type=submit].btn-lg")
    # The look-alikes are shown once more before a second registration; it is a new call.
    clerk.locator("[data-testid=similar-cases]").wait_for()
    clerk.locator("#insight-panel [data-testid=insight-categories]").wait_for()
    clerk.click("button[name=confirm_new]")
    clerk.wait_for_url(f"{live_server.url}/cases/*/")
    case = Case.objects.get(number=clerk.inner_text("[data-testid=case-number]"))
    confirmation = CategoryConfirmation.objects.get(case=case)
    assert confirmation.accepted
    assert confirmation.category == top
    clerk.locator("[data-testid=case-insight]").wait_for()
    clerk.screenshot(path=str(artifacts / "insight-case.png"), full_page=True)


def test_on_a_phone_the_suggestions_sit_under_the_text_box(
    history, live_server, browser, artifacts
):
    cadre = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    sign_in(cadre, live_server, "cadre")
    cadre.goto(f"{live_server.url}/cases/new/")
    cadre.select_option("#id_node", str(history.g1a.pk))
    cadre.locator("#id_original_text").press_sequentially(
        "一组的水井抽水泵又坏了，没水吃。", delay=10
    )
    panel = cadre.locator("#insight-panel")
    expect(panel.locator("[data-testid=insight-similar]")).to_be_visible(timeout=15000)
    text_box = cadre.locator("#id_original_text").bounding_box()
    card = cadre.locator("#insight-card").bounding_box()
    channel = cadre.locator("#id_channel").bounding_box()
    assert text_box["y"] < card["y"] < channel["y"]
    assert card["x"] + card["width"] <= 390
    cadre.screenshot(path=str(artifacts / "insight-intake-phone.png"), full_page=True)
