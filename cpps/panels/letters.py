"""Bilingual invitation letters (English and Spanish on one page each) as a printable PDF."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from cpps.common.pdf import (
    ADDRESS,
    BODY,
    BULLET,
    CODE,
    GREEN,
    SMALL,
    TITLE,
    letters_document,
    qr_drawing,
)
from cpps.panels.models import Invitation, Panel


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


@dataclass(frozen=True)
class LetterText:
    """The wording of one language's half of the letter."""

    title: str
    chosen: str
    community_led: str
    drawn: str
    stipend: str
    childcare: str
    transport: str
    interpretation: str


ENGLISH = LetterText(
    title="You are invited: {title}",
    chosen="Your household was chosen at random, by lot, from the addresses in {place}. {purpose}",
    community_led=(
        "<b>This panel is run by residents, not by the police.</b> Police staff may attend to "
        "listen and answer, but they never see who registered or what anyone answered."
    ),
    drawn=(
        "A panel of {size} will be drawn by lot from everyone who registers, so that it looks "
        "like the community."
    ),
    stipend="Members are paid: {stipend}.",
    childcare="Childcare is provided during sessions.",
    transport="Transport is paid or arranged.",
    interpretation="Spanish interpretation is available.",
)
SPANISH = LetterText(
    title="Está invitado/a: {title}",
    chosen=(
        "Su hogar fue elegido al azar, por sorteo, entre las direcciones de {place}. Un panel de "
        "residentes se reunirá para decidir las prioridades de seguridad de su comunidad."
    ),
    community_led=(
        "<b>Este panel lo dirigen residentes, no la policía.</b> El personal de la policía puede "
        "asistir para escuchar y responder, pero nunca ve quién se inscribió ni qué respondió."
    ),
    drawn=(
        "Se sorteará un panel de {size} personas entre quienes se inscriban, para que se "
        "parezca a la comunidad."
    ),
    stipend="Los miembros reciben un pago: {stipend}.",
    childcare="Hay cuidado de niños durante las sesiones.",
    transport="El transporte se paga o se organiza.",
    interpretation="Hay interpretación al español.",
)


def _half(text: LetterText, panel: Panel) -> list[Flowable]:
    process = panel.process
    values = {
        "title": escape(process.title),
        "place": escape(process.jurisdiction.name),
        "purpose": escape(process.purpose),
        "size": str(panel.size),
        "stipend": escape(panel.stipend),
    }
    points = [text.drawn]
    if panel.stipend:
        points.append(text.stipend)
    if panel.offers_childcare:
        points.append(text.childcare)
    if panel.offers_transport:
        points.append(text.transport)
    points.append(text.interpretation)
    return [
        Paragraph(text.title.format(**values), TITLE),
        Paragraph(text.chosen.format(**values), BODY),
        Paragraph(text.community_led, BODY),
        *(Paragraph(point.format(**values), BULLET, bulletText="•") for point in points),
    ]


def _register_box(panel: Panel, code: str, url: str) -> Table:
    lines = [
        Paragraph("Your code · Su código", BODY),
        Paragraph(format_code(code), CODE),
        Paragraph(escape(url), SMALL),
    ]
    if panel.sms_number:
        lines.append(
            Paragraph(
                "Text your code to · Envíe su código por SMS al: "
                f"<b>{escape(panel.sms_number)}</b>",
                BODY,
            )
        )
    if panel.helpline:
        lines.append(Paragraph(f"Phone · Teléfono: <b>{escape(panel.helpline)}</b>", BODY))
    box = Table([[qr_drawing(url), lines]], colWidths=[36 * mm, None])
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


def _how_to_register(panel: Panel) -> Paragraph:
    phone = escape(panel.helpline)
    english = "Register on the web page above (scan the QR code)"
    spanish = "Inscríbase en la página web (escanee el código QR)"
    if panel.sms_number:
        english += ", by text message"
        spanish += ", por mensaje de texto"
    if phone:
        english += f", or call {phone} and a facilitator will fill in the form with you"
        spanish += f" o llame al {phone} y una persona facilitadora llenará el formulario con usted"
    return Paragraph(
        f"{english}. One person per household, aged 18 or over. · {spanish}. Una persona por "
        "hogar, de 18 años o más.",
        SMALL,
    )


def letters_pdf(
    *, panel: Panel, invitations: Sequence[Invitation], register_url: Callable[[str], str]
) -> bytes:
    """One page per invitation: what the panel is, that residents (not the police) run it, the
    support offered, the code with a QR code, and how to register (web, phone, paper)."""
    story: list[Flowable] = []
    for number, invitation in enumerate(invitations):
        if number:
            story.append(PageBreak())
        story += [
            Paragraph(escape(invitation.address), ADDRESS),
            Spacer(1, 14 * mm),
            *_half(ENGLISH, panel),
            Spacer(1, 3 * mm),
            _register_box(panel, invitation.code, register_url(invitation.code)),
            Spacer(1, 2 * mm),
            _how_to_register(panel),
            HRFlowable(width="100%", color=colors.grey, spaceBefore=4, spaceAfter=6),
            *_half(SPANISH, panel),
        ]
    return letters_document(story, title="Invitations · Invitaciones")
