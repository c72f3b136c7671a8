"""Paper forms: printable bilingual PDF with checked form numbers, and double entry."""

import io
import re

import pytest
from django.test import Client
from django.utils.html import escape
from pypdf import PdfReader

from cpps.accounts.models import User
from cpps.accounts.services import membership_grant, user_create
from cpps.common.errors import InvalidInputError, PermissionRefusedError
from cpps.demo.listening import demo_form_code
from cpps.listening.models import Answer, Question, Response
from cpps.listening.paper import paper_entry_record
from cpps.participation.models import PaperEntry
from cpps.participation.paper import form_code_clean, form_code_new

pytestmark = pytest.mark.django_db


@pytest.fixture
def keyers(chicago, accounts):
    second = User.objects.filter(username="second-keyer").first() or user_create(
        username="second-keyer", password="a long password 123", first_name="S", last_name="K"
    )
    membership_grant(granted_by=None, jurisdiction=chicago, user=second, role="facilitator")
    return accounts["facilitator"], second


def test_form_numbers_carry_a_check_character_that_catches_typos():
    code = form_code_new()
    assert form_code_clean(code) == code
    assert form_code_clean(code.lower().replace("-", " ")) == code
    body = code.replace("-", "")
    swapped = body[1] + body[0] + body[2:] if body[0] != body[1] else body[:5] + "Z" + body[6:]
    with pytest.raises(InvalidInputError, match="typing mistake"):
        form_code_clean(swapped)


def test_two_matching_entries_store_one_paper_response(survey, keyers):
    first, second = keyers
    values = {"q_safe_crime": ["6"], "q_worries": ["theft", "traffic"], "about_area": ["9"]}
    code = demo_form_code("TST001")
    waiting = paper_entry_record(user=first, process=survey, form_code=code, values=values)
    assert waiting.waiting
    assert not Response.objects.filter(process=survey).exists()
    with pytest.raises(InvalidInputError, match="A second person must key it"):
        paper_entry_record(user=first, process=survey, form_code=code, values=values)
    stored = paper_entry_record(
        user=second,
        process=survey,
        form_code=code,
        values={**values, "q_worries": ["traffic", "theft"]},
    )
    assert stored.stored
    response = Response.objects.get(process=survey, client_id=f"paper:{code}")
    assert response.channel == "paper"
    assert response.area.code == "9"
    assert Answer.objects.get(response=response, question__key="safe_crime").number == 6
    assert all(PaperEntry.objects.filter(form_code=code).values_list("stored_at", flat=True))


def test_differing_entries_are_shown_and_resolved_by_a_facilitator(survey, keyers):
    first, second = keyers
    code = demo_form_code("TST002")
    paper_entry_record(user=first, process=survey, form_code=code, values={"q_safe_night": ["3"]})
    outcome = paper_entry_record(
        user=second, process=survey, form_code=code, values={"q_safe_night": ["8"]}
    )
    assert outcome.differences == ("q_safe_night",)
    client = Client()
    client.force_login(first)
    page = client.get(f"/j/chicago/surveys/{survey.pk}/paper/")
    assert f"Resolve form {code}".encode() in page.content
    resolve = client.get(f"/j/chicago/surveys/{survey.pk}/paper/{code}/resolve/")
    assert b"First entry: 3" in resolve.content
    assert b"Second entry: 8" in resolve.content
    # The facilitator reads the question, never its key.
    night = Question.objects.filter(instrument__process=survey, key="safe_night").first()
    assert night is not None
    assert f"<legend>{escape(night.text('en'))}</legend>" in resolve.content.decode()
    assert b"<legend>q_safe_night</legend>" not in resolve.content
    undecided = client.post(f"/j/chicago/surveys/{survey.pk}/paper/{code}/resolve/", {})
    assert "Choose one of the two entries for every difference." in undecided.content.decode()
    assert not Response.objects.filter(process=survey, channel="paper").exists()
    client.post(f"/j/chicago/surveys/{survey.pk}/paper/{code}/resolve/", {"q_safe_night": "second"})
    response = Response.objects.get(process=survey, channel="paper")
    assert Answer.objects.get(response=response, question__key="safe_night").number == 8


def test_the_entry_screen_keys_a_form(survey, keyers):
    client = Client()
    client.force_login(keyers[0])
    page = client.get(f"/j/chicago/surveys/{survey.pk}/paper/")
    assert b"Form number" in page.content
    assert b"When it comes to the threat of crime" in page.content
    sent = client.post(
        f"/j/chicago/surveys/{survey.pk}/paper/",
        {"form_code": demo_form_code("TST003"), "q_safe_crime": "4", "q_worries": ["theft"]},
    )
    assert sent.status_code == 302
    entry = PaperEntry.objects.get(form_code=demo_form_code("TST003"))
    assert entry.values["q_safe_crime"] == ["4"]
    assert entry.values["q_worries"] == ["theft"]


def test_police_cannot_key_or_print_forms(survey, accounts):
    with pytest.raises(PermissionRefusedError):
        paper_entry_record(
            user=accounts["police_liaison"],
            process=survey,
            form_code=demo_form_code("TST004"),
            values={},
        )
    client = Client()
    client.force_login(accounts["police_liaison"])
    assert client.get(f"/j/chicago/surveys/{survey.pk}/paper/forms.pdf").status_code == 403


def test_the_printable_form_is_a_bilingual_pdf(survey, accounts):
    client = Client()
    client.force_login(accounts["facilitator"])
    response = client.get(f"/j/chicago/surveys/{survey.pk}/paper/forms.pdf?count=2")
    assert response["Content-Type"] == "application/pdf"
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]
    text = "\f".join(pages)
    assert text.count("Paper form / Formulario en papel") == 2
    assert "When it comes to the threat of crime" in text
    assert "En cuanto a la amenaza del crimen" in text
    assert "¿En qué distrito policial vive?" in text
    assert "The police see only totals." in text
    pages = [page for page in pages if page.strip()]
    starts = [page for page in pages if "Paper form / Formulario en papel" in page]
    codes = [re.search(r"Form / Formulario (\S+)", page).group(1) for page in starts]
    assert len(set(codes)) == 2
    for page in pages:
        assert any(f"Form / Formulario {code}" in page for code in codes)
    for code, page in zip(codes, starts, strict=True):
        assert form_code_clean(code) == code
        assert page.count(code) == 2  # the running header and the boxed number
