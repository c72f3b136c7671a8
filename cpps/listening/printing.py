"""Printable bilingual paper forms (HTML rendered to PDF with WeasyPrint)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from cpps.jurisdictions.models import Area
from cpps.listening.models import Instrument
from cpps.processes.demographics import QUESTIONS as DEMOGRAPHIC_QUESTIONS
from cpps.processes.models import Process

# The "about you" questions in Spanish, for the printed form (the web uses the translations).
DEMOGRAPHICS_ES = {
    "age_band": "¿Qué edad tiene?",
    "sex": "¿Cuál es su sexo?",
    "race_ethnicity": "¿Cuál le describe mejor?",
    "language": "¿Qué idioma habla más en casa?",
    "tenure": "¿Alquila o es dueño/a de su vivienda?",
}


def render_paper_forms(
    *, process: Process, instrument: Instrument, areas: list[Area], codes: list[str]
) -> bytes:
    """One bilingual form per code, each starting on a new page."""
    from weasyprint import HTML  # noqa: PLC0415 - heavy; loaded only when a PDF is asked for

    html = render_to_string(
        "listening/paper_forms.html",
        {
            "process": process,
            "instrument": instrument,
            "questions": list(instrument.questions.order_by("position")),
            "areas": areas,
            "codes": codes,
            "scale": list(range(11)),
            "demographics": _demographics_both_languages(),
        },
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


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
