"""Outbound text messages: the outbox and Twilio backends, at-most-once delivery, failures."""

from __future__ import annotations

import pytest

from cpps.channels.models import OutboundSms, SmsStatus
from cpps.channels.outbound import (
    SmsConfigurationError,
    SmsError,
    TwilioBackend,
    phone_e164,
    sms_deliver,
)
from cpps.channels.services import sms_dispatch, sms_queue
from tests.common.support import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    FROM_NUMBER,
    REFUSAL,
    TwilioApiDouble,
)

pytestmark = pytest.mark.django_db

MESSAGES_URI = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


def queued(count: int, *, prefix: str = "test") -> list[OutboundSms]:
    return [
        sms_queue(key=f"{prefix}:{n}", purpose="test", to=f"+1312555{n:04d}", body=f"Hello {n}")
        for n in range(count)
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(312) 555-0142", "+13125550142"),
        ("1-312-555-0142", "+13125550142"),
        ("+1 312 555 0142", "+13125550142"),
        ("+52 55 1234 5678", "+525512345678"),
    ],
)
def test_phone_numbers_are_written_in_e164(raw, expected):
    assert phone_e164(raw) == expected


@pytest.mark.parametrize("raw", ["", "555-0142", "call me", "(012) 555-0142", "+0 12"])
def test_what_is_not_a_phone_number_is_refused(raw):
    with pytest.raises(ValueError, match=r"^"):
        phone_e164(raw)


def test_the_outbox_keeps_messages_without_sending_them(django_capture_on_commit_callbacks):
    messages = queued(3)
    with django_capture_on_commit_callbacks(execute=True):
        sms_dispatch(message_ids=[m.pk for m in messages])
    for message in OutboundSms.objects.all():
        assert message.status == SmsStatus.SENT
        assert message.backend == "outbox"
        assert message.provider_id.startswith("outbox-")
        assert message.attempts == 1
        assert message.sent_at is not None


def test_messages_go_in_batches_and_all_arrive(settings, django_capture_on_commit_callbacks):
    settings.SMS_BATCH_SIZE = 2
    messages = queued(5)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sms_dispatch(message_ids=[m.pk for m in messages])
    assert len(callbacks) == 1
    assert set(OutboundSms.objects.values_list("status", flat=True)) == {SmsStatus.SENT}


def test_nothing_is_sent_before_the_transaction_commits(django_capture_on_commit_callbacks):
    messages = queued(2)
    with django_capture_on_commit_callbacks(execute=False):
        sms_dispatch(message_ids=[m.pk for m in messages])
    assert set(OutboundSms.objects.values_list("status", flat=True)) == {SmsStatus.QUEUED}


def test_a_key_is_queued_once_and_a_message_leaves_at_most_once():
    first = sms_queue(key="invite:1", purpose="test", to="+13125550101", body="One")
    again = sms_queue(key="invite:1", purpose="test", to="+13125550101", body="Changed")
    assert again.pk == first.pk
    assert OutboundSms.objects.count() == 1
    assert sms_deliver(message_ids=[first.pk, first.pk]) == {"sent": 1, "skipped": 1}
    assert sms_deliver(message_ids=[first.pk]) == {"skipped": 1}
    message = OutboundSms.objects.get()
    assert (message.attempts, message.body) == (1, "One")
    sms_queue(key="invite:1", purpose="test", to="+13125550101", body="One")
    assert OutboundSms.objects.get().status == SmsStatus.SENT


def test_a_message_caught_mid_send_is_not_sent_again():
    """A worker that died after claiming a message leaves it for a person, not a second send."""
    (message,) = queued(1)
    OutboundSms.objects.filter(pk=message.pk).update(status=SmsStatus.SENDING, attempts=1)
    assert sms_deliver(message_ids=[message.pk]) == {"skipped": 1}
    assert OutboundSms.objects.get().attempts == 1


def test_a_refused_message_is_recorded_with_the_reason_and_can_be_queued_again(settings):
    settings.SMS_BACKEND = "tests.common.support.RefusingTwilioBackend"
    (message,) = queued(1)
    assert sms_deliver(message_ids=[message.pk]) == {"failed": 1}
    message.refresh_from_db()
    assert message.status == SmsStatus.FAILED
    assert message.error.startswith("Twilio refused the message (error 21211): ")
    assert message.error.endswith(REFUSAL["message"])
    assert message.sent_at is None

    settings.SMS_BACKEND = "outbox"
    again = sms_queue(key=message.key, purpose="test", to=message.to, body=message.body)
    assert (again.pk, again.status, again.error) == (message.pk, SmsStatus.QUEUED, "")
    assert sms_deliver(message_ids=[message.pk]) == {"sent": 1}
    assert OutboundSms.objects.get().attempts == 2


