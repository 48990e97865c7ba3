"""Registering and working cases through the staff pages, with scope enforced (404)."""

import pytest

from minqing.audit.models import Action as AuditAction
from minqing.audit.models import AuditEvent
from minqing.cases.models import Case
from minqing.cases.services import case_register, case_transition


def form_data(county, **overrides):
    data = {
        "idempotency_key": "key-1",
        "channel": "hotline",
        "node": county.g1a.pk,
        "reporter_name": "张建国",
        "reporter_phone": "13800000001",
        "original_text": "一组路灯坏了三个月，晚上出行不便。",
        "nature": "help",
        "urgency": "normal",
    }
    data.update(overrides)
    return data


def make_case(county, node=None, text="二组水渠堵塞，田里灌不上水"):
    case, _ = case_register(
        actor=None, node=node or county.g1b, channel="walk_in", nature="help",
        original_text=text, reporter_name="李秀英",
    )  # fmt: skip
    return case


def test_register_page_offers_only_places_in_scope(county, client_for):
    response = client_for("cadre").get("/cases/new/")
    assert response.status_code == 200
    assert "东风村" in response.text
    assert "西岭村" not in response.text
    assert 'name="idempotency_key"' in response.text


def test_registering_redirects_to_the_case_page(county, client_for):
    client = client_for("township_staff")
    response = client.post("/cases/new/", form_data(county))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.number}/"
    page = client.get(response["Location"])
    assert case.number in page.text
    assert "登记成功" in page.text
    assert "一组路灯坏了三个月" in page.text


def test_double_submit_creates_one_case(county, client_for):
    client = client_for("township_staff")
    first = client.post("/cases/new/", form_data(county))
    second = client.post("/cases/new/", form_data(county))
    assert Case.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_validation_errors_are_chinese_and_nothing_is_saved(county, client_for):
    response = client_for("township_staff").post(
        "/cases/new/", form_data(county, reporter_name="", original_text="  ", reporter_phone="abc")
    )
    assert response.status_code == 200
    assert "请填写反映人姓名" in response.text
    assert "请输入有效的电话号码" in response.text
    assert Case.objects.count() == 0


def test_place_outside_scope_is_rejected(county, client_for):
    response = client_for("cadre").post("/cases/new/", form_data(county, node=county.g2.pk))
    assert response.status_code == 200
    assert Case.objects.count() == 0


def test_similar_open_case_is_shown_before_registering_a_duplicate(county, client_for):
    make_case(county, node=county.g1a, text="一组路灯坏了，晚上出行不便")
    client = client_for("township_staff")
    response = client.post("/cases/new/", form_data(county))
    assert response.status_code == 200
    assert 'data-testid="similar-cases"' in response.text
    assert Case.objects.count() == 1
    confirmed = client.post("/cases/new/", form_data(county, confirm_new="1"))
    assert confirmed.status_code == 302
    assert Case.objects.count() == 2


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("cadre", True),
        ("township_staff", True),
        ("county_supervisor", True),
        ("liaison", False),  # the case sits in 二组, the liaison serves 一组
        ("sibling", False),
        ("other_township", False),
        ("dept_handler", False),
        ("other_admin", False),
    ],
)
def test_case_page_is_404_outside_scope(county, client_for, persona, visible):
    case = make_case(county)
    response = client_for(persona).get(f"/cases/{case.number}/")
    assert response.status_code == (200 if visible else 404)
    if not visible:
        assert AuditEvent.objects.filter(
            action=AuditAction.DENIED, object_id__contains=case.number
        ).exists()


def test_department_sees_a_case_once_assigned_to_it(county, client_for):
    case = make_case(county)
    client = client_for("dept_handler")
    assert client.get(f"/cases/{case.number}/").status_code == 404
    case_transition(case=case, action="assign", actor=None, unit=county.department)
    assert client.get(f"/cases/{case.number}/").status_code == 200
    assert case.number in client.get("/cases/").text


def test_assign_then_accept_through_the_page(county, client_for):
    case = make_case(county)
    client_for("township_staff").post(
        f"/cases/{case.number}/act/", {"action": "assign", "unit": county.station.pk}
    )
    case.refresh_from_db()
    assert case.status == "assigned"
    cadre = client_for("cadre")
    assert case.number in cadre.get("/cases/").text  # in the station's work queue
    cadre.post(f"/cases/{case.number}/act/", {"action": "accept"})
    case.refresh_from_db()
    assert (case.status, case.handler) == ("accepted", county.users["cadre"])


def test_illegal_action_shows_a_message_and_changes_nothing(county, client_for):
    case = make_case(county)
    client = client_for("township_staff")
    response = client.post(
        f"/cases/{case.number}/act/", {"action": "rate", "rating": "satisfied"}, follow=True
    )
    assert "不能执行" in response.text
    case.refresh_from_db()
    assert case.status == "registered"


def test_outsider_cannot_act_on_a_case(county, client_for):
    case = make_case(county)
    response = client_for("sibling").post(
        f"/cases/{case.number}/act/", {"action": "note", "note": "x"}
    )
    assert response.status_code == 404
    assert case.events.count() == 1


def test_only_the_holder_or_a_level_above_may_work_a_case(county, client_for):
    case = make_case(county)
    case_transition(case=case, action="assign", actor=None, unit=county.center)
    # A village cadre sees the case (it is in the village) but the township center holds it.
    response = client_for("cadre").post(f"/cases/{case.number}/act/", {"action": "accept"})
    assert response.status_code == 404
    client_for("township_staff").post(f"/cases/{case.number}/act/", {"action": "accept"})
    case.refresh_from_db()
    assert case.status == "accepted"


