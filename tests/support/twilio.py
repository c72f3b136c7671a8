"""Requests as Twilio sends them: form-encoded and signed with twilio's own RequestValidator."""

from __future__ import annotations

import itertools
import re
from urllib.parse import urlencode

from django.test import Client
from twilio.request_validator import RequestValidator

TOKEN = "test-twilio-auth-token-shared"
_sids = itertools.count(1)


def signed_post(client: Client, url: str, params: dict[str, str], *, token: str = TOKEN):
    signature = RequestValidator(token).compute_signature(f"http://testserver{url}", params)
    return client.post(
        url,
        data=urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )


def sms(url: str, body: str, *, phone: str, to: str = "+13125550100", client: Client | None = None):
    """Text ``body`` from ``phone`` to the webhook at ``url``; return the reply's text."""
    params = {"MessageSid": f"SM{next(_sids):032d}", "From": phone, "To": to, "Body": body}
    response = signed_post(client or Client(), url, params)
    assert response.status_code == 200, response.content
    return re.sub(r"<[^>]+>", "", response.content.decode()).strip()