def test_a_missing_twilio_setting_fails_each_message_with_a_clear_reason(settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ""
    messages = queued(2)
    assert sms_deliver(message_ids=[m.pk for m in messages]) == {"failed": 2}
    errors = set(OutboundSms.objects.values_list("error", flat=True))
    assert errors == {
        "Twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to send text messages."
    }


def test_twilio_backend_posts_the_message_from_the_configured_number():
    api = TwilioApiDouble()
    backend = TwilioBackend(
        account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, from_number=FROM_NUMBER, http_client=api
    )
    sid = backend.send(to="+13125550101", body="Hola / Hello")
    assert sid == "SM" + "0" * 31 + "1"
    (request,) = api.requests
    assert request["method"] == "POST"
    assert request["uri"] == MESSAGES_URI
    assert request["auth"] == (ACCOUNT_SID, AUTH_TOKEN)
    assert request["data"] == {"To": "+13125550101", "From": FROM_NUMBER, "Body": "Hola / Hello"}


def test_twilio_backend_can_send_through_a_messaging_service():
    api = TwilioApiDouble()
    service = "MG" + "1" * 32
    backend = TwilioBackend(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        from_number=FROM_NUMBER,
        messaging_service_sid=service,
        http_client=api,
    )
    backend.send(to="+13125550101", body="Hello")
    assert api.requests[0]["data"] == {
        "To": "+13125550101",
        "MessagingServiceSid": service,
        "Body": "Hello",
    }


def test_twilio_backend_turns_an_api_refusal_into_an_sms_error():
    backend = TwilioBackend(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        from_number=FROM_NUMBER,
        http_client=TwilioApiDouble(status=400, error=REFUSAL),
    )
    with pytest.raises(SmsError, match="error 21211"):
        backend.send(to="+13125550100", body="Hello")


@pytest.mark.parametrize(
    ("options", "missing"),
    [
        ({"account_sid": "", "auth_token": AUTH_TOKEN, "from_number": FROM_NUMBER}, "ACCOUNT_SID"),
        ({"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN}, "TWILIO_FROM_NUMBER or"),
    ],
)
def test_twilio_backend_refuses_to_start_without_its_settings(options, missing):
    with pytest.raises(SmsConfigurationError, match=missing):
        TwilioBackend(**options)


def test_twilio_backend_reads_its_settings(settings):
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = ACCOUNT_SID, AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER, settings.TWILIO_MESSAGING_SERVICE_SID = FROM_NUMBER, ""
    backend = TwilioBackend.from_settings()
    assert backend.sender == {"from_": FROM_NUMBER}
    assert backend.client.username == ACCOUNT_SID
    assert backend.client.http_client.timeout == settings.SMS_TIMEOUT_SECONDS


def test_an_unreachable_task_queue_marks_the_messages_failed_so_they_can_be_resent(
    django_capture_on_commit_callbacks, settings
):
    from cpps.common.errors import ServiceUnavailableError
    from tests.support.outages import unreachable_broker

    settings.SMS_BATCH_SIZE = 2
    messages = queued(3, prefix="down")
    with (
        unreachable_broker(),
        pytest.raises(ServiceUnavailableError, match="3 text messages were not sent"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sms_dispatch(message_ids=[m.pk for m in messages])
    for message in OutboundSms.objects.filter(key__startswith="down:"):
        assert message.status == SmsStatus.FAILED
        assert message.error == "Not sent: the background worker could not be reached."
    again = queued(3, prefix="down")
    assert {message.status for message in again} == {SmsStatus.QUEUED}
    with django_capture_on_commit_callbacks(execute=True):
        sms_dispatch(message_ids=[m.pk for m in again])
    assert set(OutboundSms.objects.values_list("status", flat=True)) == {SmsStatus.SENT}


def test_the_watchdog_marks_messages_lost_with_their_task_as_failed(settings):
    from datetime import timedelta

    from django.utils import timezone

    from cpps.common.watchdog import stuck_work_recover

    lost, waiting = queued(2, prefix="watch")
    long_ago = timezone.now() - timedelta(seconds=settings.TASK_TIME_LIMIT + 120)
    OutboundSms.objects.filter(pk=lost.pk).update(due_at=long_ago)
    OutboundSms.objects.filter(pk=waiting.pk).update(due_at=timezone.now())
    assert stuck_work_recover()["text messages"] == 1
    lost.refresh_from_db()
    waiting.refresh_from_db()
    assert (lost.status, waiting.status) == (SmsStatus.FAILED, SmsStatus.QUEUED)
    assert "lost this message" in lost.error
    # The lost task turning up after all sends nothing (at most once).
    assert sms_deliver(message_ids=[lost.pk]) == {"skipped": 1}
