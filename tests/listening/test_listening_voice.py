"""The voice IVR end to end with requests signed by twilio's RequestValidator."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from cpps.channels.models import InboundDelivery
from cpps.listening.models import Answer, Response

pytestmark = pytest.mark.django_db

TOKEN = "test-twilio-auth-token-voice"
CALLER = "+17735550199"


@pytest.fixture(autouse=True)
def _twilio_token(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN


class Call:
    """A phone call: follows the action URLs of the TwiML it is given, like Twilio does."""

    def __init__(self, survey, sid="CA" + "1" * 32):
        self.client = Client()
        self.sid = sid
        self.url = f"/hooks/voice/{survey.pk}/"
        self.twiml = ""

    def post(self, url, digits=None, *, token=TOKEN):
        params = {"CallSid": self.sid, "From": CALLER, "To": "+13125550100"}
        if digits is not None:
            params["Digits"] = digits
        signature = RequestValidator(token).compute_signature(f"http://testserver{url}", params)
        return self.client.post(
            url,
            data=urlencode(params),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=signature,
        )

    def press(self, digits=None):
        url = self.next_url() if self.twiml else self.url
        response = self.post(url, digits)
        assert response.status_code == 200, response.content
        self.twiml = response.content.decode()
        return self.twiml

    def next_url(self):
        return re.search(r'action="([^"]+)"', self.twiml).group(1).replace("&amp;", "&")


def test_a_whole_survey_by_phone_in_english(survey):
    call = Call(survey)
    first = call.press()
    assert "<Gather" in first
    assert 'numDigits="1"' in first
    assert 'language="es-MX"' in first
    assert "For English, press 1" in first
    welcome = call.press("1")
    assert "When it comes to the threat of crime" in welcome
    assert 'finishOnKey="#"' in welcome
    assert "?step=2" in call.next_url()
    assert "threat of crime" in call.press("*")  # star repeats
    assert "walking alone in your neighborhood during the day" in call.press("10")
    wrong = call.press("42")
    assert "did not fit" in wrong
    assert "during the day" in wrong
    for digits in ["", "3", "4", "5", "6", "7"]:
        call.press(digits)
    contact = call.press("2")
    assert "For Gun violence, press 1" in contact
    area = call.press("13")  # the free-text question is skipped on the phone
    assert "area you live in" in area
    goodbye = call.press("8")
    assert "Your answers were saved" in goodbye
    assert "<Hangup" in goodbye
    response = Response.objects.get(process=survey, channel="voice")
    assert response.completed_at is not None
    assert response.area.code == "8"
    answers = {a.question.key: a for a in Answer.objects.filter(response=response)}
    assert answers["safe_crime"].number == 10
    assert answers["safe_day"].skipped is True
    assert answers["worries"].choices == ["gun_violence", "traffic"]
    assert answers["safer_one_thing"].skipped is True


def test_a_call_in_spanish(survey):
    call = Call(survey, sid="CA" + "2" * 32)
    call.press()
    reply = call.press("2")
    assert 'language="es-MX"' in reply
    assert "En cuanto a la amenaza del crimen" in reply
    assert Response.objects.get(process=survey, channel="voice").language == "es"


def test_replayed_turns_get_the_same_twiml_and_change_nothing(survey):
    call = Call(survey, sid="CA" + "3" * 32)
    call.press()
    call.press("1")
    url = call.next_url()
    answered = call.press("7")
    before = (Answer.objects.count(), InboundDelivery.objects.count())
    for _ in range(10):
        assert call.post(url, "7").content.decode() == answered
    assert (Answer.objects.count(), InboundDelivery.objects.count()) == before


def test_a_forged_turn_gets_403_and_writes_nothing(survey):
    call = Call(survey, sid="CA" + "4" * 32)
    before = (Response.objects.count(), InboundDelivery.objects.count())
    assert call.post(call.url, "1", token="forged").status_code == 403
    assert (Response.objects.count(), InboundDelivery.objects.count()) == before
