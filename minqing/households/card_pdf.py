"""Contact cards (民情联系卡) as a print-ready A4 PDF: six cards a page, with cut marks.

Each card is 90 × 84 mm — room for a group's whole liaison network in legible type — laid
out 2 × 3 on A4 portrait with 10 mm gutters, so a guillotine or scissors can cut along the
marks at every card corner. The Chinese text is set in the embedded WenQuanYi subset
(`minqing.lib.pdffont`), like every PDF of the project; the card is an official paper, so
its labels are plain Chinese. The QR code is reportlab's own widget and encodes the card's
ASCII URL, also printed in small type for anyone who cannot scan.

Only what the card publishes is printed: the household head's name, and the names, posts,
duties and phones of the people a household can call. No ID number, no resident's phone.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from html import escape

from django.utils import timezone, translation
from reportlab.graphics import renderPDF, renderSVG
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, KeepInFrame, Paragraph, Spacer, Table, TableStyle

from minqing.households.card_selectors import Card, Contact
from minqing.lib.pdffont import cjk_font

CARD_W, CARD_H = 90 * mm, 84 * mm
COLS, ROWS = 2, 3
PER_PAGE = COLS * ROWS
GUTTER = 10 * mm
MARGIN_X = (A4[0] - COLS * CARD_W - (COLS - 1) * GUTTER) / 2
MARGIN_Y = (A4[1] - ROWS * CARD_H - (ROWS - 1) * GUTTER) / 2
PAD = 4 * mm  # inside the card, clear of an imprecise cut
MARK_OFFSET, MARK_LENGTH = 1.5 * mm, 3.5 * mm  # two cards' marks meet in a 10 mm gutter
TITLE_H = 9 * mm
QR_SIZE = 23 * mm
BOTTOM_H = QR_SIZE + 1 * mm
RED = colors.Color(0.718, 0.11, 0.11)  # #b71c1c, the shell's colour
GREY = colors.Color(0.33, 0.33, 0.33)


def qr_drawing(value: str, size: float) -> Drawing:
    """A square QR code of `value`, `size` points wide, medium error correction."""
    widget = QrCodeWidget(value, barLevel="M", barBorder=2)
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    # The drawing has no text, but its renderer selects a font: make it ours, or the PDF
    # names Helvetica as well, a second font that is not embedded.
    drawing.initialFontName, drawing.initialFontSize = cjk_font(), 8
    drawing.add(widget)
    return drawing


def qr_svg(value: str, size: float = 132) -> str:
    """The QR code as an inline <svg> element (for the HTML preview)."""
    svg = renderSVG.drawToString(qr_drawing(value, size))
    return svg[svg.index("<svg") :]


@cache
def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "card",
        fontName=cjk_font(),
        fontSize=8,
        leading=10.5,
        wordWrap="CJK",
        textColor=colors.black,
    )
    return {
        "place": ParagraphStyle("place", base, fontSize=8.5, leading=11),
        "label": ParagraphStyle("label", base, textColor=RED),
        "value": base,
        "office": ParagraphStyle("office", base, fontSize=7.5, leading=9.5),
        "hotline": ParagraphStyle("hotline", base, fontSize=10, leading=13, textColor=RED),
        "url": ParagraphStyle("url", base, fontSize=5.5, leading=7, textColor=GREY),
    }


def _p(markup: str, style: str) -> Paragraph:
    return Paragraph(markup, _styles()[style])


def _person(person: Contact, *, duties: bool = True) -> str:
    text = escape(person.name)
    if person.post:
        text += f"（{escape(person.post)}）"
    if person.phone:
        text += f" {escape(person.phone)}"
    if duties and person.duties:
        text += f' <font size="6.5" color="#555555">{escape(person.duties)}</font>'
    return text


def _body(card: Card, width: float, *, duties: bool = True, compact: bool = False) -> list:
    """Place, household head and the people to call. `compact` runs a section's people
    on together instead of one per line; the caller picks the roomiest variant that fits."""
    head = escape(card.place)
    if card.head_name:
        head += f"　户主：{escape(card.head_name)}"
    rows: list[list] = []
    for label, people in card.sections:
        texts = [_person(p, duties=duties) for p in people]
        cell = [_p("；".join(texts), "value")] if compact else [_p(t, "value") for t in texts]
        rows.append([_p(str(label), "label"), cell])
    if not rows:
        rows = [["", _p("本组联络网络尚未登记，请拨打下方电话。", "value")]]
    label_w = 13 * mm
    table = Table(
        rows,
        colWidths=[label_w, width - label_w],
        hAlign="LEFT",
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), cjk_font()),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("LINEBELOW", (0, 0), (-1, -2), 0.3, colors.Color(0.85, 0.85, 0.85)),
            ]
        ),
    )
    return [_p(head, "place"), Spacer(1, 1.2 * mm), table]


def _fitting_body(card: Card, width: float, height: float) -> list:
    """The roomiest layout of the body that fits: with duties, without, then compact
    (the last is shrunk to fit if even that is too long)."""
    variants = [{}, {"duties": False}, {"duties": False, "compact": True}]
    for options in variants:
        story = _body(card, width, **options)
        if sum(f.wrap(width, height)[1] for f in story) <= height:
            return story
    return story


def _offices(card: Card) -> list:
    lines = []
    for office in (card.station, card.center):
        if office is not None:
            lines.append(_p(f"{escape(office.name)} {escape(office.phone or '—')}", "office"))
    if card.hotline:
        lines.append(_p(f"服务专线 {escape(card.hotline)}", "hotline"))
    if card.url:
        lines.append(_p(f"扫码或访问：{escape(card.url)}", "url"))
    return lines


def _fit(canvas: Canvas, story: list, x: float, y: float, w: float, h: float) -> None:
    """Draw `story` in the box, shrunk to fit when a group's network is unusually long."""
    frame = Frame(x, y, w, h, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    frame.addFromList([KeepInFrame(w, h, story, mode="shrink")], canvas)


def _cut_marks(canvas: Canvas, x: float, y: float) -> None:
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.25)
    for cx, dx in ((x, -1), (x + CARD_W, 1)):
        for cy, dy in ((y, -1), (y + CARD_H, 1)):
            near, far = MARK_OFFSET, MARK_OFFSET + MARK_LENGTH
            canvas.line(cx + dx * near, cy, cx + dx * far, cy)  # horizontal, outside the card
            canvas.line(cx, cy + dy * near, cx, cy + dy * far)  # vertical, outside the card


