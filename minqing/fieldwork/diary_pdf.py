"""汇编成册 (seed 002): a cadre's or a village's diary entries over a period as one bound
A4 volume — cover, table of contents with page numbers, then each entry on its own page
with its follow-ups, result and review.

An official document: its labels are plain Chinese, choice labels are rendered in Chinese
whatever the user's language, and the text is set in the embedded WenQuanYi Micro Hei
(minqing.lib.pdffont). The table of contents needs the page each entry lands on, so the
document is built twice (reportlab's multiBuild).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from functools import cache
from html import escape

from django.utils import timezone, translation
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from minqing.fieldwork.diary_selectors import place_label
from minqing.fieldwork.models import DiaryEntry
from minqing.lib.pdffont import FONT, cjk_font

MARGIN = 20 * mm
WIDTH = A4[0] - 2 * MARGIN
LABEL_W = 24 * mm
GREY = colors.Color(0.93, 0.93, 0.93)
RED = colors.Color(0.72, 0.1, 0.1)
ALL = ((0, 0), (-1, -1))
# FONTNAME too: a table otherwise names Helvetica, a second font that is not embedded.
RULED = [("FONTNAME", *ALL, FONT), ("GRID", *ALL, 0.6, colors.black), ("VALIGN", *ALL, "TOP")]


@cache
def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=cjk_font(), fontSize=10.5, leading=16, wordWrap="CJK")
    return {
        "base": base,
        "cover_title": ParagraphStyle(
            "cover_title", base, fontSize=32, leading=44, alignment=TA_CENTER, textColor=RED
        ),
        "cover": ParagraphStyle("cover", base, fontSize=15, leading=26, alignment=TA_CENTER),
        "heading": ParagraphStyle(
            "heading", base, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=6 * mm
        ),
        "entry_title": ParagraphStyle(
            "entry_title", base, fontSize=14, leading=20, spaceAfter=4 * mm
        ),
        "section": ParagraphStyle(
            "section", base, fontSize=11.5, leading=18, spaceBefore=3 * mm, spaceAfter=1 * mm
        ),
        "label": ParagraphStyle("label", base, alignment=TA_CENTER),
        "small": ParagraphStyle("small", base, fontSize=9, leading=13),
        "toc": ParagraphStyle(
            "toc",
            base,
            fontSize=10.5,
            leading=18,
            leftIndent=0,
            firstLineIndent=0,
            rightIndent=12 * mm,
        ),
    }


def _p(text: str, style: str = "base") -> Paragraph:
    # Cadres' words are data, not markup: escape them and keep their line breaks.
    return Paragraph(escape(text).replace("\n", "<br/>"), _styles()[style])


def _day(value: dt.date | None) -> str:
    return value.strftime("%Y年%m月%d日") if value else ""


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y年%m月%d日 %H:%M") if value else ""


class _EntryTitle(Paragraph):
    """An entry's heading; the document template files it in the table of contents."""

    def __init__(self, entry: DiaryEntry, number: int) -> None:
        self.toc_text = f"{number}. {entry.date:%Y-%m-%d}　{entry.title}"
        self.toc_key = f"entry-{entry.pk}"
        super().__init__(escape(self.toc_text), _styles()["entry_title"])


