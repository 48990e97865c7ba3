"""The four paper forms of seed 004 as printable A4 PDFs of one case.

民情民意收集登记表, 民情民意办理登记表, 民情民意办理情况反馈意见表 and 监督评议情况登记表
are reproduced as bordered tables like the paper. The Chinese text is set in WenQuanYi
Micro Hei (static/fonts/), embedded as a TrueType subset: reportlab's built-in CID fonts
(STSong-Light) are not embedded and print as boxes on machines without Chinese fonts.

The forms are official Chinese documents, so their labels are plain Chinese strings, not
gettext messages, and rendering switches to Chinese so choice labels match them whatever
language the user's pages are in. Reporter identity follows the case page: phones are
always masked, anonymous and confidential cases print 匿名 / 保密 instead.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from itertools import groupby

from django.utils import timezone, translation
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from minqing.cases.models import AnswerMethod, Case, CaseEvent, Rating
from minqing.cases.workflow import Action
from minqing.lib.pdffont import FONT, cjk_font
from minqing.org.models import Level

MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN  # usable width of the page
LABEL_W = 27 * mm
VALUE_W = WIDTH / 2 - LABEL_W
GREY = colors.Color(0.93, 0.93, 0.93)  # label cells: visible on screen, light on paper
# FONTNAME as well: tables otherwise name Helvetica, a second font that is not embedded.
ALL = ((0, 0), (-1, -1))
_RULED = [("FONTNAME", *ALL, FONT), ("GRID", *ALL, 0.8, colors.black)]


_font = cjk_font


@cache
def _styles() -> dict[str, ParagraphStyle]:
    # wordWrap="CJK" breaks lines between any two Han characters, as Chinese needs.
    base = ParagraphStyle("base", fontName=_font(), fontSize=10.5, leading=15, wordWrap="CJK")
    head = ParagraphStyle("head", base, fontSize=11)
    return {
        "title": ParagraphStyle("title", base, fontSize=18, leading=26, alignment=TA_CENTER),
        "head": head,
        "head_right": ParagraphStyle("head_right", head, alignment=TA_RIGHT),
        "section": ParagraphStyle("section", head, spaceBefore=4 * mm, spaceAfter=2 * mm),
        "label": ParagraphStyle("label", base, alignment=TA_CENTER),
        "value": base,
        "small": ParagraphStyle("small", base, fontSize=9, leading=13),
    }


def _p(text: str, style: str = "value") -> Paragraph:
    # Residents' words are data, not markup: escape them and keep their line breaks.
    return Paragraph(escape(text).replace("\n", "<br/>"), _styles()[style])


def _when(value: dt.datetime | dt.date | None) -> str:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y年%m月%d日 %H:%M")
    return value.strftime("%Y年%m月%d日") if value else ""


def _name(user: object | None) -> str:
    return user.get_full_name() if user is not None else ""  # type: ignore[attr-defined]


class _Choices(Flowable):
    """Every option with a box before it, the chosen one ticked, like the paper form."""

    def __init__(self, options: Sequence[tuple[str, str]], chosen: str) -> None:
        super().__init__()
        self.options, self.chosen = [(v, str(label)) for v, label in options], chosen

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return available_width, 5 * mm

    def draw(self) -> None:
        canvas, x, box, size = self.canv, 0.0, 3.6 * mm, 10.5
        canvas.setFont(_font(), size)
        canvas.setLineWidth(0.6)
        for value, label in self.options:
            canvas.rect(x, 0.5 * mm, box, box)
            if value == self.chosen:
                canvas.drawCentredString(x + box / 2, 1.1 * mm, "√")
            canvas.drawString(x + box + 1.5 * mm, 1.1 * mm, label)
            x += box + 7 * mm + canvas.stringWidth(label, _font(), size)


def _place(case: Case) -> str:
    names, node = [], case.node
    while node is not None and node.level != Level.COUNTY:
        names.append(node.name)
        node = node.parent
    return " ".join(reversed(names)) + (f"（{case.address}）" if case.address else "")


def _identity(case: Case) -> dict[str, str]:
    hidden = "匿名" if case.anonymous else "保密" if case.confidential else ""
    if hidden:
        return dict.fromkeys(("name", "address", "work_unit", "phone"), hidden)
    return {"name": case.reporter_name, "address": case.reporter_address,
            "work_unit": case.reporter_work_unit, "phone": case.masked_reporter_phone}  # fmt: skip


# (label, value[, minimum height in mm, room to write by hand]) or (label, value, label, value)
Row = tuple[str, str | Flowable] | tuple[str, str, float] | tuple[str, str, str, str]


def _grid(rows: Sequence[Row]) -> list[Flowable]:
    """Pairs as 4-column tables, full rows as top-aligned 2-column ones: a long complaint
    must run onto the next page, and reportlab splits spanned or centred rows badly."""
    tables: list[Flowable] = []
    for paired, run in groupby(rows, key=lambda row: len(row) == 4):
        style = [*_RULED, ("VALIGN", *ALL, "MIDDLE"), ("BACKGROUND", (0, 0), (0, -1), GREY)]
        if paired:
            style.append(("BACKGROUND", (2, 0), (2, -1), GREY))
            widths = [LABEL_W, VALUE_W, LABEL_W, VALUE_W]
            data = [[_p(a, "label"), _p(b), _p(c, "label"), _p(d)] for a, b, c, d in run]
        else:
            style.append(("VALIGN", *ALL, "TOP"))
            widths = [LABEL_W, WIDTH - LABEL_W]
            data = [[_p(row[0], "label"), _full(*row[1:])] for row in run]
        tables.append(Table(data, colWidths=widths, style=TableStyle(style), splitInRow=1))
    return tables


def _full(value: str | Flowable, min_height: float = 0) -> list[Flowable]:
    cell = value if isinstance(value, Flowable) else _p(value)
    # Pad short text so the box keeps its paper size; long text grows the row.
    used = cell.wrap(WIDTH - LABEL_W - 12, A4[1])[1]
    return [cell, Spacer(1, max(0.0, min_height * mm - used - 6))]


def _head(left: str, right: str) -> Table:
    """The line between the title and the table: 填表人 on the left, the number on the right."""
    row = [[_p(left, "head"), _p(right, "head_right")]]
    padding = [_RULED[0], ("LEFTPADDING", *ALL, 0), ("RIGHTPADDING", *ALL, 0)]
    return Table(row, colWidths=[WIDTH * 0.6, WIDTH * 0.4], style=TableStyle(padding))


def _notes(*lines: str) -> list[Flowable]:
    return [Spacer(1, 3 * mm), *(_p(line, "small") for line in lines)]


def _collect(case: Case, events: list[CaseEvent]) -> list[Flowable]:
    who = _identity(case)
    rows: list[Row] = [
        ("反映人姓名", who["name"], "联系方式", who["phone"]),
        ("家庭地址", who["address"]),
        ("工作单位", who["work_unit"]),
        ("反映时间", _when(case.reported_at), "反映渠道", case.get_channel_display()),
        ("所在地", _place(case)),
        ("诉求性质", case.get_nature_display(), "紧急程度", case.get_urgency_display()),
        ("事项分类", case.category.full_name if case.category else ""),
        ("十必报类型", case.get_must_report_display()),
        ("民情民意事项", case.original_text, 70),
        ("解决建议", case.proposal, 20),
        ("解决期限", _when(case.deadline), "登记时间", _when(case.created_at)),
    ]
    return [
        _head(f"填表人：{_name(case.created_by)}", f"登记编号：{case.number}"),
        *_grid(rows),
        *_notes(
            "填表说明：",
            "1、民情民意事项栏中需记录反映人的姓名、家庭地址、工作单位、联系方式和民情民意事项的具体内容；",
            "2、登记编号的编号规则为：年份+月份+登记编号，如200801001。",
        ),
    ]


def _steps(events: list[CaseEvent]) -> Table:
    """The timeline as a ruled table whose header repeats on every page it runs onto."""
    header = [_p(h, "label") for h in ("日期", "办理人", "办理环节", "办理情况")]
    data: list[list[object]] = [header]
    for event in events:
        when = timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M")
        actor = _name(event.actor) or "系统"
        step = event.action_label + (f"（{event.unit.name}）" if event.unit else "")
        data.append([_p(text, "small") for text in (when, actor, step, event.note)])
    widths = [30 * mm, 22 * mm, 40 * mm, WIDTH - 92 * mm]
    style = [*_RULED, ("VALIGN", *ALL, "TOP"), ("BACKGROUND", (0, 0), (-1, 0), GREY)]
    return Table(data, colWidths=widths, style=TableStyle(style), repeatRows=1, splitInRow=1)


def _handle(case: Case, events: list[CaseEvent]) -> list[Flowable]:
    who = _identity(case)
    rows: list[Row] = [
        ("登记编号", case.number, "反映人", who["name"]),
        ("事项摘要", case.title),
        ("承办单位", case.unit.name if case.unit else "", "承办人", _name(case.handler)),
        ("解决期限", _when(case.deadline), "办结时间", _when(case.resolved_at)),
        ("当前状态", case.get_status_display(), "重新办理", f"{case.reopen_count} 次"),
    ]
    return [
        _head(f"填表人：{_name(case.handler)}", f"登记编号：{case.number}"),
        *_grid(rows),
        _p("办理过程", "section"),
        _steps(events),
        Spacer(1, 4 * mm),
        *_grid([("办理结果", case.answer, 30)]),
    ]


def _feedback(case: Case, events: list[CaseEvent]) -> list[Flowable]:
    who = _identity(case)
    rows: list[Row] = [
        ("登记编号", case.number, "反映时间", _when(case.reported_at)),
        ("反映人", who["name"], "联系方式", who["phone"]),
        ("反映问题", case.original_text, 40),
        ("办理情况\n答复意见", case.answer, 60),
        ("反馈方式", _Choices(AnswerMethod.choices, case.answer_method)),
        ("办结时间", _when(case.resolved_at), "反馈时间", _when(case.answered_at)),
        ("回访日期", _when(case.return_visit_due), "当前状态", case.get_status_display()),
    ]
    unit = case.unit.name if case.unit else ""
    return [_head(f"单位：{unit}", f"经办人：{_name(case.handler)}"), *_grid(rows)]


def _rating(case: Case, events: list[CaseEvent]) -> list[Flowable]:
    who = _identity(case)
    rated = next((e for e in reversed(events) if e.action == Action.RATE), None)
    rows: list[Row] = [
        ("登记编号", case.number, "反映人", who["name"]),
        ("事项摘要", case.title),
        ("承办单位", case.unit.name if case.unit else "", "承办人", _name(case.handler)),
        ("办理结果", case.answer, 30),
        ("评议结果", _Choices(Rating.choices, case.rating)),
        ("评议意见", case.rating_comment, 40),
        ("评议时间", _when(rated.at if rated else None), "联系方式", who["phone"]),
    ]
    return [
        _head(f"填表人：{_name(rated.actor if rated else None)}", f"编号：{case.number}"),
        *_grid(rows),
        *_notes(
            "填报说明：评议结果栏应包括“满意”、“基本满意”、“不满意”三个等次的测评结果及评议意见。"
        ),
    ]


@dataclass(frozen=True)
class Form:
    title: str
    short: str  # used in the download's file name
    build: Callable[[Case, list[CaseEvent]], list[Flowable]]


FORMS: dict[str, Form] = {
    "collect": Form("民情民意收集登记表", "收集登记表", _collect),
    "handle": Form("民情民意办理登记表", "办理登记表", _handle),
    "feedback": Form("民情民意办理情况反馈意见表", "反馈意见表", _feedback),
    "rating": Form("监督评议情况登记表", "评议登记表", _rating),
}


def render_case_pdf(case: Case, form: str) -> bytes:
    """One form of one case as PDF bytes. `form` is a key of FORMS."""
    spec = FORMS[form]
    printed = timezone.localtime().strftime("%Y-%m-%d %H:%M")

    def footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.setFont(_font(), 8)
        line = f"民情通 · {spec.title} · {case.number} · 打印于 {printed}"
        canvas.drawString(MARGIN, 10 * mm, line)
        canvas.drawRightString(A4[0] - MARGIN, 10 * mm, f"第 {doc.page} 页")

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=MARGIN, bottomMargin=MARGIN, title=f"{spec.title} {case.number}",
        author="民情通", subject=spec.title, creator="民情通", initialFontName=_font(),
    )  # fmt: skip
    with translation.override("zh-hans"):
        events = list(case.events.select_related("actor", "unit"))
        story = [_p(spec.title, "title"), Spacer(1, 4 * mm), *spec.build(case, events)]
        doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
