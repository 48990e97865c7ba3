"""The four paper forms of seed 004 as PDFs: scoped like the case page, Chinese text in an
embedded TrueType font, reporter phone masked, anonymous reporters never named."""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import pytest
from pypdf import PdfReader

from minqing.audit.models import AuditEvent
from minqing.cases.models import Case
from minqing.cases.services import case_register, case_transition

FORMS = {
    "collect": "民情民意收集登记表",
    "handle": "民情民意办理登记表",
    "feedback": "民情民意办理情况反馈意见表",
    "rating": "监督评议情况登记表",
}
PHONE = "13812345678"


def worked_case(county, **reporter) -> Case:
    """A case in 二组 taken all the way from registration to a 基本满意 rating."""
    staff = county.users["township_staff"]
    defaults = {
        "reporter_name": "李秀英",
        "reporter_phone": PHONE,
        "reporter_address": "东风村二组18号",
        "reporter_work_unit": "东风村农机合作社",
    }
    case, _ = case_register(
        actor=staff, node=county.g1b, channel="walk_in", nature="help",
        original_text="二组水渠堵塞，田里灌不上水，请尽快疏通。", **(defaults | reporter),
    )  # fmt: skip
    steps = [
        ("assign", {"unit": county.station}),
        ("accept", {}),
        ("start", {}),
        ("first_contact", {"note": "已电话联系反映人，约定明天上门查看"}),
        ("resolve", {"answer": "已组织村民疏通水渠两百米，恢复灌溉。"}),
        ("answer", {"answer_method": "visit"}),
        ("rate", {"rating": "basically", "rating_comment": "水通了，希望以后定期清理"}),
    ]
    for action, extra in steps:
        case = case_transition(case=case, action=action, actor=county.users["cadre"], **extra)
    return case


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize("form", FORMS)
def test_each_form_downloads_as_an_inline_pdf(county, client_for, form):
    case = worked_case(county)
    response = client_for("township_staff").get(f"/cases/{case.number}/pdf/{form}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; filename*=utf-8''")
    assert unquote(disposition.split("''", 1)[1]).startswith(f"{case.number}-")
    assert FORMS[form] in pdf_text(response.content)


def test_file_name_names_the_form_in_chinese(county, client_for):
    case = worked_case(county)
    response = client_for("cadre").get(f"/cases/{case.number}/pdf/collect/")
    name = unquote(response["Content-Disposition"].split("''", 1)[1])
    assert name == f"{case.number}-收集登记表.pdf"


def test_case_page_links_the_four_forms(county, client_for):
    case = worked_case(county)
    page = client_for("township_staff").get(f"/cases/{case.number}/").text
    for form, title in FORMS.items():
        assert f'href="/cases/{case.number}/pdf/{form}/"' in page
        assert title in page


@pytest.mark.parametrize("form", FORMS)
def test_out_of_scope_user_gets_404(county, client_for, form):
    case = worked_case(county)
    response = client_for("sibling").get(f"/cases/{case.number}/pdf/{form}/")
    assert response.status_code == 404


