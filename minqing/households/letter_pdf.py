"""The liaison's appointment letter (聘书) as a one-page A4 landscape PDF.

An official document, so its words are plain Chinese, not gettext messages. The issuer is
the township's liaison service center (its name from the units register when there is one).
"""

from __future__ import annotations

import io
from html import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, Paragraph

from minqing.households.models import Liaison
from minqing.lib.pdffont import cjk_font
from minqing.org.models import UnitKind

PAGE = landscape(A4)
RED = colors.Color(0.72, 0.1, 0.1)


def _date(value: object) -> str:
    return value.strftime("%Y年%m月%d日") if value else ""  # type: ignore[attr-defined]


def issuer_name(liaison: Liaison) -> str:
    township = liaison.group.parent.parent
    center = township.units.filter(kind=UnitKind.CENTER).first()
    return center.name if center else f"{township.name}民情民意联络服务中心"


def render_letter(liaison: Liaison) -> bytes:
    font = cjk_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE, initialFontName=font)
    canvas.setTitle(f"聘书 {liaison.letter_number}")
    canvas.setAuthor("民情通")
    width, height = PAGE
    # A double red frame, as printed letters of appointment have.
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(3)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setLineWidth(0.8)
    canvas.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

    canvas.setFillColor(RED)
    canvas.setFont(font, 44)
    canvas.drawCentredString(width / 2, height - 52 * mm, "聘　书")
    canvas.setFillColor(colors.black)
    canvas.setFont(font, 10.5)
    canvas.drawRightString(width - 30 * mm, height - 30 * mm, liaison.letter_number)

    group = liaison.group
    village, township = group.parent, group.parent.parent
    term = (
        f"聘期自{_date(liaison.appointed_on)}至{_date(liaison.term_until)}。"
        if liaison.term_until
        else f"自{_date(liaison.appointed_on)}起聘任。"
    )
    body = ParagraphStyle(
        "body", fontName=font, fontSize=18, leading=34, wordWrap="CJK", firstLineIndent=36
    )
    small = ParagraphStyle("small", body, fontSize=12, leading=20, firstLineIndent=0)
    text = (
        f"兹聘任 <u>{escape(liaison.name)}</u> 同志为{escape(township.name)}"
        f"{escape(village.name)}{escape(group.name)}民情民意联络员。{term}"
    )
    duties = f"职责：{escape(liaison.duties)}" if liaison.duties else ""
    frame = Frame(40 * mm, 62 * mm, width - 80 * mm, height - 130 * mm, showBoundary=0)
    frame.addFromList([Paragraph(text, body), Paragraph(duties, small)], canvas)

    right = ParagraphStyle("right", body, alignment=TA_RIGHT, firstLineIndent=0, leading=28)
    signature = Frame(width / 2, 26 * mm, width / 2 - 40 * mm, 40 * mm, showBoundary=0)
    signature.addFromList(
        [
            Paragraph(escape(issuer_name(liaison)), right),
            Paragraph(_date(liaison.appointed_on), right),
        ],
        canvas,
    )
    note = ParagraphStyle("note", small, fontSize=9, leading=12, alignment=TA_CENTER)
    footer = Frame(20 * mm, 17 * mm, width - 40 * mm, 10 * mm, showBoundary=0)
    footer.addFromList([Paragraph("（加盖公章后有效）", note)], canvas)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