def _draw_card(canvas: Canvas, card: Card, x: float, y: float) -> None:
    font = cjk_font()
    inner_w = CARD_W - 2 * PAD
    top = y + CARD_H - PAD
    # Title band.
    canvas.setFillColor(RED)
    canvas.roundRect(x + PAD, top - TITLE_H, inner_w, TITLE_H, 1.5 * mm, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont(font, 13)
    canvas.drawString(x + PAD + 2.5 * mm, top - TITLE_H + 2.8 * mm, "民情联系卡")
    canvas.setFont(font, 6.5)
    right = "有事找我们 · 件件有回音"
    if card.token:
        right = f"卡号 {card.token}"
    canvas.drawRightString(x + PAD + inner_w - 2.5 * mm, top - TITLE_H + 3.3 * mm, right)
    canvas.setFillColor(colors.black)
    # Body: place, household head, and the people to call.
    body_top = top - TITLE_H - 1.5 * mm
    body_bottom = y + PAD + BOTTOM_H + 1.5 * mm
    body_h = body_top - body_bottom
    _fit(canvas, _fitting_body(card, inner_w, body_h), x + PAD, body_bottom, inner_w, body_h)
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(0.5)
    canvas.line(x + PAD, body_bottom - 0.8 * mm, x + PAD + inner_w, body_bottom - 0.8 * mm)
    # Bottom: the offices' phones and the hotline on the left, the QR code on the right.
    left_w = inner_w - QR_SIZE - 2 * mm
    _fit(canvas, _offices(card), x + PAD, y + PAD, left_w, BOTTOM_H - 1 * mm)
    if card.url:
        renderPDF.draw(qr_drawing(card.url, QR_SIZE), canvas, x + PAD + inner_w - QR_SIZE, y + PAD)


def _position(index: int) -> tuple[float, float]:
    col, row = index % COLS, (index // COLS) % ROWS
    x = MARGIN_X + col * (CARD_W + GUTTER)
    y = A4[1] - MARGIN_Y - (row + 1) * CARD_H - row * GUTTER
    return x, y


def render_cards_pdf(cards: Sequence[Card], title: str) -> bytes:
    """The cards, six to an A4 page in reading order, as PDF bytes."""
    buffer = io.BytesIO()
    font = cjk_font()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=font, initialFontSize=8)
    canvas.setTitle(title)
    canvas.setAuthor("民情通")
    canvas.setCreator("民情通")
    canvas.setSubject("民情联系卡")
    printed = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    pages = max(1, -(-len(cards) // PER_PAGE))
    with translation.override("zh-hans"):
        for page in range(pages):
            for slot, card in enumerate(cards[page * PER_PAGE : (page + 1) * PER_PAGE]):
                x, y = _position(slot)
                _cut_marks(canvas, x, y)
                _draw_card(canvas, card, x, y)
            canvas.setFont(font, 7)
            canvas.setFillColor(GREY)
            footer = f"{title} · 打印于 {printed} · 第 {page + 1}/{pages} 页 · 沿裁切线裁开"
            canvas.drawCentredString(A4[0] / 2, 4 * mm, footer)
            canvas.setFillColor(colors.black)
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()
