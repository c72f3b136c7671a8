"""The SMS channel end to end: requests signed with twilio's own RequestValidator go through the
real Django stack (middleware, URLconf, view, services, database)."""

from __future__ import annotations

import itertools
import threading
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from twilio.request_validator import RequestValidator

from cpps.channels.models import Conversation, InboundDelivery
from cpps.listening.models import Answer, Response
from cpps.listening.selectors import raw_answer_rows
from cpps.participation.models import Participant

TOKEN = "test-twilio-auth-token-0123456789"
PHONE = "+13125550147"
_sids = itertools.count(1)


@pytest.fixture(autouse=True)
def _twilio_token(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN


def signed_post(client, url, params, *, token=TOKEN, host="testserver", secure=False):
    scheme = "https" if secure else "http"
    signature = RequestValidator(token).compute_signature(f"{scheme}://{host}{url}", params)
    return client.post(
        url,
        data=urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
        HTTP_HOST=host,
        secure=secure,
    )


def text(client, survey, body, *, phone=PHONE, sid=None):
    params = {
        "MessageSid": sid or f"SM{next(_sids):032d}",
        "AccountSid": "AC" + "0" * 32,
        "From": phone,
        "To": "+13125550100",
        "Body": body,
    }
    response = signed_post(client, f"/hooks/sms/{survey.pk}/", params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    return response.content.decode()


def snapshot():
    return (
        Response.objects.count(),
        Answer.objects.count(),
        Conversation.objects.count(),
        InboundDelivery.objects.count(),
        Participant.objects.count(),
    )


@pytest.mark.django_db
def test_a_whole_survey_by_text_in_english(survey):
    client = Client()
    first = text(client, survey, "hello")
    assert "Reply 1 for English" in first
    assert "Responda 2 para español" in first
    reply = text(client, survey, "1")
    assert "Your number is never stored" in reply
    assert "(1/10) When it comes to the threat of crime" in reply
    assert "Reply with a number from 0 (Not at all safe) to 10 (Completely safe)" in reply
    assert "(2/10)" in text(client, survey, "8")
    wrong = text(client, survey, "eleven")
    assert "did not fit" in wrong
    assert "(2/10)" in wrong
    assert "(3/10)" in text(client, survey, "skip")
    help_reply = text(client, survey, "HELP")
    assert "RESTART starts unfinished answers again" in help_reply
    assert "(3/10)" in help_reply
    for body in ["3", "4", "5", "6", "7"]:
        text(client, survey, body)
    contact = text(client, survey, "2")  # (8/10) police contact: "they stopped or approached me"
    assert "(9/10)" in contact
    assert "1 Gun violence" in contact
    assert "(10/10)" in text(client, survey, "1, 3")
    assert "which area do you live in" in text(client, survey, "More street lights & =cmd")
    assert "Thank you!" in text(client, survey, "8")
    assert "already answered" in text(client, survey, "5")
    response = Response.objects.get(process=survey)
    assert response.channel == "sms"
    assert response.language == "en"
    assert response.completed_at is not None
    assert response.area.code == "8"
    answers = {a.question.key: a for a in Answer.objects.filter(response=response)}
    assert answers["safe_crime"].number == 8
    assert answers["safe_day"].skipped is True
    assert answers["police_contact"].choices == ["they_stopped_me"]
    assert answers["worries"].choices == ["gun_violence", "traffic"]
    assert answers["safer_one_thing"].text == "More street lights & =cmd"


@pytest.mark.django_db
def test_a_whole_survey_by_text_in_spanish_with_restart(survey):
    client = Client()
    text(client, survey, "Hola")
    reply = text(client, survey, "Español")
    assert "Su número no se guarda" in reply
    assert "En cuanto a la amenaza del crimen" in reply
    text(client, survey, "4")
    restarted = text(client, survey, "reiniciar")
    assert "(1/10)" in restarted
    for body in ["5", "saltar", "6", "7", "8", "9", "10", "4", "2 5"]:
        assert "no corresponde" not in text(client, survey, body)
    assert "en qué zona vive" in text(client, survey, "Más luz en la calle")
    assert "¡Gracias!" in text(client, survey, "saltar")
    finished = Response.objects.get(process=survey, completed_at__isnull=False)
    assert finished.language == "es"
    assert finished.area is None
    assert Response.objects.filter(process=survey, abandoned=True).count() == 1
    assert Answer.objects.get(response=finished, question__key="safe_crime").number == 5


@pytest.mark.django_db
def test_stop_silences_and_start_resumes(survey):
    client = Client()
    text(client, survey, "1")
    assert "no more messages" in text(client, survey, "STOP")
    assert "<Message>" not in text(client, survey, "7")
    assert not Answer.objects.filter(response__process=survey).exists()
    resumed = text(client, survey, "START")
    assert "(1/10)" in resumed


@pytest.mark.django_db
def test_the_phone_number_is_kept_only_as_a_keyed_digest(survey, accounts):
    client = Client()
    text(client, survey, "1")
    text(client, survey, "6")
    digits = PHONE.lstrip("+")
    for model in (Conversation, Participant, Response, Answer, InboundDelivery):
        for row in model.objects.values():
            assert not any(digits[-7:] in str(value) for value in row.values()), model
    session = Conversation.objects.get()
    assert len(session.phone_digest) == 64
    header, *_rows = list(raw_answer_rows(user=accounts["facilitator"], process=survey))
    assert not any("phone" in column or "digest" in column for column in header)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tamper",
    ["unsigned", "wrong_token", "altered_body", "other_url", "wrong_content_type"],
)
def test_forged_or_altered_requests_get_403_and_write_nothing(survey, tamper):
    client = Client()
    params = {"MessageSid": "SM" + "f" * 32, "From": PHONE, "Body": "1"}
    url = f"/hooks/sms/{survey.pk}/"
    signature = RequestValidator(TOKEN).compute_signature(f"http://testserver{url}", params)
    before = snapshot()
    if tamper == "unsigned":
        response = client.post(
            url, data=urlencode(params), content_type="application/x-www-form-urlencoded"
        )
    elif tamper == "wrong_token":
        response = signed_post(client, url, params, token="not-the-token")
    elif tamper == "altered_body":
        response = client.post(
            url,
            data=urlencode({**params, "Body": "2"}),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=signature,
        )
    elif tamper == "other_url":
        other = RequestValidator(TOKEN).compute_signature(
            "http://testserver/hooks/sms/999/", params
        )
        response = client.post(
            url,
            data=urlencode(params),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=other,
        )
    else:
        response = client.post(
            url, data=params, HTTP_X_TWILIO_SIGNATURE=signature
        )  # multipart, as no provider sends
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.django_db
def test_without_a_configured_token_every_request_is_refused(survey, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    params = {"MessageSid": "SM" + "e" * 32, "From": PHONE, "Body": "1"}
    before = snapshot()
    response = signed_post(Client(), f"/hooks/sms/{survey.pk}/", params, token="")
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.django_db
def test_behind_a_proxy_the_public_https_url_is_validated(survey, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.USE_X_FORWARDED_HOST = True
    settings.ALLOWED_HOSTS = ["testserver", "survey.example.org"]
    url = f"/hooks/sms/{survey.pk}/"
    params = {"MessageSid": "SM" + "d" * 32, "From": PHONE, "Body": "1"}
    public = RequestValidator(TOKEN).compute_signature(f"https://survey.example.org{url}", params)
    internal = RequestValidator(TOKEN).compute_signature(f"http://testserver{url}", params)
    common = {
        "data": urlencode(params),
        "content_type": "application/x-www-form-urlencoded",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_HOST": "survey.example.org",
    }
    assert Client().post(url, HTTP_X_TWILIO_SIGNATURE=internal, **common).status_code == 403
    assert Client().post(url, HTTP_X_TWILIO_SIGNATURE=public, **common).status_code == 200


@pytest.mark.django_db
def test_a_replayed_message_gets_the_original_reply_and_changes_nothing(survey):
    client = Client()
    text(client, survey, "1", sid="SM-language")
    first = text(client, survey, "7", sid="SM-answer")
    before = snapshot()
    for _ in range(100):
        assert text(client, survey, "7", sid="SM-answer") == first
    assert snapshot() == before
    assert Answer.objects.filter(question__key="safe_crime", response__process=survey).count() == 1


@pytest.mark.django_db
def test_the_last_message_replayed_completes_the_response_once(survey):
    client = Client()
    for number, body in enumerate(["1", *["skip"] * 10]):
        text(client, survey, body, sid=f"SM-step-{number}")
    last = text(client, survey, "7", sid="SM-last")
    assert "Thank you!" in last
    for _ in range(5):
        assert text(client, survey, "7", sid="SM-last") == last
    sent = Response.objects.filter(process=survey, completed_at__isnull=False)
    assert sent.count() == 1
    assert sent.get().area.code == "7"


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_retries_store_exactly_one_answer(survey):
    text(Client(), survey, "1", sid="SM-start")
    params = {"MessageSid": "SM-race", "From": PHONE, "Body": "9"}
    barrier = threading.Barrier(20)
    replies: list[str] = []
    errors: list[BaseException] = []

    def send():
        try:
            barrier.wait()
            response = signed_post(Client(), f"/hooks/sms/{survey.pk}/", params)
            replies.append(response.content.decode())
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(replies) == 20
    assert len(set(replies)) == 1
    assert "(2/10)" in replies[0]
    assert Answer.objects.filter(question__key="safe_crime", response__process=survey).count() == 1
    assert InboundDelivery.objects.filter(sid="SM-race").count() == 1