def test_search_finds_two_character_words_and_numbers(county, client_for):
    lamp = make_case(county, text="村口路灯不亮")
    make_case(county, text="低保申请进度")
    client = client_for("township_staff")
    response = client.get("/cases/all/", {"q": "路灯"})
    assert lamp.number in response.text
    assert "低保" not in response.text
    assert lamp.number in client.get("/cases/all/", {"q": lamp.number}).text


def test_list_filters_by_status_and_overdue(county, client_for):
    case = make_case(county)
    Case.objects.filter(pk=case.pk).update(deadline=case.deadline.replace(year=2020))
    fresh = make_case(county, text="新的事项")
    client = client_for("township_staff")
    overdue = client.get("/cases/all/", {"overdue": "1"}).text
    assert case.number in overdue
    assert fresh.number not in overdue
    assert fresh.number in client.get("/cases/all/", {"status": "registered"}).text
    assert fresh.number not in client.get("/cases/all/", {"status": "closed"}).text


def test_due_return_visit_appears_in_the_handlers_queue(county, client_for):
    import datetime as dt

    case = make_case(county)
    steps = [
        ("assign", {"unit": county.station}),
        ("accept", {}),
        ("resolve", {"answer": "已疏通"}),
        ("answer", {"answer_method": "phone"}),
    ]
    for action, extra in steps:
        case = case_transition(case=case, action=action, actor=county.users["cadre"], **extra)
    client = client_for("cadre")
    assert case.number not in client.get("/cases/").text  # visit not due yet
    Case.objects.filter(pk=case.pk).update(return_visit_due=dt.date.today() - dt.timedelta(days=1))
    assert case.number in client.get("/cases/").text


def test_register_links_households_by_code_or_head_name(county, client_for):
    h1a, h1b = county.households["H1a"], county.households["H1b"]
    client = client_for("township_staff")
    client.post("/cases/new/", form_data(county, households=f"{h1a.code}，李秀英"))
    case = Case.objects.get()
    assert set(case.households.all()) == {h1a, h1b}


def test_unknown_or_out_of_scope_household_is_refused(county, client_for):
    response = client_for("cadre").post(
        "/cases/new/", form_data(county, households=county.households["H2"].code)
    )
    assert "找不到户" in response.text
    assert Case.objects.count() == 0


def test_same_household_open_case_is_offered_as_a_duplicate(county, client_for):
    h1a = county.households["H1a"]
    earlier, _ = case_register(
        actor=None, node=county.g1a, channel="walk_in", nature="help",
        original_text="申请危房改造补助", reporter_name="张建国", households=[h1a],
    )  # fmt: skip
    response = client_for("township_staff").post(
        "/cases/new/", form_data(county, households=h1a.code, original_text="完全不同的话题")
    )
    assert earlier.number in response.text
    assert Case.objects.count() == 1


def test_coordinates_and_photo_are_saved_with_the_registration(
    county, client_for, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile(
        "p.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 10, content_type="image/png"
    )
    client = client_for("township_staff")
    response = client.post(
        "/cases/new/",
        {**form_data(county, latitude="30.123456", longitude="120.654321"), "files": photo},
    )
    # The PNG signature is right but the image is corrupt: refused, and no case either.
    assert response.status_code == 200
    assert Case.objects.count() == 0
    import io

    from PIL import Image

    good = io.BytesIO()
    Image.new("RGB", (4, 4)).save(good, format="PNG")
    photo = SimpleUploadedFile("p.png", good.getvalue(), content_type="image/png")
    response = client.post(
        "/cases/new/",
        {**form_data(county, latitude="30.123456", longitude="120.654321"), "files": photo},
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (str(case.latitude), str(case.longitude)) == ("30.123456", "120.654321")
    assert case.attachments.count() == 1


def test_disguised_file_at_intake_saves_nothing(county, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client_for("township_staff").post("/cases/new/", {**form_data(county), "files": bad})
    assert "内容与扩展名不符" in response.text
    assert Case.objects.count() == 0


def test_list_filters_by_place_level_and_category(county, client_for):
    from minqing.cases.models import Category
    from minqing.cases.services import categories_ensure_default

    categories_ensure_default(county=county.county, audit=False)
    water = Category.objects.get(county=county.county, code="04")
    in_v1 = make_case(county, node=county.g1a, text="一组邻里纠纷")
    Case.objects.filter(pk=in_v1.pk).update(category=Category.objects.filter(parent=water).first())
    in_v2 = make_case(county, node=county.g2, text="西岭村道路")
    case_transition(case=in_v2, action="assign", actor=None, unit=county.department)
    client = client_for("township_staff")
    by_place = client.get("/cases/all/", {"node": county.v1.path}).text
    assert in_v1.number in by_place
    assert in_v2.number not in by_place
    by_level = client.get("/cases/all/", {"level": "department"}).text
    assert in_v2.number in by_level
    assert in_v1.number not in by_level
    by_category = client.get("/cases/all/", {"category": "04"}).text
    assert in_v1.number in by_category
    assert in_v2.number not in by_category


def test_staff_edit_the_summary_but_never_the_residents_words(county, client_for):
    case = make_case(county)
    original = case.original_text
    client = client_for("township_staff")
    response = client.post(
        f"/cases/{case.number}/edit/",
        {"title": "二组水渠堵塞（已核实）", "description": "核实后补充", "nature": "complaint",
         "urgency": "important", "must_report": "", "original_text": "篡改"},
    )  # fmt: skip
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.title, case.urgency, case.nature) == (
        "二组水渠堵塞（已核实）",
        "important",
        "complaint",
    )
    assert case.original_text == original
    note = case.events.filter(action="note").latest("id").note
    assert "事项摘要" in note
    assert "紧急程度" in note
    assert (
        client_for("sibling").post(f"/cases/{case.number}/edit/", {"title": "x"}).status_code == 404
    )
