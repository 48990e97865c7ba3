"""Contact cards (民情联系卡) as a print-ready A4 PDF: six cards a page, with cut marks.

Each card is 90 × 84 mm — room for a group's whole liaison network in legible type — laid
out 2 × 3 on A4 portrait with 10 mm gutters, so a guillotine or scissors can cut along the
marks at every card corner. The Chinese text is set in the embedded WenQuanYi subset
(`minqing.lib.pdffont`), like every PDF of the project; the card is an official paper, so
its labels are plain Chinese. The QR code is reportlab's own encoding of the card's ASCII
URL, also printed in small type for anyone who cannot scan.

A village prints hundreds of cards in one request, so the PDF does each costly thing once:
the people table a group's cards share is laid out and drawn once, as a form XObject each
card places (`_Stamp`), and the QR matrix is drawn straight onto the canvas (`_draw_qr`).

Only what the card publishes is printed: the household head's name, and the names, posts,
duties and phones of the people a household can call. No ID number, no resident's phone.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from functools import cache
from html import escape

from django.utils import timezone, translation
from reportlab.graphics import renderSVG
from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, KeepInFrame, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

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
QR_LEVEL, QR_BORDER = "M", 2  # medium error correction, two modules of quiet zone
BOTTOM_H = QR_SIZE + 1 * mm
Sections = tuple[tuple[str, tuple[Contact, ...]], ...]  # (label, people), as `Card.sections`
RED = colors.Color(0.718, 0.11, 0.11)  # #b71c1c, the shell's colour
GREY = colors.Color(0.33, 0.33, 0.33)


def qr_drawing(value: str, size: float) -> Drawing:
    """A square QR code of `value`, `size` points wide, medium error correction."""
    widget = QrCodeWidget(value, barLevel=QR_LEVEL, barBorder=QR_BORDER)
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


# --- The QR code on the printed card ----------------------------------------------------
#
# The widget above draws each dark run as a shape object and encodes the value twice (for
# its bounds, then to draw), choosing the mask by scoring eight candidate matrices cell by
# cell in Python: ~25 ms a card. The card draws the same matrix straight onto the canvas,
# from reportlab's own encoder, making the same mask choice on the matrix held as one int.
# A matrix of n × n modules is an int of n² bits: row r, column c is bit n² − 1 − (rn + c),
# so a shift by 1 pairs a module with its right neighbour and a shift by n with the one
# below, and the binary string of the int lists the modules row by row.

_FINDER = "10111010000"  # penalty rule 3, as reportlab looks for it


@cache
def _mask_layers(version: int) -> list[int]:
    """Each mask pattern over the data modules of a `version` symbol (the positions that
    reportlab's encoder fills), as a matrix int."""
    n = version * 4 + 17
    probe = qrencoder.QRCode(version, getattr(qrencoder.QRErrorCorrectLevel, QR_LEVEL))
    probe.moduleCount = n
    positions = probe.dataPosIterator()
    layers = []
    for pattern in range(8):
        mask = qrencoder.QRUtil.getMask(pattern)
        bits = 0
        for col, row in positions:
            if mask(row, col):
                bits |= 1 << (n * n - 1 - (row * n + col))
        layers.append(bits)
    return layers


@cache
def _neighbours(n: int) -> tuple[int, int]:
    """The bits of the modules that have a right neighbour, and of those that have one below."""
    size = n * n
    across = sum(1 << q for q in range(size - 1) if q % n != n - 1)
    return across, (1 << (size - n)) - 1


def _lost_points(matrix: int, n: int) -> int:
    """`qrencoder.QRUtil.getLostPoint` of the matrix, to the point: L − 2 for each run of
    L ≥ 5 modules alike in a row or column, 3 for each 2 × 2 block alike, 40 for each
    finder-like pattern in a row (rows only, and never starting in the last eleven columns:
    reportlab's rule), and 10 for each 5 % of the dark share away from half."""
    across, down = _neighbours(n)
    like_right = ~(matrix ^ (matrix >> 1)) & across
    like_below = ~(matrix ^ (matrix >> n)) & down
    score = 0
    for like, step in ((like_right, 1), (like_below, n)):
        # Four likes in a row start a run of five: a run of L counts L − 4 such starts,
        # plus 2 for the run (where its starts end).
        fives = like & (like >> step) & (like >> 2 * step) & (like >> 3 * step)
        score += fives.bit_count() + 2 * (fives & ~(fives >> step)).bit_count()
    score += 3 * (like_right & (like_right >> n) & like_below).bit_count()
    # The pattern cannot overlap itself, so counting disjoint matches counts them all.
    cells = format(matrix, f"0{n * n}b")
    score += 40 * sum(cells.count(_FINDER, r * n, r * n + n - 1) for r in range(n))
    return score + 10 * (abs(100 * matrix.bit_count() // (n * n) - 50) // 5)


class _QRCode(qrencoder.QRCode):
    """reportlab's encoder, choosing the same mask fast: with the format bits blank (as
    reportlab scores them) the eight candidates differ only by the mask on data modules."""

    def getBestMaskPattern(self) -> int:  # reportlab's name
        self.makeImpl(True, 0)
        layers = _mask_layers(self.version)
        cells = "".join("1" if dark else "0" for row in self.modules for dark in row)
        unmasked = int(cells, 2) ^ layers[0]
        scores = [_lost_points(unmasked ^ layer, self.moduleCount) for layer in layers]
        return scores.index(min(scores))  # the first best, as reportlab picks


def qr_modules(value: str) -> list[list[bool]]:
    """The QR matrix of `value`, module for module the one `qr_drawing` draws."""
    code = _QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, QR_LEVEL))
    code.addData(value)
    code.make()
    return code.modules


def _draw_qr(canvas: Canvas, value: str, x: float, y: float, size: float) -> None:
    """The QR code of `value` as `qr_drawing` draws it: the quiet zone, then each row's
    dark runs as filled rectangles (one fill each, as the widget's, so that renderers snap
    their edges alike), in module units under a scaling transform."""
    modules = qr_modules(value)
    n, border = len(modules), QR_BORDER
    ops = []
    for r, row in enumerate(modules):
        top = n + border - 1 - r
        c = 0
        for dark, run in itertools.groupby(row):
            count = len(list(run))
            if dark:
                ops.append(f"{c + border} {top} {count} 1 re f")
            c += count
    box = size / (n + 2 * border)
    canvas.saveState()
    canvas.transform(box, 0, 0, box, x, y)
    canvas.setFillColor(colors.black)
    canvas.addLiteral("\n".join(ops))
    canvas.restoreState()


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


def _head(card: Card) -> Paragraph:
    head = escape(card.place)
    if card.head_name:
        head += f"　户主：{escape(card.head_name)}"
    return _p(head, "place")


def _people_table(sections: Sections, width: float, *, duties: bool, compact: bool) -> Table:
    """The people to call, a row per section. `compact` runs a section's people on
    together instead of one per line."""
    rows: list[list] = []
    for label, people in sections:
        texts = [_person(p, duties=duties) for p in people]
        cell = [_p("；".join(texts), "value")] if compact else [_p(t, "value") for t in texts]
        rows.append([_p(label, "label"), cell])
    if not rows:
        rows = [["", _p("本组联络网络尚未登记，请拨打下方电话。", "value")]]
    label_w = 13 * mm
    return Table(
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


class _Stamp(Flowable):
    """A flowable laid out once and drawn once per PDF, as a form XObject that each card
    showing the same thing places. The cards of a group list the same people: laying out
    and drawing their table for every card was most of the cost of a village's PDF.

    Only for flowables whose layout does not depend on the width they are offered (a table
    of fixed column widths), as `KeepInFrame` offers other widths when it shrinks."""

    def __init__(self, name: str, flowable: Flowable, width: float, height: float) -> None:
        super().__init__()
        self.name, self.flowable = name, flowable
        self.width, self.height = flowable.wrap(width, height)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        if not canvas.hasForm(self.name):
            bleed = 2 * mm  # a glyph's overhang, never clipped
            canvas.beginForm(self.name, -bleed, -bleed, self.width + bleed, self.height + bleed)
            self.flowable.drawOn(canvas, 0, 0)
            canvas.endForm()
        canvas.doForm(self.name)


class _Shared:
    """One PDF's stamps, by what they show."""

    def __init__(self) -> None:
        self._stamps: dict[tuple, _Stamp] = {}

    def people(self, card: Card, width: float, height: float, **options: bool) -> _Stamp:
        sections = tuple((str(label), tuple(people)) for label, people in card.sections)
        duties, compact = options.get("duties", True), options.get("compact", False)
        key = (sections, width, height, duties, compact)
        stamp = self._stamps.get(key)
        if stamp is None:
            table = _people_table(sections, width, duties=duties, compact=compact)
            stamp = _Stamp(f"CardPeople{len(self._stamps)}", table, width, height)
            self._stamps[key] = stamp
        return stamp


def _fitting_body(card: Card, width: float, height: float, shared: _Shared) -> list:
    """Place, household head and the people to call, in the roomiest layout that fits:
    with duties, without, then compact (the last is shrunk to fit if even that is too long)."""
    head, gap = _head(card), Spacer(1, 1.2 * mm)
    head_h, gap_h = head.wrap(width, height)[1], gap.wrap(width, height)[1]
    variants = [{}, {"duties": False}, {"duties": False, "compact": True}]
    for options in variants:
        people = shared.people(card, width, height, **options)
        if head_h + gap_h + people.height <= height:
            break
    return [head, gap, people]


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


def _draw_card(canvas: Canvas, card: Card, x: float, y: float, shared: _Shared) -> None:
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
    body = _fitting_body(card, inner_w, body_h, shared)
    _fit(canvas, body, x + PAD, body_bottom, inner_w, body_h)
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(0.5)
    canvas.line(x + PAD, body_bottom - 0.8 * mm, x + PAD + inner_w, body_bottom - 0.8 * mm)
    # Bottom: the offices' phones and the hotline on the left, the QR code on the right.
    left_w = inner_w - QR_SIZE - 2 * mm
    _fit(canvas, _offices(card), x + PAD, y + PAD, left_w, BOTTOM_H - 1 * mm)
    if card.url:
        _draw_qr(canvas, card.url, x + PAD + inner_w - QR_SIZE, y + PAD, QR_SIZE)


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
    shared = _Shared()
    with translation.override("zh-hans"):
        for page in range(pages):
            for slot, card in enumerate(cards[page * PER_PAGE : (page + 1) * PER_PAGE]):
                x, y = _position(slot)
                _cut_marks(canvas, x, y)
                _draw_card(canvas, card, x, y, shared)
            canvas.setFont(font, 7)
            canvas.setFillColor(GREY)
            footer = f"{title} · 打印于 {printed} · 第 {page + 1}/{pages} 页 · 沿裁切线裁开"
            canvas.drawCentredString(A4[0] / 2, 4 * mm, footer)
            canvas.setFillColor(colors.black)
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()
