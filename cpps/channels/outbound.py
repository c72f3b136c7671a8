"""Outbound text messages: the backends that send them and the delivery the background task runs.

The backend is chosen by the `SMS_BACKEND` setting (from the environment): `outbox` keeps every
message in the database without sending it (the default, for development and tests); `twilio`
sends through Twilio's REST API. A dotted path to a class with `from_settings()` also works.

Delivery is at most once per message: a message is claimed (queued → sending) in one atomic
update before the provider is called, so a retried task or a second worker never sends it again.
A message whose worker died between the claim and the provider's answer stays "sending" for a
person to check, rather than being sent twice.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from requests import RequestException
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from cpps.channels.models import OutboundSms, SmsStatus

BACKENDS = {
    "outbox": "cpps.channels.outbound.OutboxBackend",
    "twilio": "cpps.channels.outbound.TwilioBackend",
}
MAX_ERROR_LENGTH = 1000
SKIPPED = "skipped"  # not queued any more: sent, being sent or failed already


class SmsError(Exception):
    """A message could not be sent; the text says why, for the person who sent it."""


class SmsConfigurationError(SmsError):
    """The SMS backend is missing settings it needs."""


class SmsBackend(Protocol):
    name: str

    def send(self, *, to: str, body: str) -> str:
        """Send `body` to the E.164 number `to`; return the provider's id for the message.

        Raises:
            SmsError: the provider refused the message or could not be reached.
        """
        ...


class OutboxBackend:
    """Sends nothing: the message stays in the database, marked as kept in the outbox."""

    name = "outbox"

    @classmethod
    def from_settings(cls) -> OutboxBackend:
        return cls()

    def send(self, *, to: str, body: str) -> str:
        return f"outbox-{secrets.token_hex(8)}"


class TwilioBackend:
    """Sends through Twilio's Messages API, from a number or through a messaging service."""

    name = "twilio"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str = "",
        messaging_service_sid: str = "",
        http_client: HttpClient | None = None,
        timeout: float = 10.0,
    ) -> None:
        if not account_sid or not auth_token:
            raise SmsConfigurationError(
                "Twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to send text messages."
            )
        if not from_number and not messaging_service_sid:
            raise SmsConfigurationError(
                "Twilio needs TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID to send text "
                "messages."
            )
        self.sender: dict[str, str] = (
            {"messaging_service_sid": messaging_service_sid}
            if messaging_service_sid
            else {"from_": from_number}
        )
        self.client = Client(
            account_sid, auth_token, http_client=http_client or TwilioHttpClient(timeout=timeout)
        )

    @classmethod
    def from_settings(cls) -> TwilioBackend:
        return cls(
            account_sid=settings.TWILIO_ACCOUNT_SID,
            auth_token=settings.TWILIO_AUTH_TOKEN,
            from_number=settings.TWILIO_FROM_NUMBER,
            messaging_service_sid=settings.TWILIO_MESSAGING_SERVICE_SID,
            timeout=settings.SMS_TIMEOUT_SECONDS,
        )

    def send(self, *, to: str, body: str) -> str:
        try:
            message = self.client.messages.create(to=to, body=body, **self.sender)
        except TwilioRestException as error:
            reason = f"Twilio refused the message (error {error.code}): {error.msg}"
            raise SmsError(reason) from error
        except (TwilioException, RequestException) as error:
            raise SmsError(f"Twilio could not be reached: {error}") from error
        return str(message.sid)


def sms_backend() -> SmsBackend:
    """The backend named by the `SMS_BACKEND` setting.

    Raises:
        SmsConfigurationError: the backend lacks its settings.
    """
    name = str(settings.SMS_BACKEND)
    backend: SmsBackend = import_string(BACKENDS.get(name, name)).from_settings()
    return backend


def sms_is_outbox_only() -> bool:
    """Whether messages are kept in the local outbox instead of being sent."""
    return str(settings.SMS_BACKEND) == "outbox"


def phone_e164(raw: str) -> str:
    """A phone number in E.164 form; ten-digit numbers are taken as North American.

    Raises:
        ValueError: `raw` is not a phone number.
    """
    text = raw.strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+") and re.fullmatch(r"[1-9]\d{7,14}", digits):
        return f"+{digits}"
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if re.fullmatch(r"[2-9]\d{9}", digits):
        return f"+1{digits}"
    raise ValueError(raw)


def _deliver(message_id: int, backend: SmsBackend | SmsConfigurationError) -> str:
    claimed = OutboundSms.objects.filter(pk=message_id, status=SmsStatus.QUEUED).update(
        status=SmsStatus.SENDING, attempts=F("attempts") + 1
    )
    if not claimed:
        return SKIPPED
    message = OutboundSms.objects.get(pk=message_id)
    try:
        if isinstance(backend, SmsConfigurationError):
            raise backend
        provider_id = backend.send(to=message.to, body=message.body)
    except SmsError as error:
        OutboundSms.objects.filter(pk=message_id).update(
            status=SmsStatus.FAILED, error=str(error)[:MAX_ERROR_LENGTH]
        )
        return SmsStatus.FAILED
    OutboundSms.objects.filter(pk=message_id).update(
        status=SmsStatus.SENT,
        backend=backend.name,
        provider_id=provider_id[:64],
        error="",
        sent_at=timezone.now(),
    )
    return SmsStatus.SENT


def sms_deliver(*, message_ids: Iterable[int]) -> dict[str, int]:
    """Send each queued message once, in order; return how many were sent, failed or skipped.

    Messages no longer queued (already sent, being sent, or failed) are skipped untouched.
    """
    try:
        backend: SmsBackend | SmsConfigurationError = sms_backend()
    except SmsConfigurationError as error:
        backend = error
    return dict(Counter(_deliver(message_id, backend) for message_id in message_ids))