def test_unknown_form_and_unknown_case_are_404(county, client_for):
    case = worked_case(county)
    client = client_for("township_staff")
    assert client.get(f"/cases/{case.number}/pdf/summary/").status_code == 404
    assert client.get("/cases/209901999/pdf/collect/").status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in(county, client_for):
    case = worked_case(county)
    response = client_for("anonymous").get(f"/cases/{case.number}/pdf/collect/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_downloading_records_nothing(county, client_for):
    case = worked_case(county)
    client = client_for("township_staff")  # signing in is audited; count after it
    audit, events = AuditEvent.objects.count(), case.events.count()
    client.get(f"/cases/{case.number}/pdf/handle/")
    assert (AuditEvent.objects.count(), case.events.count()) == (audit, events)


def test_font_is_embedded_truetype_not_a_builtin_cid_font(county, client_for):
    case = worked_case(county)
    content = client_for("township_staff").get(f"/cases/{case.number}/pdf/collect/").content
    assert b"/FontFile2" in content  # an embedded TrueType font program
    assert b"STSong" not in content
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(io.BytesIO(content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("WenQuanYiMicroHei" in name for name in fonts)


def test_collect_form_has_the_reporter_and_the_matter_in_their_words(county, client_for):
    case = worked_case(county)
    content = client_for("township_staff").get(f"/cases/{case.number}/pdf/collect/").content
    text = pdf_text(content)
    for expected in ("李秀英", "东风村二组18号", "东风村农机合作社", case.number, "吴镇干"):
        assert expected in text
    assert "二组水渠堵塞，田里灌不上水" in text
    assert "138****5678" in text
    assert PHONE not in text
    assert PHONE.encode() not in content


def test_handle_form_lists_the_handling_steps(county, client_for):
    case = worked_case(county)
    text = pdf_text(client_for("township_staff").get(f"/cases/{case.number}/pdf/handle/").content)
    steps = (
        "交办",
        "签收",
        "先行联系",
        "已电话联系反映人",
        "办结",
        "赵村官",
        "东风村民情民意联络服务站",
    )
    for expected in steps:
        assert expected in text


def test_feedback_and_rating_forms_carry_the_answer_and_the_rating(county, client_for):
    case = worked_case(county)
    client = client_for("township_staff")
    feedback = pdf_text(client.get(f"/cases/{case.number}/pdf/feedback/").content)
    assert "已组织村民疏通水渠两百米" in feedback
    assert "经办人：赵村官" in feedback
    # Every option is printed; the tick (√) stands right before the chosen one.
    assert re.search(r"电话\s*√\s*上门\s*短信", feedback)
    rating = pdf_text(client.get(f"/cases/{case.number}/pdf/rating/").content)
    assert re.search(r"满意\s*√\s*基本满意\s*不满意", rating)
    assert rating.count("√") == 1
    assert "希望以后定期清理" in rating


def test_unrated_case_prints_empty_boxes_to_fill_in_by_hand(county, client_for):
    case, _ = case_register(
        actor=None, node=county.g1b, channel="hotline", nature="help",
        original_text="路灯不亮", reporter_name="王五",
    )  # fmt: skip
    text = pdf_text(client_for("cadre").get(f"/cases/{case.number}/pdf/rating/").content)
    assert re.search(r"满意\s*基本满意\s*不满意", text)
    assert "√" not in text


@pytest.mark.parametrize("form", FORMS)
def test_anonymous_reporter_prints_as_anonymous(county, client_for, form):
    case = worked_case(county, anonymous=True, reporter_name="", reporter_phone="")
    content = client_for("township_staff").get(f"/cases/{case.number}/pdf/{form}/").content
    assert "匿名" in pdf_text(content)


def test_confidential_reporter_is_not_named(county, client_for):
    case = worked_case(county, confidential=True)
    text = pdf_text(client_for("township_staff").get(f"/cases/{case.number}/pdf/collect/").content)
    assert "保密" in text
    assert "李秀英" not in text
    assert "138****5678" not in text


def test_forms_stay_chinese_for_an_english_user(county, client_for):
    case = worked_case(county)
    client = client_for("township_staff")
    client.cookies["django_language"] = "en"
    text = pdf_text(client.get(f"/cases/{case.number}/pdf/handle/").content)
    assert "交办" in text
    assert "Assign" not in text


def test_a_very_long_complaint_runs_onto_a_second_page(county, client_for):
    case = worked_case(county)
    Case.objects.filter(pk=case.pk).update(original_text="水渠常年堵塞，" * 900)
    content = client_for("township_staff").get(f"/cases/{case.number}/pdf/collect/").content
    assert 2 <= len(PdfReader(io.BytesIO(content)).pages) <= 5
    assert pdf_text(content).count("塞") == 900  # every word printed, none cut off
