"""Conversations: convening, statements and duplicates, votes (the latest counts), moderation
that never republishes a statement taken out, and the analysis, fresh and incremental."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from cpps.audit.models import AuditEvent
from cpps.common.errors import InvalidInputError, InvalidTransitionError, PermissionRefusedError
from cpps.deliberation import selectors, services
from cpps.deliberation.models import Analysis, AnalysisState, Statement, Vote
from cpps.processes.services import process_create, process_transition
from tests.support.participation import participant

pytestmark = pytest.mark.django_db


def statements(process):
    return list(Statement.objects.filter(process=process).order_by("number"))


def vote_pattern(process, people: int, *, seed: int = 1, prefix: str = "voter"):
    """Two camps that disagree on the even statements and agree on the odd ones."""
    rng = np.random.default_rng(seed)
    listed = statements(process)
    for n in range(people):
        person = participant(process, f"{prefix}-{n}")
        camp = n % 2
        for index, statement in enumerate(listed):
            if index % 2 == 0:
                value = 1 if (camp == 0) == (rng.random() < 0.9) else -1
            else:
                value = 1 if rng.random() < 0.85 else 0
            services.vote_cast(
                participant_id=person.pk,
                process_id=person.process_id,
                statement_id=statement.pk,
                value=value,
            )


@pytest.mark.parametrize("role", ["police_liaison", "city_official", "admin", "resident"])
def test_only_community_roles_convene_a_conversation(conversation, accounts, role):
    with pytest.raises(PermissionRefusedError):
        services.conversation_set_up(
            user=accounts[role], process=conversation, topic="Another topic"
        )


def test_seeds_are_in_the_conversation_numbered_and_audited_without_text(conversation):
    listed = statements(conversation)
    assert [s.number for s in listed] == list(range(1, 9))
    assert all(s.state == "accepted" and s.seed for s in listed)
    event = AuditEvent.objects.get(action="deliberation.set_up", object_id=str(conversation.pk))
    assert event.payload["seeds"] == list(range(1, 9))


def test_a_resident_statement_waits_for_moderation_and_duplicates_are_refused(conversation):
    resident = participant(conversation, "writer")
    statement = services.statement_submit(
        participant=resident, text="  More trash cans   on the corner, please! "
    )
    assert (statement.state, statement.number, statement.text) == (
        "pending",
        9,
        "More trash cans on the corner, please!",
    )
    with pytest.raises(InvalidInputError, match="already written"):
        services.statement_submit(
            participant=participant(conversation, "copycat"),
            text="more TRASH cans on the corner please",
        )
    with pytest.raises(InvalidInputError, match="already written"):
        services.statement_submit(
            participant=resident, text="The bus stop on my corner needs a light"
        )
    with pytest.raises(InvalidInputError, match="280 characters"):
        services.statement_submit(participant=resident, text="Far too long. " * 30)
    with pytest.raises(InvalidInputError, match="full sentence"):
        services.statement_submit(participant=resident, text="ok")
    event = AuditEvent.objects.filter(action="deliberation.statement_submitted").latest("sequence")
    assert "trash" not in str(event.payload).lower()
    assert event.payload["statement"] == 9


def test_post_moderated_statements_are_shown_at_once(conversation, accounts):
    services.conversation_set_up(
        user=accounts["facilitator"],
        process=conversation,
        topic="What would make your block safer?",
        moderation="post",
    )
    statement = services.statement_submit(
        participant=participant(conversation, "quick"), text="Fix the potholes near the school."
    )
    assert statement.state == "accepted"


def test_the_latest_vote_counts_and_a_resent_vote_is_stored_once(conversation):
    voter = participant(conversation, "changer")
    first = statements(conversation)[0]
    assert services.vote_cast(
        participant_id=voter.pk, process_id=voter.process_id, statement_id=first.pk, value=1
    )
    assert services.vote_cast(
        participant_id=voter.pk, process_id=voter.process_id, statement_id=first.pk, value=-1
    )
    assert selectors.participant_votes(participant=voter) == {1: -1}
    assert services.vote_cast(
        participant_id=voter.pk,
        process_id=voter.process_id,
        statement_id=first.pk,
        value=0,
        client_id="c-1",
    )
    assert not services.vote_cast(
        participant_id=voter.pk,
        process_id=voter.process_id,
        statement_id=first.pk,
        value=0,
        client_id="c-1",
    )
    assert Vote.objects.filter(participant=voter).count() == 3
    with pytest.raises(InvalidInputError, match="agree, disagree or pass"):
        services.vote_cast(
            participant_id=voter.pk, process_id=voter.process_id, statement_id=first.pk, value=2
        )


def test_a_vote_by_number_counts_only_for_a_participant_of_the_conversation(
    conversation, chicago, accounts
):
    voter = participant(conversation, "numbered")
    third = statements(conversation)[2]
    assert services.vote_cast(
        participant_id=voter.pk, process_id=conversation.pk, statement_number=third.number, value=1
    )
    assert selectors.participant_votes(participant=voter) == {third.number: 1}
    elsewhere = process_create(
        user=accounts["facilitator"],
        jurisdiction=chicago,
        kind="deliberation",
        title="Another conversation",
        purpose="Somewhere else.",
        area_codes=["7"],
    )
    outsider = participant(elsewhere, "outsider")
    # A session naming a participant of another process (a stale or forged browser state) is
    # refused by the statement that writes the vote, with no vote stored.
    with pytest.raises(InvalidInputError, match="not open for votes"):
        services.vote_cast(
            participant_id=outsider.pk,
            process_id=conversation.pk,
            statement_number=third.number,
            value=1,
        )
    assert not Vote.objects.filter(participant=outsider).exists()
    with pytest.raises(InvalidInputError, match="not open for votes"):
        services.vote_cast(
            participant_id=voter.pk, process_id=conversation.pk, statement_number=999, value=1
        )


def test_votes_need_an_accepted_statement_and_an_open_conversation(conversation, accounts):
    voter = participant(conversation, "late")
    pending = services.statement_submit(
        participant=participant(conversation, "writer"), text="Repaint the crosswalks this year."
    )
    with pytest.raises(InvalidInputError, match="not open for votes"):
        services.vote_cast(
            participant_id=voter.pk, process_id=voter.process_id, statement_id=pending.pk, value=1
        )
    process_transition(user=accounts["facilitator"], process=conversation, to_state="closed")
    with pytest.raises(InvalidInputError, match="not open for votes"):
        services.vote_cast(
            participant_id=voter.pk,
            process_id=voter.process_id,
            statement_id=statements(conversation)[0].pk,
            value=1,
        )
    with pytest.raises(InvalidTransitionError):
        services.statement_submit(participant=voter, text="A statement after the close.")


def test_moderators_take_statements_out_with_a_public_reason_never_republishing_them(
    conversation, accounts
):
    writer = participant(conversation, "writer")
    words = "John Smith at 123 Main St sells drugs"
    statement = services.statement_submit(participant=writer, text=words)
    with pytest.raises(InvalidInputError, match="why"):
        services.statements_moderate(
            user=accounts["facilitator"],
            process=conversation,
            numbers=[statement.number],
            accept=False,
        )
    with pytest.raises(PermissionRefusedError):
        services.statements_moderate(
            user=accounts["police_liaison"],
            process=conversation,
            numbers=[statement.number],
            accept=False,
            reason="names a person",
        )
    changed = services.statements_moderate(
        user=accounts["council_member"],
        process=conversation,
        numbers=[statement.number],
        accept=False,
        reason="It names a person.",
    )
    assert changed == 1
    stored = Statement.objects.get(pk=statement.pk)
    assert (stored.state, stored.moderation_reason) == ("rejected", "It names a person.")
    for event in AuditEvent.objects.filter(jurisdiction=conversation.jurisdiction):
        assert "Smith" not in str(event.payload)
    assert statement.number not in {
        s.number for s in selectors.statements_accepted(process=conversation)
    }


def test_a_bulk_decision_takes_several_statements_in(conversation, accounts):
    numbers = [
        services.statement_submit(
            participant=participant(conversation, f"w{n}"), text=f"Idea number {n} for the block."
        ).number
        for n in range(3)
    ]
    assert (
        services.statements_moderate(
            user=accounts["facilitator"], process=conversation, numbers=numbers, accept=True
        )
        == 3
    )
    assert selectors.moderation_counts(process=conversation)["pending"] == 0


def test_residents_flag_a_statement_once_each(conversation):
    statement = statements(conversation)[2]
    assert services.statement_flag(
        participant=participant(conversation, "a"), statement=statement, reason="spam"
    )
    assert not services.statement_flag(
        participant=participant(conversation, "a"), statement=statement, reason="spam"
    )
    services.statement_flag(
        participant=participant(conversation, "b"), statement=statement, reason="off_topic"
    )
    assert Statement.objects.get(pk=statement.pk).flags == 2


def test_the_analysis_finds_the_two_camps_and_updates_with_new_votes(conversation):
    vote_pattern(conversation, 40)
    first = services.analysis_run(process_id=conversation.pk)
    assert first is not None
    assert not first.incremental
    summary = first.summary
    assert summary["participants"] == 40
    assert len(summary["groups"]) == 2
    assert sorted(g["size"] for g in summary["groups"]) == [20, 20]
    # The odd statements are common ground.
    common = {entry["statement"] for entry in summary["consensus"]["agree"]}
    assert common
    assert common <= {2, 4, 6, 8}
    assert summary["weighting"]["groups"]
    vote_pattern(conversation, 6, seed=2, prefix="newcomer")
    second = services.analysis_run(process_id=conversation.pk)
    assert second.incremental
    assert second.summary["participants"] == 46
    assert second.last_vote_id > first.last_vote_id
    assert AnalysisState.objects.get(process=conversation).analysis == second


def test_moderating_after_an_analysis_makes_the_next_one_start_afresh(conversation, accounts):
    vote_pattern(conversation, 30)
    services.analysis_run(process_id=conversation.pk)
    services.statements_moderate(
        user=accounts["facilitator"],
        process=conversation,
        numbers=[1],
        accept=False,
        reason="Off topic.",
    )
    rerun = services.analysis_run(process_id=conversation.pk)
    assert not rerun.incremental
    assert 1 not in rerun.summary["statements"]


def test_the_results_view_has_statement_text_and_withholds_small_groups(conversation):
    vote_pattern(conversation, 40)
    services.analysis_run(process_id=conversation.pk)
    view = selectors.results_view(process=conversation)
    texts = {s.text for group in view.groups for s in group.representative}
    assert texts & {s.text for s in statements(conversation)}
    assert all(group.shown for group in view.groups)
    # A stored analysis never changes (pages keep its parsed summary): a newer one, whose
    # first group is small, takes its place.
    analysis = Analysis.objects.filter(process=conversation).latest()
    analysis.summary["groups"][0]["size"] = 3
    analysis.pk, analysis.computed_at = None, analysis.computed_at + timedelta(seconds=1)
    analysis.save()
    view = selectors.results_view(process=conversation)
    hidden = [g for g in view.groups if not g.shown]
    assert hidden
    assert hidden[0].representative == []
    assert hidden[0].size == 0


def test_where_i_stand_names_the_nearest_group_for_that_participant(conversation):
    vote_pattern(conversation, 40)
    services.analysis_run(process_id=conversation.pk)
    view = selectors.results_view(process=conversation)
    me = participant(conversation, "voter-0")  # camp 0
    other = participant(conversation, "voter-1")  # camp 1
    mine = selectors.where_i_stand(process=conversation, participant=me)
    theirs = selectors.where_i_stand(process=conversation, participant=other)
    assert mine.group
    assert theirs.group
    assert mine.group != theirs.group
    assert {mine.group, theirs.group} == {g.letter for g in view.groups}
    newcomer = participant(conversation, "new")
    services.vote_cast(
        participant_id=newcomer.pk,
        process_id=newcomer.process_id,
        statement_id=statements(conversation)[0].pk,
        value=1,
    )
    early = selectors.where_i_stand(process=conversation, participant=newcomer)
    assert early.group is None
    assert early.needed == 6


def test_too_few_votes_leave_no_analysis_and_no_error(conversation):
    vote_pattern(conversation, 1)
    assert services.analysis_run(process_id=conversation.pk) is None
    assert selectors.results_view(process=conversation) is None


def test_a_stuck_run_is_released_and_can_run_again(conversation):
    from datetime import timedelta

    from django.utils import timezone

    from cpps.deliberation.models import Deliberation

    Deliberation.objects.filter(pk=conversation.pk).update(
        analysis_status="running", analysis_started_at=timezone.now() - timedelta(hours=1)
    )
    assert services.analysis_run(process_id=conversation.pk) is None  # held by the dead run
    from cpps.common.watchdog import stuck_work_recover

    assert stuck_work_recover()["conversation analyses"] == 1
    vote_pattern(conversation, 20)
    assert services.analysis_run(process_id=conversation.pk) is not None
