"""Letters carrying a code to take part (by invitation, or to prove residency): one page per
address, with the wording in every language the process is run in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, PageBreak, Paragraph, Spacer, Table, TableStyle

from cpps.common.pdf import ADDRESS, BODY, CODE, GREEN, SMALL, TITLE, letters_document, qr_drawing
from cpps.participation.models import ResidencyCode
from cpps.processes.models import Process


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def _wording(process: Process, url: str) -> list[Flowable]:
    values = {
        "title": escape(process.title),
        "place": escape(process.jurisdiction.name),
        "url": escape(url),
    }
    return [
        Paragraph(_("You are invited to take part: %(title)s") % values, TITLE),
        Paragraph(escape(process.purpose), BODY),
        Paragraph(
            _(
                "<b>This is run by residents of %(place)s, not by the police.</b> The code below "
                "lets one person from this address take part once. It shows that you live here, "
                "but it is never connected to what you say: answers are kept under a code that "
                "cannot be traced back to you."
            )
            % values,
            BODY,
        ),
        Paragraph(
            _(
                "Go to %(url)s (or scan the square) and type the code, or text it to the number "
                "the organisers give."
            )
            % values,
            SMALL,
        ),
    ]


def _code_box(code: str, url: str) -> Table:
    box = Table(
        [[qr_drawing(url), [Paragraph(format_code(code), CODE), Paragraph(escape(url), SMALL)]]],
        colWidths=[36 * mm, None],
    )
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.5, GREEN),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return box


def residency_letters_pdf(
    *, process: Process, codes: Sequence[ResidencyCode], enter_url: Callable[[str], str]
) -> bytes:
    """One page per address: the process, that residents run it, the code and how to use it, in
    each of the process's languages."""
    story: list[Flowable] = []
    languages = list(process.languages) or ["en"]
    for number, item in enumerate(codes):
        if number:
            story.append(PageBreak())
        url = enter_url(item.code_for_letter)
        story += [Paragraph(escape(item.address), ADDRESS), Spacer(1, 12 * mm)]
        for position, language in enumerate(languages):
            if position:
                story.append(
                    HRFlowable(width="100%", color=colors.grey, spaceBefore=4, spaceAfter=6)
                )
            with translation.override(language):
                story += _wording(process, url)
            if position == 0:
                story += [
                    Spacer(1, 3 * mm),
                    _code_box(item.code_for_letter, url),
                    Spacer(1, 3 * mm),
                ]
    return letters_document(story, title=str(process.title))
