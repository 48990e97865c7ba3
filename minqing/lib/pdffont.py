"""The CJK font every PDF embeds.

WenQuanYi Micro Hei (static/fonts/) is embedded as a TrueType subset: reportlab's built-in
CID fonts (STSong-Light) are not embedded and print as boxes on machines without Chinese
fonts.
"""

from functools import cache

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "WenQuanYiMicroHei"
FONT_PATH = settings.BASE_DIR / "static" / "fonts" / "wqy-microhei.ttc"


@cache
def cjk_font() -> str:
    """Register the font once per process and return its reportlab name."""
    # Face 0 of the collection is the proportional "Micro Hei" (face 1 is the mono one).
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_PATH), subfontIndex=0))
    return FONT
