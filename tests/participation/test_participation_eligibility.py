"""Each rule for taking part, end to end by web, text message and paper: open with limits,
by invitation, verified residency; and the numbers nobody can stuff."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cpps.audit.models import AuditEvent
from cpps.channels.models import OutboundSms
from cpps.listening.models import Response
from cpps.participation.models import (
    BurstFlag,
    Participant,
    ResidencyCode,
    SmsChallenge,
    Verification,
)
from cpps.participation.services import (
    eligibility_set,
    in_person_verify,
    one_time_links_issue,
    phone_invitations_send,
    residency_codes_issue,
)
from cpps.processes.models import Process
from cpps.processes.services import process_transition
from tests.support.twilio import sms

pytestmark = pytest.mark.django_db

FULL_SURVEY = {"answer": "5", "action": "next"}


def start(client: Client, survey: Process):
    return client.post(f"/survey/{survey.pk}/")


def answer_everything(client: Client, survey: Process) -> None:
    """Skip through every question and send the (empty) answers about oneself."""
    for position in range(1, 11):
        client.post(f"/survey/{survey.pk}/q/{position}/", {"action": "skip"})
    done = client.post(f"/survey/{survey.pk}/about-you/", {})
    assert done.status_code == 302, done.content


def text_survey(survey: Process, body: str, phone: str) -> str:
    return sms(f"/hooks/sms/{survey.pk}/", body, phone=phone)


# --- Open, with limits -------------------------------------------------------------------------


def test_fresh_browser_sessions_from_one_address_are_limited(survey):
    """14 people starting the survey from one address (each a fresh browser): the process's
    limit (5 a day by default) lands, the rest get a plain 429, and the burst is flagged."""
    statuses = [start(Client(), survey).status_code for _ in range(14)]
    assert statuses.count(302) == 5
    assert statuses.count(429) == 9
    refused = start(Client(), survey)
    assert "from this internet connection" in refused.content.decode()
    assert Participant.objects.filter(process=survey).count() == 5
    flag = BurstFlag.objects.get(process=survey)
    assert flag.joins >= 5
    assert flag.refused == 10


def test_one_device_brings_in_one_person(survey):
    device = Client()
    start(device, survey)
    answer_everything(device, survey)
    device.session.flush()  # a fresh session on the same device (the cookie stays)
    again = start(device, survey)
    assert again.status_code == 429
    assert "device has already been used" in again.content.decode()
    assert Response.objects.filter(process=survey).count() == 1


def test_other_addresses_are_counted_apart(survey):
    statuses = [
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(f"/survey/{survey.pk}/").status_code
        for n in range(8)
    ]
    assert statuses == [302] * 8


def test_bursts_are_flagged_per_address(survey):
    """Two connections bursting in the same ten minutes get a flag each, with their own counts
    (one address's burst never overwrites another's, nor makes other addresses wait)."""
    for address, attempts in (("198.51.100.7", 7), ("203.0.113.9", 9)):
        statuses = [
            Client(REMOTE_ADDR=address).post(f"/survey/{survey.pk}/").status_code
            for _ in range(attempts)
        ]
        assert statuses.count(302) == 5
    quiet = [Client(REMOTE_ADDR="192.0.2.1").post(f"/survey/{survey.pk}/") for _ in range(2)]
    assert [response.status_code for response in quiet] == [302, 302]
    flags = sorted(BurstFlag.objects.filter(process=survey), key=lambda flag: flag.refused)
    assert [(flag.joins, flag.refused) for flag in flags] == [(5, 2), (5, 4)]
    assert len({flag.digest for flag in flags}) == 2


def test_three_hundred_api_submissions_from_one_address(survey):
    client = Client()
    statuses = []
    for number in range(300):
        payload = {"client_id": f"stuffed-{number:05d}", "answers": {"safe_crime": ["10"]}}
        response = client.post(
            f"/api/jurisdictions/chicago/surveys/{survey.pk}/responses",
            payload,
            content_type="application/json",
        )
        statuses.append(response.status_code)
    assert statuses.count(201) == 5
    assert statuses.count(429) == 295
    assert Response.objects.filter(process=survey).count() == 5
    # A client resending an answer that landed is told so, limit or not.
    resent = client.post(
        f"/api/jurisdictions/chicago/surveys/{survey.pk}/responses",
        {"client_id": "stuffed-00000", "answers": {"safe_crime": ["10"]}},
        content_type="application/json",
    )
    assert resent.status_code == 200


def test_priority_votes_and_scorecard_ratings_are_limited_too(chicago):
    round_ = Process.objects.get(jurisdiction=chicago, kind="priority_round")
    scorecard = Process.objects.get(jurisdiction=chicago, kind="scorecard")
    round_url = f"/j/chicago/priorities/{round_.pk}/vote/"
    voted = [Client().post(round_url, {"action": "start"}).status_code for _ in range(8)]
    assert voted.count(302) == 5
    assert voted.count(429) == 3
    card_url = f"/j/chicago/accountability/scorecards/{scorecard.pk}/"
    rated = [Client().post(card_url, {"action": "start"}).status_code for _ in range(23)]
    assert rated.count(302) == 5
    assert rated.count(429) == 18


def test_a_facilitator_raises_the_limit_for_a_workshop(survey, accounts):
    eligibility_set(user=accounts["facilitator"], process=survey, mode="open", network_limit=40)
    statuses = [start(Client(), survey).status_code for _ in range(12)]
    assert statuses == [302] * 12
    page = Client().get(f"/j/chicago/processes/{survey.pk}/").content.decode()
    assert "At most 40 people join from one internet connection" in page


# --- By invitation -----------------------------------------------------------------------------


@pytest.fixture
def invitation_survey(survey, accounts):
    eligibility_set(user=accounts["facilitator"], process=survey, mode="invitation")
    return survey


def test_by_invitation_the_web_asks_for_the_code(invitation_survey):
    response = start(Client(), invitation_survey)
    assert response.status_code == 302
    assert response.url.startswith(f"/take-part/{invitation_survey.pk}/enter/")
    page = Client().get(response.url).content.decode()
    assert "I have a code" in page
    assert not Participant.objects.filter(process=invitation_survey).exists()


def test_by_invitation_a_one_time_link_lets_one_person_in(invitation_survey, accounts):
    (token,) = one_time_links_issue(
        user=accounts["facilitator"], process=invitation_survey, count=1
    )
    resident = Client()
    assert resident.post(f"/take-part/{token}/").status_code == 302
    assert start(resident, invitation_survey).url == f"/survey/{invitation_survey.pk}/q/1/"
    answer_everything(resident, invitation_survey)
    assert (
        Response.objects.filter(process=invitation_survey, completed_at__isnull=False).count() == 1
    )


def test_by_invitation_a_mailed_code_works_on_the_web_and_once_per_person(
    invitation_survey, accounts
):
    residency_codes_issue(
        user=accounts["facilitator"],
        process=invitation_survey,
        addresses=["1 W Madison St", "2 W Madison St"],
    )
    code = ResidencyCode.objects.filter(process=invitation_survey).first().code_for_letter
    resident = Client()
    entered = resident.post(
        f"/take-part/{invitation_survey.pk}/enter/",
        {"action": "code", "code": code.lower(), "next": f"/survey/{invitation_survey.pk}/"},
    )
    assert entered.url == f"/survey/{invitation_survey.pk}/"
    start(resident, invitation_survey)
    answer_everything(resident, invitation_survey)
    # The same letter on another phone continues the same person: no second say.
    other = Client()
    other.post(f"/take-part/{invitation_survey.pk}/enter/", {"action": "code", "code": code})
    assert start(other, invitation_survey).url == f"/survey/{invitation_survey.pk}/thank-you/"
    assert Participant.objects.filter(process=invitation_survey).count() == 1
    wrong = other.post(
        f"/take-part/{invitation_survey.pk}/enter/", {"action": "code", "code": "ZZZZ-ZZZZ"}
    )
    assert wrong.status_code == 400
    assert "We do not know this code" in wrong.content.decode()


def test_by_invitation_a_phone_must_be_invited_or_send_a_code(
    invitation_survey, accounts, twilio_token
):
    stranger = "+13125550301"
    assert "Reply 1 for English" in text_survey(invitation_survey, "hi", stranger)
    assert "Send the code from your letter" in text_survey(invitation_survey, "1", stranger)
    assert not Response.objects.filter(process=invitation_survey).exists()
    residency_codes_issue(
        user=accounts["facilitator"], process=invitation_survey, addresses=["5 W Lake St"]
    )
    code = ResidencyCode.objects.get(process=invitation_survey).code_for_letter
    assert "(1/10)" in text_survey(invitation_survey, code, stranger)
    assert Response.objects.filter(process=invitation_survey).count() == 1


def test_by_invitation_a_texted_invitation_works_by_reply_and_on_the_web(
    invitation_survey, accounts, twilio_token
):
    invited = "+13125550302"
    count = phone_invitations_send(
        user=accounts["facilitator"],
        process=invitation_survey,
        phones=["(312) 555-0302", "312 555 0303"],
        take_part_url="http://testserver/take-part/",
    )
    assert count == 2
    message = OutboundSms.objects.get(to=invited)
    assert "run by residents, not the police" in message.body
    code = re.search(r"code (\w{8})", message.body).group(1)
    text_survey(invitation_survey, "hola", invited)
    assert "(1/10)" in text_survey(invitation_survey, "1", invited)
    by_text = Participant.objects.get(process=invitation_survey)
    web = Client()
    web.post(f"/take-part/{invitation_survey.pk}/enter/", {"action": "code", "code": code})
    assert start(web, invitation_survey).status_code == 302
    assert Participant.objects.filter(process=invitation_survey).get() == by_text
    # Sending the list again texts nobody twice.
    assert (
        phone_invitations_send(
            user=accounts["facilitator"],
            process=invitation_survey,
            phones=["312 555 0302"],
            take_part_url="http://testserver/take-part/",
        )
        == 0
    )


def test_by_invitation_the_api_refuses_and_paper_still_works(invitation_survey):
    refused = Client().post(
        f"/api/jurisdictions/chicago/surveys/{invitation_survey.pk}/responses",
        {"client_id": "invitation-api-1", "answers": {"safe_crime": ["4"]}},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert "invitation" in refused.json()["detail"]


def test_paper_forms_are_keyed_whatever_the_rule(invitation_survey, accounts):
    from cpps.accounts.models import User
    from cpps.demo.listening import SECOND_KEYER
    from cpps.listening.paper import paper_entry_record
    from cpps.participation.paper import form_code_new

    code = form_code_new()
    for keyer in (accounts["facilitator"], User.objects.get(username=SECOND_KEYER)):
        outcome = paper_entry_record(
            user=keyer,
            process=invitation_survey,
            form_code=code,
            values={"q_safe_crime": ["6"], "about_area": ["8"]},
        )
    assert outcome.stored
    assert (
        Response.objects.get(process=invitation_survey, client_id=f"paper:{code}").channel
        == "paper"
    )


# --- Verified residency ------------------------------------------------------------------------


@pytest.fixture
def verified_survey(survey, accounts):
    eligibility_set(
        user=accounts["facilitator"],
        process=survey,
        mode="verified",
        methods=["mailed_code", "sms_code", "in_person"],
    )
    return survey


def texted_code(phone: str) -> str:
    body = OutboundSms.objects.filter(to=phone, purpose="residency_code").latest("pk").body
    return re.match(r"(\d{6}) is your code", body).group(1)


def test_verified_by_a_code_texted_to_the_phone(verified_survey):
    enter = f"/take-part/{verified_survey.pk}/enter/"
    resident = Client()
    page = resident.get(enter).content.decode()
    assert "Prove it with your phone" in page
    assert "Residents only" in page
    sent = resident.post(enter, {"action": "phone", "phone": "(312) 555-0401"})
    assert sent.status_code == 200
    code = texted_code("+13125550401")
    wrong = resident.post(
        enter, {"action": "otp", "code": "000000" if code != "000000" else "111111"}
    )
    assert "not the code we sent" in wrong.content.decode()
    right = resident.post(
        enter, {"action": "otp", "code": code, "next": f"/survey/{verified_survey.pk}/"}
    )
    assert right.url == f"/survey/{verified_survey.pk}/"
    assert not SmsChallenge.objects.exists()  # single use: gone once used
    start(resident, verified_survey)
    participant = Participant.objects.get(process=verified_survey)
    assert participant.verified is True
    again = resident.post(enter, {"action": "otp", "code": code})
    assert "Ask for a code first" in again.content.decode()


def test_a_texted_code_allows_five_tries_and_ten_minutes(verified_survey):
    enter = f"/take-part/{verified_survey.pk}/enter/"
    resident = Client()
    resident.post(enter, {"action": "phone", "phone": "312 555 0402"})
    code = texted_code("+13125550402")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        resident.post(enter, {"action": "otp", "code": wrong})
    locked = resident.post(enter, {"action": "otp", "code": code})
    assert "Too many tries" in locked.content.decode()
    assert not Participant.objects.filter(process=verified_survey).exists()
    resident.post(enter, {"action": "phone", "phone": "312 555 0402"})
    SmsChallenge.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = resident.post(enter, {"action": "otp", "code": texted_code("+13125550402")})
    assert "expired" in expired.content.decode()
    assert not Participant.objects.filter(process=verified_survey).exists()


def test_a_resident_texting_in_is_verified_by_their_phone_and_is_the_same_person_on_the_web(
    verified_survey, twilio_token
):
    phone = "+13125550403"
    text_survey(verified_survey, "hello", phone)
    assert "(1/10)" in text_survey(verified_survey, "1", phone)
    by_text = Participant.objects.get(process=verified_survey)
    assert by_text.verified is True
    web = Client()
    enter = f"/take-part/{verified_survey.pk}/enter/"
    web.post(enter, {"action": "phone", "phone": phone})
    web.post(enter, {"action": "otp", "code": texted_code(phone)})
    start(web, verified_survey)
    assert list(Participant.objects.filter(process=verified_survey)) == [by_text]


def test_verified_in_person_by_a_facilitator(verified_survey, accounts):
    slip = in_person_verify(
        user=accounts["facilitator"],
        process=verified_survey,
        identifier="14 W Lake St, Apt 2",
        note="ID seen at the library",
    )
    resident = Client()
    resident.post(f"/take-part/{verified_survey.pk}/enter/", {"action": "code", "code": slip})
    assert start(resident, verified_survey).url == f"/survey/{verified_survey.pk}/q/1/"
    participant = Participant.objects.get(process=verified_survey)
    assert participant.verified is True
    # Checking the same home again gives a new slip for the same person, not a second say.
    second = in_person_verify(
        user=accounts["facilitator"], process=verified_survey, identifier="14  w lake st apt 2"
    )
    other = Client()
    other.post(f"/take-part/{verified_survey.pk}/enter/", {"action": "code", "code": second})
    start(other, verified_survey)
    assert Participant.objects.filter(process=verified_survey).count() == 1
    event = AuditEvent.objects.filter(action="participation.resident_verified").latest("sequence")
    assert event.payload == {"method": "in_person"}


def test_verified_results_are_shown_beside_everyone(verified_survey, accounts):
    slip = in_person_verify(
        user=accounts["facilitator"], process=verified_survey, identifier="20 W Lake St"
    )
    resident = Client()
    resident.post(f"/take-part/{verified_survey.pk}/enter/", {"action": "code", "code": slip})
    start(resident, verified_survey)
    answer_everything(resident, verified_survey)
    eligibility_set(user=accounts["facilitator"], process=verified_survey, mode="open")
    anyone = Client(REMOTE_ADDR="198.51.100.7")
    start(anyone, verified_survey)
    answer_everything(anyone, verified_survey)
    process_transition(user=accounts["facilitator"], process=verified_survey, to_state="closed")
    page = Client().get(f"/j/chicago/surveys/{verified_survey.pk}/results/").content.decode()
    assert "1 of 2 answers come from residents who proved they live here" in page
    only = Client().get(f"/j/chicago/surveys/{verified_survey.pk}/results/?verified=1")
    assert "verified residents only" in only.content.decode()


# --- Unlinkability -----------------------------------------------------------------------------


VERIFICATION_SIDE = (
    "participation.Verification",
    "participation.ResidencyCode",
    "participation.SmsChallenge",
    "participation.EntryPass",
    "participation.JoinCounter",
    "participation.BurstFlag",
)
PARTICIPANT_SIDE = (
    "participation.Participant",
    "listening.Response",
    "listening.Answer",
    "channels.Conversation",
    "priorities.Comparison",
    "priorities.Idea",
    "accountability.Rating",
)


def _rows(label: str) -> list[dict[str, object]]:
    from django.apps import apps

    return list(apps.get_model(label)._base_manager.values())


# What identifies a person on the verification side (the rest are methods, counts, dates).
IDENTIFYING = {
    "credential_digest",
    "address",
    "address_digest",
    "code_digest",
    "phone_digest",
    "digest",
    "note",
    "code_for_letter",
}


def _identifying(row: dict[str, object]) -> set[str]:
    return {str(row[name]) for name in IDENTIFYING if row.get(name)}


def _strings(value: object) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values()))
    if isinstance(value, list | tuple):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return {str(value)} if isinstance(value, str) and len(str(value)) >= 6 else set()


def test_no_column_or_join_links_a_verification_to_what_a_person_said(
    verified_survey, accounts, twilio_token
):
    from django.apps import apps

    # People verified every way, then answering.
    residency_codes_issue(
        user=accounts["facilitator"], process=verified_survey, addresses=["30 W Lake St"]
    )
    mailed = ResidencyCode.objects.get(process=verified_survey).code_for_letter
    slip = in_person_verify(
        user=accounts["facilitator"],
        process=verified_survey,
        identifier="31 W Lake St",
        note="checked a utility bill",
    )
    for code in (mailed, slip):
        person = Client()
        person.post(f"/take-part/{verified_survey.pk}/enter/", {"action": "code", "code": code})
        start(person, verified_survey)
        person.post(f"/survey/{verified_survey.pk}/q/1/", FULL_SURVEY)
    phone = "+13125550404"
    text_survey(verified_survey, "hi", phone)
    text_survey(verified_survey, "1", phone)
    text_survey(verified_survey, "7", phone)
    web = Client()
    enter = f"/take-part/{verified_survey.pk}/enter/"
    web.post(enter, {"action": "phone", "phone": "312 555 0405"})
    web.post(enter, {"action": "otp", "code": texted_code("+13125550405")})
    start(web, verified_survey)
    assert Verification.objects.filter(process=verified_survey).count() == 4
    assert Participant.objects.filter(process=verified_survey, verified=True).count() == 4

    # No foreign key either way between the two sides.
    for label in VERIFICATION_SIDE:
        for field in apps.get_model(label)._meta.get_fields():
            related = getattr(field, "related_model", None)
            if related is not None:
                assert related._meta.label not in PARTICIPANT_SIDE, (label, field.name)
    for label in PARTICIPANT_SIDE:
        for field in apps.get_model(label)._meta.get_fields():
            related = getattr(field, "related_model", None)
            if related is not None:
                assert related._meta.label not in VERIFICATION_SIDE, (label, field.name)
    # No value of a verification record (digest, address, note) appears on the other side,
    # nor in the public log.
    secret = set().union(
        *(_identifying(row) for label in VERIFICATION_SIDE for row in _rows(label))
    )
    assert any("Lake St" in value for value in secret)
    exposed = set().union(*(_strings(row) for label in PARTICIPANT_SIDE for row in _rows(label)))
    exposed |= set().union(*(_strings(row) for row in _rows("audit.AuditEvent")))
    shared = {value for value in secret if any(value in other for other in exposed)}
    assert not shared


def test_behind_a_proxy_the_address_it_saw_counts_not_the_one_a_client_claims(survey, settings):
    settings.BEHIND_PROXY = True
    statuses = [
        Client(REMOTE_ADDR="10.0.0.2")
        .post(f"/survey/{survey.pk}/", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9")
        .status_code
        for n in range(7)
    ]
    assert statuses.count(302) == 5  # every claim differs, the proxy saw one address
