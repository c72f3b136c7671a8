"""Printable bilingual paper forms as a PDF, laid out with ReportLab.

Like the invitation letters (cpps/panels/letters.py), the forms use ReportLab's built-in
Helvetica, whose encoding covers Spanish (á, é, ñ, ¿, ¡), so no system fonts or libraries are
needed. Each form starts on a new page; a form that runs over carries its number at the top of
every page, so loose pages can still be keyed.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import translation
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from cpps.jurisdictions.models import Area
from cpps.listening.models import Instrument, Question, QuestionKind
from cpps.participation.demographics import QUESTIONS as DEMOGRAPHIC_QUESTIONS
from cpps.processes.models import Process

# The "about you" questions in Spanish, for the printed form (the web uses the translations).
DEMOGRAPHICS_ES = {
    "age_band": "¿Qué edad tiene?",
    "sex": "¿Cuál es su sexo?",
    "race_ethnicity": "¿Cuál le describe mejor?",
    "language": "¿Qué idioma habla más en casa?",
    "tenure": "¿Alquila o es dueño/a de su vivienda?",
}

INTRO_EN = (
    "Run by residents. Do not write your name. Skip any question you like. The police see only "
    'totals. Tick one box unless it says "choose any".'
)
INTRO_ES = (
    "Dirigida por residentes. No escriba su nombre. Puede saltar cualquier pregunta. La policía "
    'sólo ve totales. Marque una casilla salvo que diga "elija las que quiera".'
)
ABOUT_YOU = "About you (optional, used only to weight results) / Sobre usted (opcional)"
AREA_EN = "Which police district do you live in?"
AREA_ES = "¿En qué distrito policial vive?"

MARGIN = 14 * mm
FRAME_PADDING = 6  # SimpleDocTemplate's frame pads its content by 6pt on each side
WIDTH = letter[0] - 2 * MARGIN - 2 * FRAME_PADDING
FONT, BOLD, ITALIC = "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"
SPANISH_GREY = colors.HexColor("#333333")

BODY = ParagraphStyle("form-body", fontName=FONT, fontSize=9.5, leading=11.8)
TITLE = ParagraphStyle("form-title", parent=BODY, fontName=BOLD, fontSize=14, leading=17)
CODE = ParagraphStyle("form-code", parent=BODY, fontName="Courier-Bold", fontSize=15, leading=18)
INTRO = ParagraphStyle("form-intro", parent=BODY, fontSize=8.8, leading=10.8)
OPTION = ParagraphStyle("form-option", parent=BODY, fontSize=8.8, leading=10.4)
SMALL = ParagraphStyle("form-small", parent=BODY, fontSize=7.5, leading=9)
SMALL_RIGHT = ParagraphStyle("form-small-right", parent=SMALL, alignment=TA_RIGHT)
SECTION = ParagraphStyle("form-section", parent=BODY, fontName=BOLD, fontSize=11, leading=14)

TICK = 9.0  # side of a tick box, in points
SCALE_BOX = 22.0
SCALE = range(11)


def render_paper_forms(
    *, process: Process, instrument: Instrument, areas: list[Area], codes: list[str]
) -> bytes:
    """One bilingual form per code, each starting on a new page."""
    questions = list(instrument.questions.order_by("position"))
    demographics = _demographics_both_languages()
    buffer = io.BytesIO()
    document = _FormsDocument(
        buffer,
        pagesize=letter,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=process.title,
        author="cpps",
    )
    story: list[Flowable] = []
    for number, code in enumerate(codes):
        if number:
            story.append(PageBreak())
        story += [
            _FormStart(code),
            _header(process, instrument, code),
            Spacer(1, 4),
            Paragraph(f"{escape(INTRO_EN)}<br/>{_spanish(INTRO_ES)}", INTRO),
            Spacer(1, 3),
            *(_question(question) for question in questions),
            _block(
                _about_you_heading(),
                _both(AREA_EN, AREA_ES),
                _ticks([escape(area.name) for area in areas]),
            ),
            *(
                _block(_both(label, spanish), _ticks([_choice(en, es) for en, es in choices]))
                for label, spanish, choices in demographics
            ),
        ]
    document.build(story)
    return buffer.getvalue()


class _FormStart(Flowable):  # type: ignore[misc]  # ReportLab has no type hints
    """An invisible mark where a form begins, so each page can show whose form it is."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return 0, 0

    def draw(self) -> None:
        pass


class _FormsDocument(SimpleDocTemplate):  # type: ignore[misc]  # ReportLab has no hints
    """Prints "Form / Formulario <code>" at the top right of every page of a form."""

    code = ""

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 - ReportLab's hook name
        if isinstance(flowable, _FormStart):
            self.code = flowable.code

    def afterPage(self) -> None:  # noqa: N802 - ReportLab's hook name
        canvas = self.canv
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawRightString(
            letter[0] - MARGIN, letter[1] - MARGIN / 2, f"Form / Formulario {self.code}"
        )
        canvas.restoreState()


def _tick_box() -> Drawing:
    """An empty square to tick."""
    drawing = Drawing(TICK, TICK)
    drawing.add(Rect(0, 0, TICK, TICK, strokeWidth=0.8, fillColor=None))
    return drawing


