"""The network map of a township as printable A3 landscape pages (一张联络服务网络图).

Drawn like the paper organigram hung in a liaison service center: the township on top,
a band per zone (片区), and under each band boxed columns of villages, each with a box per
villager group naming its leader, members, linked Party members and liaisons with their
phones (published by design: the documents require liaisons' phones to be public) and
the group's counts of households, hardship households and Party members. Residents' ID
numbers are never printed. Columns run onto further A3 pages, each with the title.

Labels are plain Chinese like the case forms (minqing.cases.pdf); the view builds the map
under `translation.override("zh-hans")` so choice labels match them. Text is set in the
embedded WenQuanYi Micro Hei from minqing.lib.pdffont.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import cache
from html import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A3, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from minqing.households.network_map import (
    Counts,
    GroupEntry,
    NetworkMap,
    Person,
    VillageEntry,
    ZoneEntry,
)
from minqing.lib.pdffont import FONT, cjk_font

PAGE_W, PAGE_H = landscape(A3)
MARGIN = 12 * mm
COLUMNS = 7  # per page
GAP = 4 * mm  # between columns
COL_W = (PAGE_W - 2 * MARGIN - (COLUMNS - 1) * GAP) / COLUMNS
HEAD_H = 27 * mm  # title, summary and the line down to the zones
BAND_H = 7 * mm  # the zone band above its columns
COL_TOP = PAGE_H - MARGIN - HEAD_H - BAND_H - 4 * mm
COL_BOTTOM = MARGIN + 8 * mm  # above the footer
COL_H = COL_TOP - COL_BOTTOM
INDENT = 5 * mm  # group boxes hang off the village's spine
BOX_W = COL_W - INDENT
PAD = 1.6 * mm
SPACE = 2 * mm  # between boxes

RED = colors.HexColor("#b71c1c")
PINK = colors.HexColor("#fde8e8")
GREY = colors.Color(0.93, 0.93, 0.93)
LINE = colors.Color(0.45, 0.45, 0.45)
NONE = "未设"


@cache
def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "base", fontName=cjk_font(), fontSize=7, leading=9, wordWrap="CJK", textColor=colors.black
    )
    return {
        "body": base,
        "count": ParagraphStyle("count", base, fontSize=6.8, leading=8.5, textColor=LINE),
        "group": ParagraphStyle("group", base, fontSize=8.5, leading=11),
        "village": ParagraphStyle("village", base, fontSize=10, leading=13),
    }


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(text), _styles()[style])


def _height(paragraphs: list[Paragraph], width: float) -> float:
    return sum(p.wrap(width, COL_H)[1] for p in paragraphs)


def _counts(counts: Counts) -> str:
    return f"户数 {counts.households} · 困难户 {counts.hardship} · 党员 {counts.party_members}"


def _people(label: str, people: list[Person]) -> Paragraph:
    """`label：` then one person a line, hanging under the first, so that a name and its
    phone number are never split (CJK wrapping breaks between any two characters)."""
    label = f"{label}："
    lines = [escape(f"{p.name} {p.phone}".strip()) for p in people] or [NONE]
    indent = pdfmetrics.stringWidth(label, cjk_font(), _styles()["body"].fontSize)
    style = ParagraphStyle(
        f"people-{label}", _styles()["body"], leftIndent=indent, firstLineIndent=-indent
    )
    return Paragraph(escape(label) + "<br/>".join(lines), style)


# --- planning: which box goes in which column of which page ------------------------------


@dataclass
class Box:
    kind: str  # "village" or "group"
    head: list[Paragraph]
    body: list[Paragraph]
    width: float
    right: str = ""  # small grey text flush right on the head's first line

    @property
    def height(self) -> float:
        head = _height(self.head, self.width - 2 * PAD) + 2 * PAD
        body = _height(self.body, self.width - 2 * PAD) + 2 * PAD if self.body else 0
        return head + body


@dataclass
class Column:
    zone: ZoneEntry
    boxes: list[Box] = field(default_factory=list)
    used: float = 0

    def room(self) -> float:
        return COL_H - self.used - (SPACE if self.boxes else 0)

    def add(self, box: Box) -> None:
        self.used += box.height + (SPACE if self.boxes else 0)
        self.boxes.append(box)


def _village_box(village: VillageEntry, continued: bool = False) -> Box:
    if continued:
        return Box("village", [_p(f"{village.node.name}（续）", "village")], [], COL_W)
    line = f"{len(village.groups)} 个村民小组 · 联络员 {village.liaison_count} 名"
    head = [
        _p(village.node.name, "village"),
        _p(line, "count"),
        _p(_counts(village.counts), "count"),
    ]
    return Box("village", head, [], COL_W)


def _group_body(group: GroupEntry) -> list[Paragraph]:
    return [
        _people("组长", group.leaders),
        _people("成员", group.members),
        _people("联户党员", group.party_links),
        _people("联络员", group.liaisons),
    ]


def _group_head(group: GroupEntry, continued: bool = False) -> tuple[list[Paragraph], str]:
    """The group's name, and its counts: on the name's line (returned apart, drawn flush
    right) when both fit, else on a line of their own."""
    if continued:
        return [_p(f"{group.node.name}（续）", "group")], ""
    counts, styles = _counts(group.counts), _styles()
    width = pdfmetrics.stringWidth(group.node.name, FONT, styles["group"].fontSize)
    width += pdfmetrics.stringWidth(counts, FONT, styles["count"].fontSize) + 2 * mm
    if width <= BOX_W - 2 * PAD:
        return [_p(group.node.name, "group")], counts
    return [_p(group.node.name, "group"), _p(counts, "count")], ""


class _Planner:
    def __init__(self) -> None:
        self.columns: list[Column] = []

    def new_column(self, zone: ZoneEntry, village: VillageEntry | None = None) -> Column:
        column = Column(zone)
        self.columns.append(column)
        if village is not None:  # the village runs on from the previous column
            column.add(_village_box(village, continued=True))
        return column

    def plan(self, zones: list[ZoneEntry]) -> list[Column]:
        for zone in zones:
            column = self.new_column(zone)
            for village in zone.villages:
                column = self.place_village(column, zone, village)
        return self.columns

    def place_village(self, column: Column, zone: ZoneEntry, village: VillageEntry) -> Column:
        head = _village_box(village)
        first = village.groups[0] if village.groups else None
        # Keep the village's box with the start of its first group.
        need = head.height + (SPACE + self.group_box(first).height if first else 0)
        if column.boxes and column.room() < min(need, COL_H):
            column = self.new_column(zone)
        column.add(head)
        for group in village.groups:
            column = self.place_group(column, zone, village, group)
        return column

    def group_box(self, group: GroupEntry, continued: bool = False) -> Box:
        head, right = _group_head(group, continued)
        return Box("group", head, _group_body(group), BOX_W, right)

    def place_group(
        self, column: Column, zone: ZoneEntry, village: VillageEntry, group: GroupEntry
    ) -> Column:
        box = self.group_box(group)
        if box.height <= column.room():
            column.add(box)
            return column
        fresh = self.new_column(zone, village)
        if box.height <= fresh.room():
            fresh.add(box)
            return fresh
        # A group longer than a whole column (dozens of members): split its lines.
        return self.split_group(fresh, zone, village, group)

    def split_group(
        self, column: Column, zone: ZoneEntry, village: VillageEntry, group: GroupEntry
    ) -> Column:
        pending = _group_body(group)
        continued = False
        width = BOX_W - 2 * PAD
        while pending:
            head, right = _group_head(group, continued)
            room = column.room() - _height(head, width) - 4 * PAD
            taken: list[Paragraph] = []
            while pending:
                h = pending[0].wrap(width, COL_H)[1]
                if h <= room:
                    taken.append(pending.pop(0))
                    room -= h
                    continue
                parts = pending[0].split(width, room) if room > 0 else []
                if len(parts) == 2:
                    taken.append(parts[0])
                    pending[0] = parts[1]
                break
            if not taken and len(column.boxes) <= 1:
                # Nothing fits even a fresh column: print it overlong rather than loop.
                taken.append(pending.pop(0))
            if taken:
                column.add(Box("group", head, taken, BOX_W, right))
                continued = True
            if pending:
                column = self.new_column(zone, village)
        return column


# --- drawing ------------------------------------------------------------------------------


def _draw_paragraphs(
    canvas: Canvas, paragraphs: list[Paragraph], x: float, top: float, w: float
) -> float:
    for p in paragraphs:
        h = p.wrap(w, COL_H)[1]
        p.drawOn(canvas, x, top - h)
        top -= h
    return top


def _draw_box(canvas: Canvas, box: Box, x: float, top: float) -> float:
    """Draw a box with its top edge at `top`; return the y of the middle of its head."""
    height = box.height
    inner = box.width - 2 * PAD
    head_h = _height(box.head, inner) + 2 * PAD
    village = box.kind == "village"
    canvas.setLineWidth(0.9 if village else 0.6)
    canvas.setStrokeColor(RED if village else LINE)
    canvas.setFillColor(PINK if village else GREY)
    canvas.rect(x, top - head_h, box.width, head_h, stroke=0, fill=1)
    canvas.rect(x, top - height, box.width, height, stroke=1, fill=0)
    if box.body:
        canvas.line(x, top - head_h, x + box.width, top - head_h)
    canvas.setFillColor(colors.black)
    _draw_paragraphs(canvas, box.head, x + PAD, top - PAD, inner)
    if box.right:
        style = _styles()["count"]
        first = _styles()["group"]
        canvas.setFillColor(style.textColor)
        canvas.setFont(FONT, style.fontSize)
        # On the baseline of the head's first line.
        canvas.drawRightString(x + box.width - PAD, top - PAD - first.fontSize, box.right)
    if box.body:
        _draw_paragraphs(canvas, box.body, x + PAD, top - head_h - PAD, inner)
    return top - head_h / 2


def _draw_column(canvas: Canvas, column: Column, x: float) -> None:
    top = COL_TOP
    spine_x = x + INDENT / 2
    spine_from: float | None = None  # bottom of the current village's box
    spine_to: float | None = None
    canvas.setStrokeColor(LINE)
    for box in column.boxes:
        if box.kind == "village":
            if spine_from is not None and spine_to is not None:
                canvas.setStrokeColor(LINE)
                canvas.line(spine_x, spine_from, spine_x, spine_to)
            _draw_box(canvas, box, x, top)
            spine_from, spine_to = top - box.height, None
        else:
            middle = _draw_box(canvas, box, x + INDENT, top)
            canvas.setStrokeColor(LINE)
            canvas.setLineWidth(0.6)
            canvas.line(spine_x, middle, x + INDENT, middle)
            spine_to = middle
        top -= box.height + SPACE
    if spine_from is not None and spine_to is not None:
        canvas.setLineWidth(0.6)
        canvas.line(spine_x, spine_from, spine_x, spine_to)


def _fit(canvas: Canvas, texts: list[str], width: float) -> tuple[str, float]:
    """The first text that fits `width` at 9.5 down to 7 pt; else the last one, at 7 pt."""
    for text in texts:
        size = 9.5
        while size >= 7:
            if canvas.stringWidth(text, FONT, size) <= width:
                return text, size
            size -= 0.5
    return texts[-1], 7


def _draw_bands(canvas: Canvas, columns: list[Column], first_zones: set[int]) -> None:
    """A band per zone over its run of columns, tied to the township by a bus line."""
    runs: list[tuple[ZoneEntry, int, int]] = []
    for i, column in enumerate(columns):
        if runs and runs[-1][0] is column.zone:
            runs[-1] = (column.zone, runs[-1][1], i)
        else:
            runs.append((column.zone, i, i))
    band_top = COL_TOP + 4 * mm + BAND_H
    bus_y = band_top + 4 * mm
    centres = []
    for zone, first, last in runs:
        x0 = MARGIN + first * (COL_W + GAP)
        x1 = MARGIN + last * (COL_W + GAP) + COL_W
        canvas.setFillColor(RED)
        canvas.rect(x0, band_top - BAND_H, x1 - x0, BAND_H, stroke=0, fill=1)
        name = zone.name if id(zone) in first_zones else f"{zone.name}（续）"
        label = (
            f"{name} · {len(zone.villages)} 个村(社区) · {zone.group_count} 个小组 · "
            f"{_counts(zone.counts)}"
        )
        canvas.setFillColor(colors.white)
        label, size = _fit(canvas, [label, name], x1 - x0 - 4 * mm)
        canvas.setFont(FONT, size)
        canvas.drawCentredString((x0 + x1) / 2, band_top - BAND_H / 2 - size * 0.35, label)
        centres.append((x0 + x1) / 2)
        # Down from the band to each column's first box.
        canvas.setStrokeColor(LINE)
        canvas.setLineWidth(0.6)
        for i in range(first, last + 1):
            cx = MARGIN + i * (COL_W + GAP) + COL_W / 2
            canvas.line(cx, band_top - BAND_H, cx, COL_TOP)
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(1)
    canvas.line(PAGE_W / 2, bus_y + 3 * mm, PAGE_W / 2, bus_y)
    canvas.line(min([*centres, PAGE_W / 2]), bus_y, max([*centres, PAGE_W / 2]), bus_y)
    for cx in centres:
        canvas.line(cx, bus_y, cx, band_top)


def _summary(network: NetworkMap) -> str:
    return (
        f"{len(network.zones)} 个片区 · {len(network.villages)} 个村(社区) · "
        f"{network.group_count} 个村民小组 · 联络员 {network.liaison_count} 名 · "
        f"{_counts(network.counts)}"
    )


def render_network_pdf(network: NetworkMap) -> bytes:
    """The map as A3 landscape PDF bytes; as many pages as the villages need."""
    font = cjk_font()
    title = f"{network.township.name}民情民意联络服务网络图"
    printed = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    columns = _Planner().plan(network.zones)
    pages = [columns[i : i + COLUMNS] for i in range(0, len(columns), COLUMNS)] or [[]]

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_W, PAGE_H), initialFontName=font, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("民情通")
    canvas.setSubject("民情民意联络服务网络图")
    canvas.setCreator("民情通")
    seen: set[int] = set()
    for number, page in enumerate(pages, start=1):
        canvas.setFillColor(colors.black)
        canvas.setFont(font, 22)
        canvas.drawCentredString(PAGE_W / 2, PAGE_H - MARGIN - 8 * mm, title)
        canvas.setFont(font, 10)
        canvas.drawCentredString(PAGE_W / 2, PAGE_H - MARGIN - 15 * mm, _summary(network))
        if network.partial:
            names = "、".join(v.node.name for v in network.villages) or NONE
            canvas.setFillColor(RED)
            canvas.drawCentredString(
                PAGE_W / 2, PAGE_H - MARGIN - 20 * mm, f"本图仅含您辖区内的村(社区)：{names}"
            )
        first_zones = {id(c.zone) for c in page if id(c.zone) not in seen}
        seen |= first_zones
        if page:
            _draw_bands(canvas, page, first_zones)
        else:
            canvas.setFont(font, 12)
            canvas.drawCentredString(PAGE_W / 2, PAGE_H / 2, "暂无可显示的村(社区)。")
        for i, column in enumerate(page):
            _draw_column(canvas, column, MARGIN + i * (COL_W + GAP))
        canvas.setFillColor(colors.black)
        canvas.setFont(font, 8)
        note = "方框内：组长、成员、联户党员、联络员及联系电话；户数、困难户、党员为系统登记数"
        canvas.drawString(MARGIN, MARGIN, f"民情通 · {title} · 打印于 {printed} · {note}")
        canvas.drawRightString(PAGE_W - MARGIN, MARGIN, f"第 {number} 页 / 共 {len(pages)} 页")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
