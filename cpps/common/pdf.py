"""What every printed letter shares: type styles, the page, and a QR code drawn as vectors.

ReportLab lays out a letter in milliseconds, so a mailing of thousands is made in one request;
the QR code is ReportLab's own vector widget (no image files, no network).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, SimpleDocTemplate

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=9.6, leading=12.4, spaceAfter=4)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8.3, leading=10.5, textColor=colors.black)
TITLE = ParagraphStyle("title", parent=BODY, fontName="Helvetica-Bold", fontSize=13.5, leading=17)
ADDRESS = ParagraphStyle("address", parent=BODY, fontSize=11.5, leading=14)
CODE = ParagraphStyle("code", parent=BODY, fontName="Courier-Bold", fontSize=18, leading=22)
BULLET = ParagraphStyle("bullet", parent=BODY, leftIndent=10, bulletIndent=0, spaceAfter=1)
GREEN = colors.HexColor("#0b5c4a")


def qr_drawing(text: str, size: float = 30 * mm) -> Drawing:
    widget = QrCodeWidget(text)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    return drawing


def letters_document(story: Sequence[Flowable], *, title: str) -> bytes:
    """Lay ``story`` out on US letter pages with the margins every mailing uses."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=letter,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=title,
        author="cpps",
    )
    document.build(list(story))
    return buffer.getvalue()