def _writing_line() -> HRFlowable:
    """A ruled line to write on."""
    return HRFlowable(width="100%", thickness=0.6, color=colors.black, spaceBefore=18)


def _spanish(text: str) -> str:
    return f'<font color="{SPANISH_GREY.hexval()}"><i>{escape(text)}</i></font>'


def _both(english: str, spanish: str) -> Paragraph:
    """A question: English in bold, Spanish in grey italics below it."""
    text = f"<b>{escape(english)}</b>"
    if spanish:
        text += f"<br/>{_spanish(spanish)}"
    return Paragraph(text, BODY)


def _choice(english: str, spanish: str) -> str:
    return f"{escape(english)} / <i>{escape(spanish)}</i>" if spanish else escape(english)


def _header(process: Process, instrument: Instrument, code: str) -> Table:
    heading = [
        Paragraph(escape(process.title), TITLE),
        Paragraph(f"Version {instrument.version} · Paper form / Formulario en papel", BODY),
    ]
    code_width = stringWidth(code, "Courier-Bold", CODE.fontSize) + 14
    table = Table([[heading, Paragraph(escape(code), CODE)]], colWidths=[None, code_width])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("BOX", (1, 0), (1, 0), 2, colors.black),
                ("LEFTPADDING", (1, 0), (1, 0), 7),
                ("TOPPADDING", (1, 0), (1, 0), 3),
                ("BOTTOMPADDING", (1, 0), (1, 0), 5),
                ("LINEBELOW", (0, 0), (0, 0), 2, colors.black),
                ("BOTTOMPADDING", (0, 0), (0, 0), 6),
            ]
        )
    )
    return table


def _question(question: Question) -> Flowable:
    number = f"{question.position}. "
    prompt = _both(number + question.text_en, question.text_es)
    if question.kind == QuestionKind.SCALE:
        return _block(prompt, _scale(question))
    if question.kind == QuestionKind.TEXT:
        return _block(prompt, _writing_line(), _writing_line())
    options = [_choice(str(choice["en"]), str(choice["es"])) for choice in question.choices]
    return _block(prompt, _ticks(options))


def _block(*parts: Flowable) -> KeepTogether:
    """One question, never split across pages."""
    return KeepTogether([*parts, Spacer(1, 7)])


def _scale(question: Question) -> Table:
    """Boxes 0 to 10, with what the ends mean on either side."""
    low = Paragraph(
        f"0 = {escape(question.scale_low_en)}<br/><i>{escape(question.scale_low_es)}</i>",
        SMALL_RIGHT,
    )
    high = Paragraph(
        f"10 = {escape(question.scale_high_en)}<br/><i>{escape(question.scale_high_es)}</i>",
        SMALL,
    )
    side = (WIDTH - len(SCALE) * SCALE_BOX) / 2
    table = Table(
        [[low, *(str(n) for n in SCALE), high]],
        colWidths=[side, *(SCALE_BOX for _ in SCALE), side],
        rowHeights=[SCALE_BOX],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (1, 0), (-2, 0), 0.8, colors.black),
                ("FONT", (1, 0), (-2, 0), FONT, 8),
                ("ALIGN", (1, 0), (-2, 0), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _ticks(options: list[str]) -> Flowable:
    """Tick boxes in as many columns as the longest answer allows (up to four)."""
    if not options:
        return Spacer(1, 0)
    widest = max(stringWidth(_plain(option), FONT, OPTION.fontSize) for option in options)
    columns = max(1, min(4, int(WIDTH // (widest + TICK + 16)), len(options)))
    label_width = WIDTH / columns - TICK - 8
    rows: list[list[Any]] = []
    for start in range(0, len(options), columns):
        row: list[Any] = []
        for option in options[start : start + columns]:
            row += [_tick_box(), Paragraph(option, OPTION)]
        row += ["", ""] * (columns - len(row) // 2)
        rows.append(row)
    table = Table(rows, colWidths=[TICK + 8, label_width] * columns, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                # Lower the boxes a little, to sit level with the first line of their answer.
                *(("TOPPADDING", (2 * n, 0), (2 * n, -1), 3.5) for n in range(columns)),
            ]
        )
    )
    return table


def _plain(markup: str) -> str:
    """The visible text of a short option (for measuring it)."""
    for tag in ("<i>", "</i>"):
        markup = markup.replace(tag, "")
    return markup.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


def _about_you_heading() -> Table:
    table = Table([[Paragraph(escape(ABOUT_YOU), SECTION)]], colWidths=[WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("LINEABOVE", (0, 0), (-1, 0), 1, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _demographics_both_languages() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Each "about you" question and its answers in English and Spanish (blank if the same)."""
    printed = []
    for question in DEMOGRAPHIC_QUESTIONS:
        with translation.override("en"):
            english = [str(label) for _value, label in question.choices]
            label_en = str(question.label)
        with translation.override("es"):
            spanish = [str(label) for _value, label in question.choices]
        choices = [(en, "" if es == en else es) for en, es in zip(english, spanish, strict=True)]
        printed.append((label_en, DEMOGRAPHICS_ES.get(question.key, ""), choices))
    return printed
