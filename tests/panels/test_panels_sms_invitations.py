"""Invitations by text message from a phone list: importing the list, sending through the SMS
backend once per household, failures and retries, the audit trail, and who may see or do what."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cpps.audit.models import AuditEvent
from cpps.channels.models import OutboundSms, SmsStatus
from cpps.common.errors import InvalidInputError, PermissionRefusedError
from cpps.panels import selectors, services
from cpps.panels.models import Invitation
from tests.panels.support import demo_panel_process

pytestmark = pytest.mark.django_db

PHONES = ["(312) 555-0101", "312-555-0102", "+1 312 555 0103", "13125550104"]
PHONE_LIST = ("phone\n" + "\n".join(PHONES) + "\n").encode()
REGISTER = "https://cpps.example.org/register/"


def register_url(code: str) -> str:
    return f"{REGISTER}?code={code}"


@pytest.fixture
def panel(chicago, accounts):
    return services.panel_setup(
        user=accounts["facilitator"],
        process=demo_panel_process(chicago),
        size=2,
        tolerance_percent=50,
        variables=["sex"],
        sms_number="(312) 555-0143",
    )


@pytest.fixture
def phone_invitations(panel, accounts) -> list[Invitation]:
    return services.invitations_import(
        user=accounts["facilitator"], panel=panel, data=PHONE_LIST, sample_size=len(PHONES)
    )


def send(panel, user, capture) -> int:
    with capture(execute=True):
        return services.invitations_sms_send(user=user, panel=panel, register_url=register_url)


def test_a_phone_list_invites_households_by_number(phone_invitations):
    assert sorted(i.phone for i in phone_invitations) == [
        "+13125550101",
        "+13125550102",
        "+13125550103",
        "+13125550104",
    ]
    assert {i.address for i in phone_invitations} == {""}


def test_an_address_list_may_carry_phone_numbers(panel, accounts):
    data = b"address,zip,phone\n1 Main St,60601,312 555 0101\n2 Main St,60602,\n"
    made = services.invitations_import(
        user=accounts["facilitator"], panel=panel, data=data, sample_size=2
    )
    assert sorted((i.address, i.phone) for i in made) == [
        ("1 Main St, 60601", "+13125550101"),
        ("2 Main St, 60602", ""),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"phone\n312 555 0101\nnot a number\n", "Row 3, column \u201cphone\u201d is not a phone"),
        (b"phone\n312 555 0101\n\n1 (312) 555-0101\n", "Row 4 repeats the household of row 2"),
        (b"phone\n312 555 0101\n312 555 0102,x\n", "Row 3 has 2 cells"),
        (
            b"phone\n+1 312 555 0101\n+cmd|calc\n",
            "Row 3, column \u201cphone\u201d starts with \u201c+\u201d",
        ),
        (b"phone\n=1+1\n", "Row 2, column \u201cphone\u201d starts with \u201c=\u201d"),
        (b"name\nAna\n", "\u201caddress\u201d (an address list) or \u201cphone\u201d"),
    ],
)
def test_bad_phone_lists_name_row_and_column_and_import_nothing(panel, accounts, data, message):
    with pytest.raises(InvalidInputError) as error:
        services.invitations_import(
            user=accounts["facilitator"], panel=panel, data=data, sample_size=1
        )
    assert message in str(error.value)
    assert not Invitation.objects.exists()


def test_each_household_gets_one_bilingual_text_with_its_code(
    panel, phone_invitations, accounts, django_capture_on_commit_callbacks
):
    count = send(panel, accounts["facilitator"], django_capture_on_commit_callbacks)
    assert count == len(PHONES)
    for invitation in Invitation.objects.select_related("sms"):
        message = invitation.sms
        assert message.status == SmsStatus.SENT
        assert message.backend == "outbox"
        assert message.to == invitation.phone
        assert f"Code / Código: {invitation.code}\n" in message.body
        assert register_url(invitation.code) in message.body
        assert "or text the code to / o envíe el código al (312) 555-0143" in message.body
        assert "run by residents, not the police" in message.body
        assert "dirigido por residentes, no por la policía" in message.body
        assert len(message.body) <= 400
    counts = selectors.invitation_counts(panel=panel)
    assert (counts["texts_sent"], counts["texts_failed"], counts["texts_to_send"]) == (4, 0, 0)


def test_sending_is_audited_by_count_only(
    chicago, panel, phone_invitations, accounts, django_capture_on_commit_callbacks
):
    send(panel, accounts["facilitator"], django_capture_on_commit_callbacks)
    event = AuditEvent.objects.get(jurisdiction=chicago, action="panel.sms_invitations_queued")
    assert event.payload == {"messages": 4}
    assert event.actor_role == "facilitator"
    published = str(list(AuditEvent.objects.values_list("payload", flat=True)))
    for invitation in phone_invitations:
        assert invitation.code not in published
        assert invitation.phone[2:] not in published


def test_sending_again_never_texts_a_household_twice(
    panel, phone_invitations, accounts, django_capture_on_commit_callbacks
):
    send(panel, accounts["facilitator"], django_capture_on_commit_callbacks)
    with pytest.raises(InvalidInputError, match="No invited household is waiting"):
        send(panel, accounts["facilitator"], django_capture_on_commit_callbacks)
    assert OutboundSms.objects.count() == 4
    assert set(OutboundSms.objects.values_list("attempts", flat=True)) == {1}


def test_registered_households_are_not_texted(
    panel, phone_invitations, accounts, django_capture_on_commit_callbacks
):
    services.registration_create(
        panel=panel,
        code=phone_invitations[0].code,
        answers={"sex": "female"},
        name="Ana",
        phone=phone_invitations[0].phone,
    )
    assert send(panel, accounts["facilitator"], django_capture_on_commit_callbacks) == 3
    assert Invitation.objects.get(pk=phone_invitations[0].pk).sms is None


def test_a_failed_text_is_recorded_with_its_error_and_only_it_is_retried(
    settings, panel, phone_invitations, accounts, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "tests.common.support.RefusingTwilioBackend"
    send(panel, accounts["facilitator"], django_capture_on_commit_callbacks)
    failed = OutboundSms.objects.get(panel_invitation=phone_invitations[0])
    assert failed.status == SmsStatus.FAILED
    assert "error 21211" in failed.error
    assert selectors.invitation_counts(panel=panel)["texts_failed"] == 4

    settings.SMS_BACKEND = "outbox"
    OutboundSms.objects.exclude(pk=failed.pk).update(status=SmsStatus.SENT, error="")
    assert send(panel, accounts["facilitator"], django_capture_on_commit_callbacks) == 1
    failed.refresh_from_db()
    assert (failed.status, failed.error, failed.attempts) == (SmsStatus.SENT, "", 2)
    assert OutboundSms.objects.count() == 4


@pytest.mark.parametrize("role", ["police_liaison", "council_member", "resident"])
def test_only_a_facilitator_may_send_invitations_by_text(
    panel, phone_invitations, accounts, role, django_capture_on_commit_callbacks
):
    with pytest.raises(PermissionRefusedError):
        send(panel, accounts[role], django_capture_on_commit_callbacks)
    assert not OutboundSms.objects.exists()


def test_letters_are_only_for_households_with_an_address(panel, phone_invitations, accounts):
    services.invitations_import(
        user=accounts["facilitator"], panel=panel, data=b"address\n1 Main St\n", sample_size=1
    )
    letters = selectors.letter_list_for_facilitator(user=accounts["facilitator"], panel=panel)
    assert [i.address for i in letters] == ["1 Main St"]
    assert services.invitations_mark_sent(user=accounts["facilitator"], panel=panel) == 1


# Over HTTP.


def url(name: str, panel) -> str:
    return reverse(f"panels:{name}", args=[panel.process.jurisdiction.slug, panel.process.pk])


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_facilitator_sends_from_the_workspace_and_sees_the_status(
    panel, phone_invitations, accounts, django_capture_on_commit_callbacks
):
    client = client_for(accounts["facilitator"])
    workspace = client.get(url("manage", panel)).content.decode()
    assert "4 invited households with a phone number are waiting" in workspace
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("invitations_sms", panel), follow=True)
    page = response.content.decode()
    assert "4 invitations by text message are on their way" in page
    assert "Send invitations by text message" not in page
    status = client.get(url("invitation_status", panel)).content.decode()
    for invitation in phone_invitations:
        assert invitation.phone in status
        assert invitation.code in status
    assert status.count("Kept in the local outbox, not sent") == 4
    assert "No SMS provider is configured" in status


def test_status_page_shows_a_failure_and_its_reason(
    settings, panel, phone_invitations, accounts, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "tests.common.support.RefusingTwilioBackend"
    client = client_for(accounts["facilitator"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("invitations_sms", panel))
    status = client.get(url("invitation_status", panel)).content.decode()
    assert status.count("error 21211") == 4
    assert "No SMS provider is configured" not in status
    workspace = client.get(url("manage", panel)).content.decode()
    assert "Send invitations by text message" in workspace  # to try the failed ones again


def test_police_liaison_can_neither_send_nor_see_numbers_or_messages(
    panel, phone_invitations, accounts, django_capture_on_commit_callbacks
):
    send(panel, accounts["facilitator"], django_capture_on_commit_callbacks)
    police = client_for(accounts["police_liaison"])
    before = list(OutboundSms.objects.values_list())
    responses = [
        police.post(url("invitations_sms", panel)),
        police.get(url("invitation_status", panel)),
        police.get(url("manage", panel)),
        police.get(url("report", panel)),
    ]
    assert [r.status_code for r in responses[:3]] == [403, 403, 403]
    assert list(OutboundSms.objects.values_list()) == before
    for response in responses:
        body = response.content.decode()
        for invitation in phone_invitations:
            assert invitation.phone not in body
            assert invitation.phone[-4:] not in body
            assert invitation.code not in body


def test_council_member_without_personal_data_access_cannot_see_the_status(
    panel, phone_invitations, accounts
):
    client = client_for(accounts["council_member"])
    assert client.get(url("invitation_status", panel)).status_code == 403
    assert (
        "Invitations with addresses, numbers"
        not in client.get(url("manage", panel)).content.decode()
    )