class _Volume(BaseDocTemplate):
    def __init__(self, buffer: io.BytesIO, *, title: str, printed: str) -> None:
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN + 4 * mm,
            title=title,
            author="民情通",
            subject="民情日记汇编",
            creator="民情通",
            initialFontName=cjk_font(),
        )
        self.volume_title, self.printed = title, printed
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates(
            [
                PageTemplate("cover", [frame]),  # no page number on the cover
                PageTemplate("body", [frame], onPage=self._footer),
            ]
        )

    def _footer(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(cjk_font(), 8.5)
        canvas.setStrokeColor(colors.grey)
        canvas.line(MARGIN, 15 * mm, A4[0] - MARGIN, 15 * mm)
        canvas.drawString(MARGIN, 10 * mm, f"{self.volume_title} · 汇编于 {self.printed}")
        canvas.drawRightString(A4[0] - MARGIN, 10 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, _EntryTitle):
            self.canv.bookmarkPage(flowable.toc_key)
            self.canv.addOutlineEntry(flowable.toc_text, flowable.toc_key, level=0)
            self.notify("TOCEntry", (0, escape(flowable.toc_text), self.page, flowable.toc_key))


def _table_of_contents() -> TableOfContents:
    toc = TableOfContents()
    toc.levelStyles = [_styles()["toc"]]
    toc.dotsMinLevel = 0
    toc.tableStyle = TableStyle(
        [("FONTNAME", *ALL, FONT), ("LEFTPADDING", *ALL, 0), ("RIGHTPADDING", *ALL, 0)]
    )
    return toc


def _grid(rows: Sequence[tuple[str, str]]) -> Table:
    data = [[_p(label, "label"), _p(value)] for label, value in rows]
    style = [*RULED, ("BACKGROUND", (0, 0), (0, -1), GREY)]
    return Table(data, colWidths=[LABEL_W, WIDTH - LABEL_W], style=TableStyle(style))


def _section(label: str, text: str) -> list[Flowable]:
    return [_p(f"【{label}】", "section"), _p(text or "（无）")]


def _entry(entry: DiaryEntry, number: int) -> list[Flowable]:
    households = "；".join(f"{h.head_name}（{h.address}）" for h in entry.households.all())
    author = entry.author
    place = place_label(entry.node) + (f"（{entry.place}）" if entry.place else "")
    rows = [
        ("日　　期", _day(entry.date)),
        ("类　　别", entry.get_category_display()),
        ("地　　点", place),
        ("记 录 人", f"{author.get_full_name()}　{author.post or author.get_role_display()}"),
        ("涉及的户", households or "—"),
    ]
    if entry.case is not None:
        case = entry.case
        rows.append(
            (
                "转办事项",
                f"登记编号 {case.number}，{case.get_status_display()}，"
                f"办理期限 {_when(case.deadline)}",
            )
        )
    story: list[Flowable] = [_EntryTitle(entry, number), _grid(rows)]
    story += _section("民情记述", entry.narrative)
    story += _section("原因分析", entry.analysis)
    story += _section("评述", entry.comment)
    story += _section("建议措施", entry.measures)
    story.append(_p("【跟踪记录】", "section"))
    follow_ups = list(entry.follow_ups.all())
    if follow_ups:
        data = [[_p("日期", "label"), _p("跟踪情况", "label"), _p("记录人", "label")]]
        data += [
            [
                _p(f"{f.date:%Y-%m-%d}", "small"),
                _p(f.text, "small"),
                _p(f.author.get_full_name(), "small"),
            ]
            for f in follow_ups
        ]
        style = [*RULED, ("BACKGROUND", (0, 0), (-1, 0), GREY)]
        widths = [24 * mm, WIDTH - 48 * mm, 24 * mm]
        story.append(Table(data, colWidths=widths, style=TableStyle(style), repeatRows=1))
    else:
        story.append(_p("（无）"))
    story.append(_p("【办理结果】", "section"))
    if entry.result_at:
        story += [_p(entry.result), _p(f"记录于 {_when(entry.result_at)}", "small")]
    else:
        story.append(_p("（尚未记录办理结果，仍在跟踪）"))
    story.append(_p("【审阅意见】", "section"))
    if entry.reviewed_at:
        reviewer = entry.reviewed_by.get_full_name() if entry.reviewed_by else ""
        story += [
            _p(entry.review_comment or "已审阅，无意见。"),
            _p(f"审阅人：{reviewer}　{_when(entry.reviewed_at)}", "small"),
        ]
    else:
        story.append(_p("（尚未审阅）"))
    return story


def render_volume(
    entries: Sequence[DiaryEntry], *, whose: str, start: dt.date, end: dt.date
) -> bytes:
    """The volume as PDF bytes. `entries` oldest first, with their relations loaded."""
    printed = timezone.localtime().strftime("%Y-%m-%d")
    title = f"民情日记汇编（{whose}）"
    buffer = io.BytesIO()
    doc = _Volume(buffer, title=title, printed=printed)
    with translation.override("zh-hans"):
        story: list[Flowable] = [
            Spacer(1, 60 * mm),
            _p("民情日记汇编", "cover_title"),
            Spacer(1, 20 * mm),
            _p(whose, "cover"),
            _p(f"{_day(start)} 至 {_day(end)}", "cover"),
            _p(f"共 {len(entries)} 篇", "cover"),
            Spacer(1, 60 * mm),
            _p(f"汇编日期：{_day(timezone.localdate())}", "cover"),
            NextPageTemplate("body"),
            PageBreak(),
            _p("目　录", "heading"),
            _table_of_contents(),
        ]
        if not entries:
            story.append(_p("这段时间没有日记。"))
        for number, entry in enumerate(entries, start=1):
            story += [PageBreak(), *_entry(entry, number)]
        doc.multiBuild(story)
    return buffer.getvalue()
