"""Taking part on the web without JavaScript, by text message and on paper; the results pages
and the API for everyone (police included), and moderation for community roles only."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.test import Client
from pypdf import PdfReader

from cpps.accounts.models import User
from cpps.deliberation import services
from cpps.deliberation.models import Analysis, BallotEntry, Statement, Vote
from cpps.demo.listening import SECOND_KEYER
from cpps.participation.models import Participant
from cpps.processes.services import process_transition
from tests.deliberation.test_deliberation_services import vote_pattern
from tests.support.twilio import sms

pytestmark = pytest.mark.django_db


def url(process, suffix=""):
    return f"/j/chicago/conversations/{process.pk}/{suffix}"


def shown_statement(page: str) -> int:
    return int(re.search(r'name="statement" value="(\d+)"', page).group(1))


def test_a_resident_votes_adds_and_flags_statements_without_javascript(conversation):
    resident = Client()
    assert "Start" in resident.get(url(conversation, "vote/")).content.decode()
    assert resident.post(url(conversation, "vote/"), {"action": "start"}).status_code == 302
    page = resident.get(url(conversation, "vote/")).content.decode()
    assert "8 statements left" in page
    first = shown_statement(page)
    resident.post(url(conversation, "vote/"), {"action": "vote", "statement": first, "value": "1"})
    page = resident.get(url(conversation, "vote/")).content.decode()
    assert "7 statements left" in page
    second = shown_statement(page)
    assert second != first
    resident.post(
        url(conversation, "vote/"), {"action": "flag", "statement": second, "reason": "spam"}
    )
    added = resident.post(
        url(conversation, "vote/"), {"action": "add", "text": "Benches at the bus stop, please."}
    )
    assert added.status_code == 302
    assert (
        "moderators will read your statement"
        in resident.get(url(conversation, "vote/")).content.decode()
    )
    participant = Participant.objects.get(process=conversation)
    assert Vote.objects.filter(participant=participant).count() == 1
    assert Statement.objects.get(process=conversation, number=second).flags == 1
    assert Statement.objects.get(process=conversation, state="pending").author == participant
    bad = resident.post(
        url(conversation, "vote/"), {"action": "vote", "statement": first, "value": "7"}
    )
    assert bad.status_code == 400
    assert "agree, disagree or pass" in bad.content.decode()


def test_a_vote_form_sent_twice_stores_one_vote(conversation):
    resident = Client()
    resident.post(url(conversation, "vote/"), {"action": "start"})
    page = resident.get(url(conversation, "vote/")).content.decode()
    client_id = re.search(r'name="client_id" value="([^"]+)"', page).group(1)
    vote = {"action": "vote", "statement": shown_statement(page), "value": "-1"}
    for _ in range(2):  # the browser resends the same form
        answer = resident.post(url(conversation, "vote/"), {**vote, "client_id": client_id})
        assert answer.status_code == 302
    participant = Participant.objects.get(process=conversation)
    assert list(Vote.objects.filter(participant=participant).values_list("client_id", "value")) == [
        (client_id, -1)
    ]
    next_page = resident.get(url(conversation, "vote/")).content.decode()
    assert client_id not in next_page  # every form shown carries a new id
    bad = resident.post(url(conversation, "vote/"), {**vote, "client_id": "not an id!"})
    assert bad.status_code == 400
    assert "This vote could not be read; vote again." in bad.content.decode()
    assert Vote.objects.filter(participant=participant).count() == 1


def test_a_vote_from_a_browser_that_takes_part_is_one_write_and_refusals_still_explain(
    conversation, accounts, django_assert_max_num_queries
):
    resident = Client()
    resident.post(url(conversation, "vote/"), {"action": "start"})
    first = shown_statement(resident.get(url(conversation, "vote/")).content.decode())
    vote = {"action": "vote", "statement": first, "value": "1", "client_id": "fast-1"}
    for warm_up in ("warm-up-1", "warm-up-2"):  # the first asks for the conversation's analysis
        resident.post(url(conversation, "vote/"), {**vote, "client_id": warm_up})
    # The session is read and the vote written; nothing else (the conversation, the statement
    # and the participant are checked by the statement that writes).
    with django_assert_max_num_queries(2):
        answer = resident.post(url(conversation, "vote/"), vote)
    assert answer.status_code == 302
    assert Vote.objects.filter(process=conversation, client_id="fast-1").count() == 1
    process_transition(user=accounts["facilitator"], process=conversation, to_state="closed")
    closed = resident.post(url(conversation, "vote/"), {**vote, "client_id": "fast-2"})
    assert closed.status_code == 400
    assert "not open for votes" in closed.content.decode()
    assert not Vote.objects.filter(process=conversation, client_id="fast-2").exists()


def test_signed_in_people_cannot_vote_anonymously(conversation, accounts):
    client = Client()
    client.force_login(accounts["council_member"])
    assert client.post(url(conversation, "vote/"), {"action": "start"}).status_code == 409
    assert not Participant.objects.filter(process=conversation).exists()


def test_results_show_groups_with_their_statements_to_everyone_police_included(
    conversation, accounts
):
    vote_pattern(conversation, 40)
    services.analysis_run(process_id=conversation.pk)
    police = Client()
    police.force_login(accounts["police_liaison"])
    page = police.get(url(conversation, "results/")).content.decode()
    assert "Group A" in page
    assert "Group B" in page
    assert "Officers should live in the district they police." in page
    assert "<svg" in page
    assert 'role="img"' in page
    assert "Weighted to the census" in page
    assert police.get(url(conversation, "moderate/")).status_code == 403
    assert (
        police.post(
            url(conversation, "moderate/"), {"statements": [1], "decision": "reject", "reason": "x"}
        ).status_code
        == 403
    )
    analysis = police.get(
        f"/api/jurisdictions/chicago/conversations/{conversation.pk}/analysis"
    ).json()
    assert [g["label"] for g in analysis["groups"]] == ["A", "B"]
    assert analysis["groups"][0]["representative"][0]["text"]
    statements = police.get(
        f"/api/jurisdictions/chicago/conversations/{conversation.pk}/statements"
    ).json()
    assert statements["count"] == 8
    assert len(statements["items"]) == 8


def test_a_statement_taken_out_after_the_analysis_leaves_the_results_at_once(
    conversation, accounts
):
    vote_pattern(conversation, 40)
    services.analysis_run(process_id=conversation.pk)
    reader = Client()
    text = "Officers should live in the district they police."
    assert text in reader.get(url(conversation, "results/")).content.decode()
    number = Statement.objects.get(process=conversation, text=text).number
    analyses = Analysis.objects.filter(process=conversation).count()
    services.statements_moderate(
        user=accounts["council_member"],
        process=conversation,
        numbers=[number],
        accept=False,
        reason="Off topic for this conversation.",
    )
    # The results kept rendered for the analysis are not shown again: no new analysis needed.
    page = reader.get(url(conversation, "results/")).content.decode()
    assert Analysis.objects.filter(process=conversation).count() == analyses
    assert text not in page
    assert "Group A" in page


def test_moderators_decide_in_bulk_with_a_public_reason(conversation, accounts):
    for n in range(3):
        services.statement_submit(
            participant=services.participant_for(
                process=conversation, identity=services.Identity.web_session(f"w{n}")
            ),
            text=f"Proposal number {n} for the block.",
        )
    moderator = Client()
    moderator.force_login(accounts["council_member"])
    page = moderator.get(url(conversation, "moderate/")).content.decode()
    assert "Proposal number 0 for the block." in page
    refused = moderator.post(
        url(conversation, "moderate/"), {"statements": [9, 10], "decision": "reject"}
    )
    assert refused.status_code == 400
    done = moderator.post(
        url(conversation, "moderate/"),
        {"statements": [9, 10], "decision": "reject", "reason": "Off topic."},
    )
    assert done.status_code == 302
    assert set(
        Statement.objects.filter(process=conversation, state="rejected").values_list(
            "number", flat=True
        )
    ) == {9, 10}


def test_a_whole_conversation_by_text_message(conversation, settings):
    from tests.support.twilio import TOKEN

    settings.TWILIO_AUTH_TOKEN = TOKEN
    hook = f"/hooks/sms/{conversation.pk}/"
    phone = "+13125550601"
    assert "Reply 1 for English" in sms(hook, "hello", phone=phone)
    first = sms(hook, "1", phone=phone)
    assert "What would make your block safer?" in first
    assert "Reply A to agree" in first
    assert "Reply A to agree" in sms(hook, "a", phone=phone)
    assert "Please reply A, D or P" in sms(hook, "maybe", phone=phone)
    sms(hook, "D", phone=phone)
    sms(hook, "3", phone=phone)
    submitted = sms(hook, "SUBMIT Put a mural on the underpass.", phone=phone)
    assert "moderators will read your statement" in submitted
    assert "Reply A (agree)" in sms(hook, "HELP", phone=phone)
    participant = Participant.objects.get(process=conversation)
    assert participant.channel == "sms"
    assert sorted(Vote.objects.filter(participant=participant).values_list("value", flat=True)) == [
        -1,
        0,
        1,
    ]
    assert Statement.objects.get(process=conversation, state="pending").channel == "sms"
    assert "no more messages" in sms(hook, "STOP", phone=phone)


def test_paper_ballots_are_printed_and_keyed_twice(conversation, accounts):
    facilitator = Client()
    facilitator.force_login(accounts["facilitator"])
    pdf = facilitator.post(url(conversation, "paper/ballots.pdf"), {"count": 2})
    assert pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 2
    text = reader.pages[0].extract_text()
    assert "Officers should live in the district they police." in text
    code = BallotEntry.objects.filter(process=conversation).first().form_code
    assert code in text
    values = {
        "form_code": code,
        "s_1": "agree",
        "s_2": "disagree",
        "new_statement": "Light the alley behind the school.",
    }
    assert facilitator.post(url(conversation, "paper/"), values).status_code == 302
    second = Client()
    second.force_login(User.objects.get(username=SECOND_KEYER))
    assert second.post(url(conversation, "paper/"), {**values, "s_2": "pass"}).status_code == 302
    assert not Vote.objects.filter(process=conversation).exists()  # the entries differ
    page = facilitator.get(url(conversation, f"paper/{code}/resolve/")).content.decode()
    assert "Officers should live in the district they police." in page
    facilitator.post(url(conversation, f"paper/{code}/resolve/"), {"s_2": "second"})
    ballot = Participant.objects.get(process=conversation, channel="paper")
    assert sorted(Vote.objects.filter(participant=ballot).values_list("value", flat=True)) == [0, 1]
    assert Statement.objects.filter(process=conversation, channel="paper").exists()


def test_an_export_round_trips_through_the_import(conversation, accounts, chicago):
    from cpps.processes.services import process_create

    vote_pattern(conversation, 30)
    first = services.analysis_run(process_id=conversation.pk)
    facilitator = Client()
    facilitator.force_login(accounts["facilitator"])
    archive = zipfile.ZipFile(
        io.BytesIO(facilitator.get(url(conversation, "polis/export.zip")).content)
    )
    assert {"comments.csv", "votes.csv", "participants-votes.csv"} <= set(archive.namelist())
    copy = process_create(
        user=accounts["facilitator"],
        jurisdiction=chicago,
        kind="deliberation",
        title="Copy",
        purpose="A copy.",
    )
    services.conversation_set_up(user=accounts["facilitator"], process=copy, topic="A copy")
    uploads = {
        "comments": io.BytesIO(archive.read("comments.csv")),
        "votes": io.BytesIO(archive.read("votes.csv")),
    }
    for name, handle in uploads.items():
        handle.name = f"{name}.csv"
    imported = facilitator.post(f"/j/chicago/conversations/{copy.pk}/polis/", uploads)
    assert imported.status_code == 302, imported.content
    second = services.analysis_run(process_id=copy.pk)
    sizes = sorted(g["size"] for g in first.summary["groups"])
    assert sorted(g["size"] for g in second.summary["groups"]) == sizes
    assert second.summary["consensus"] == first.summary["consensus"]
