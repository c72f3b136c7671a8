"""Taking part by text message: "reply 1 or 2" in a priority round and "reply 1, 2 or 3" in a
scorecard, through signed Twilio-compatible webhooks, in English or Spanish."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from cpps.accountability.models import Rating
from cpps.channels.models import Conversation
from cpps.priorities.models import Comparison
from cpps.processes.models import Process

pytestmark = pytest.mark.django_db
TOKEN = "test-twilio-token"


@pytest.fixture
def texting(client, settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    counter = iter(range(10_000))

    def send(process, body, sender="+13125550100", sid=None):
        url = f"/hooks/sms/processes/{process.pk}/"
        params = {
            "MessageSid": sid or f"SM{next(counter):032d}",
            "From": sender,
            "Body": body,
        }
        signature = RequestValidator(TOKEN).compute_signature(f"http://testserver{url}", params)
        response = client.post(
            url,
            urlencode(params),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=signature,
        )
        assert response.status_code == 200, response.content
        return re.sub(r"<[^>]+>", "", response.content.decode()).strip()

    return send


def test_reply_one_or_two_records_comparisons(chicago, texting):
    round_ = Process.objects.get(jurisdiction=chicago, kind="priority_round")
    assert "Responda 2 para español" in texting(round_, "Hola")
    first = texting(round_, "2")
    assert "Responda 1 o 2" in first
    for _ in range(5):
        assert "Responda 1 o 2" in texting(round_, "1")
    assert "Responda con uno" in texting(round_, "maybe")
    assert Comparison.objects.filter(process=round_).count() == 5
    conversation = Conversation.objects.get(process=round_)
    assert "+1312" not in conversation.phone_digest
    assert "no more messages" not in texting(round_, "STOP")  # Spanish conversation
    assert Comparison.objects.filter(process=round_).count() == 5


def test_a_retried_delivery_is_counted_once(chicago, texting):
    round_ = Process.objects.get(jurisdiction=chicago, kind="priority_round")
    texting(round_, "start")
    texting(round_, "1")  # English
    first = texting(round_, "2", sid="SM-retry")
    assert texting(round_, "2", sid="SM-retry") == first
    assert Comparison.objects.filter(process=round_).count() == 1


def test_residents_rate_every_agreed_commitment_by_text(chicago, texting):
    scorecard = Process.objects.get(jurisdiction=chicago, kind="scorecard")
    assert "Reply 1 for English" in texting(scorecard, "start", sender="+13125550111")
    prompt = texting(scorecard, "1", sender="+13125550111")
    assert "Reply 1 kept, 2 partly, 3 not kept, 4 too early to say, 5 don't know" in prompt
    texting(scorecard, "1", sender="+13125550111")
    assert "rated every commitment" in texting(scorecard, "4", sender="+13125550111")
    assert sorted(Rating.objects.values_list("value", flat=True)) == ["kept", "too_early"]


def test_unsigned_messages_are_refused(chicago, client):
    round_ = Process.objects.get(jurisdiction=chicago, kind="priority_round")
    response = client.post(
        f"/hooks/sms/processes/{round_.pk}/",
        {"MessageSid": "SM1", "From": "+13125550100", "Body": "1"},
        HTTP_X_TWILIO_SIGNATURE="forged",
    )
    assert response.status_code == 403
    assert not Conversation.objects.exists()
