"""Stand-ins for the outside world of outbound SMS: an HTTP client for Twilio's own `Client` that
records each request and answers like Twilio's API, without any network."""

from __future__ import annotations

import json
import logging
from typing import Any

from twilio.http import HttpClient
from twilio.http.response import Response

from cpps.channels.outbound import TwilioBackend

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token"
FROM_NUMBER = "+13125550143"
REFUSAL = {
    "code": 21211,
    "message": "The 'To' number +13125550100 is not a valid phone number.",
    "more_info": "https://www.twilio.com/docs/errors/21211",
    "status": 400,
}


class TwilioApiDouble(HttpClient):
    """Answers Messages.json like Twilio: 201 with the new message, or the error given."""

    def __init__(self, *, status: int = 201, error: dict[str, Any] | None = None) -> None:
        super().__init__(logger=logging.getLogger("tests.twilio"), is_async=False)
        self.status, self.error = status, error
        self.requests: list[dict[str, Any]] = []

    def request(  # noqa: PLR0917 - the signature of twilio's HttpClient.request
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        self.requests.append({"method": method, "uri": uri, "data": dict(data or {}), "auth": auth})
        if self.error is not None:
            return Response(self.status, json.dumps(self.error))
        number = len(self.requests)
        payload = {
            "sid": f"SM{number:032d}",
            "account_sid": ACCOUNT_SID,
            "to": (data or {}).get("To"),
            "from": (data or {}).get("From"),
            "body": (data or {}).get("Body"),
            "status": "queued",
        }
        return Response(self.status, json.dumps(payload))


class RefusingTwilioBackend(TwilioBackend):
    """The real Twilio backend, talking to an API double that refuses every message."""

    @classmethod
    def from_settings(cls) -> RefusingTwilioBackend:
        return cls(
            account_sid=ACCOUNT_SID,
            auth_token=AUTH_TOKEN,
            from_number=FROM_NUMBER,
            http_client=TwilioApiDouble(status=400, error=REFUSAL),
        )
