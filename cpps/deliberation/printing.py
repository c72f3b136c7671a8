"""Printable ballots of a conversation: its statements with agree / disagree / pass boxes, one
numbered ballot per page, in the conversation's languages (the statements as written)."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table, TableStyle

from cpps.common.pdf import BODY, CODE, SMALL, TITLE, letters_document
from cpps.deliberation.models import Statement
from cpps.deliberation.selectors import settings_of
from cpps.processes.models import Process

BOX = 10.0


def _box() -> Drawing:
    drawing = Drawing(BOX + 2, BOX + 2)
    drawing.add(Rect(1, 1, BOX, BOX, strokeColor=colors.black, fillColor=None, strokeWidth=0.9))
    return drawing


def _instructions(process: Process) -> list[Flowable]:
    lines = []
    for language in process.languages or ["en"]:
        with translation.override(language):
            lines.append(
                Paragraph(
                    escape(
                        _(
                            "Run by residents, not by the police. Do not write your name. Tick "
                            "one box for each statement you have a view on; leave the others. "
                            "You may write a statement of your own at the end."
                        )
                    ),
                    SMALL,
                )
            )
    return lines


def _heading(language: str) -> list[object]:
    with translation.override(language):
        return [_("Statement"), _("Agree"), _("Disagree"), _("Pass")]


def ballots_pdf(
    *, process: Process, statements: Sequence[Statement], codes: Sequence[str]
) -> bytes:
    """One page per ballot code: the topic, the instructions, a row per statement with three
    boxes, and room for a statement of one's own."""
    settings = settings_of(process)
    topic = settings.topic if settings else process.title
    language = (process.languages or ["en"])[0]
    story: list[Flowable] = []
    for number, code in enumerate(codes):
        if number:
            story.append(PageBreak())
        header = Table(
            [[Paragraph(escape(topic), TITLE), Paragraph(escape(code), CODE)]],
            colWidths=[None, 40 * mm],
        )
        header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        rows: list[list[object]] = [list(_heading(language))]
        rows += [
            [Paragraph(f"{s.number}. {escape(s.text)}", BODY), _box(), _box(), _box()]
            for s in statements
        ]
        table = Table(rows, colWidths=[None, 18 * mm, 18 * mm, 18 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
                    ("ALIGN", (1, 0), (-1, -1), "CENTER"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.grey),
                ]
            )
        )
        with translation.override(language):
            own = _("Your own statement (optional):")
        story += [
            header,
            *_instructions(process),
            Spacer(1, 4 * mm),
            table,
            Spacer(1, 6 * mm),
            Paragraph(escape(own), BODY),
            Spacer(1, 18 * mm),
            Paragraph(escape(code), SMALL),
        ]
    return letters_document(story, title=str(topic))
