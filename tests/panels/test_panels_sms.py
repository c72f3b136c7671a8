"""Registering by text message through the signed, Twilio-compatible webhook."""

from __future__ import annotations

import itertools
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from twilio.request_validator import RequestValidator

from cpps.channels.models import Conversation
from cpps.panels import services
from cpps.panels.models import Registration
from tests.panels.support import address_list, demo_panel_process

pytestmark = pytest.mark.django_db

TOKEN = "panel-test-token"
SIDS = itertools.count(1)


@pytest.fixture
def texting(chicago, accounts, settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    process = demo_panel_process(chicago)
    invitations = services.invitations_import(
        user=accounts["facilitator"], panel=process.panel, data=address_list(3), sample_size=2
    )
    path = reverse("channels:sms_panel_alias", args=[chicago.slug, process.pk])

    def send(body: str, sender: str = "+13125550101", *, signed: bool = True):
        params = {"MessageSid": f"SM{next(SIDS):032d}", "From": sender, "Body": body}
        signature = RequestValidator(TOKEN).compute_signature(f"http://testserver{path}", params)
        headers = {"HTTP_X_TWILIO_SIGNATURE": signature if signed else "forged"}
        return Client().post(
            path, urlencode(params), content_type="application/x-www-form-urlencoded", **headers
        )

    return process.panel, invitations, send


def test_text_registration_in_spanish(texting):
    panel, invitations, send = texting
    assert "Responda 2 para español" in send("NOPE1234").content.decode()
    assert "No conocemos este código" in send("2").content.decode()
    question = send(invitations[0].code.lower()).content.decode()
    assert "¿Cuál es su sexo?" in question
    assert "1) Mujer" in question
    assert "¿Qué edad tiene?" in send("1").content.decode()
    assert "Última pregunta" in send("3").content.decode()
    assert "Quedó inscrito/a" in send("Rosa Pérez").content.decode()
    registration = Registration.objects.get(panel=panel)
    assert registration.channel == "sms"
    assert registration.features == {"sex": "female", "age_band": "35_44"}
    assert registration.contact.phone == "+13125550101"
    assert Conversation.objects.get(process=panel.process).state == {}
    # The same person cannot register again with the household's other letter.
    send(invitations[1].code)
    send("2")
    send("1")
    assert "teléfono ya se inscribió" in send("Rosa").content.decode()
    assert Registration.objects.filter(panel=panel).count() == 1


def test_forged_webhook_is_refused(texting):
    _panel, invitations, send = texting
    assert send(invitations[0].code, signed=False).status_code == 403
    assert not Conversation.objects.exists()
