from __future__ import annotations

import random
import secrets

import pytest
from django.test import Client

from cpps.common.errors import InvalidInputError, PermissionRefusedError
from cpps.participation.identities import Identity
from cpps.participation.services import participant_for
from cpps.priorities import selectors, services
from cpps.priorities.models import Comparison, IdeaState
from cpps.processes.models import Process

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_round(chicago):
    return Process.objects.get(jurisdiction=chicago, kind="priority_round")


def vote_many(process, count, *, seed=1, demographics=None):
    """Residents who favour earlier-seeded ideas, answering the pairs the round asks."""
    rng = random.Random(seed)
    participant = None
    for i in range(count):
        if i % 10 == 0:
            participant = participant_for(
                process=process,
                identity=Identity.web_session(secrets.token_urlsafe(9)),
                demographics=demographics(i) if demographics else {},
            )
        left, right = selectors.next_pair(process=process, participant=participant)
        better = left if (left.pk < right.pk) == (rng.random() < 0.8) else right
        worse = right if better is left else left
        services.comparison_record(participant=participant, winner=better, loser=worse)


def test_three_hundred_comparisons_rank_the_favoured_ideas_first(demo_round):
    vote_many(
        demo_round,
        300,
        demographics=lambda i: {
            "age_band": "65_plus" if i < 20 else "25_34",  # two residents are 65 or older
            "sex": "female" if i % 20 else "male",
            "area": "7",
        },
    )
    results = selectors.round_results(process=demo_round)
    assert results.comparisons == 300
    assert results.participants == 30
    assert results.weighted_by == ("age_band", "sex")
    ranked = [row.idea.pk for row in results.overall]
    assert ranked[0] in sorted(ranked)[:3]
    for row in results.overall:
        assert row.score.score_low <= row.score.score <= row.score.score_high
    shown = {(g.variable, g.group) for g in results.groups}
    assert ("area", "7") in shown
    assert ("age_band", "65_plus") not in shown  # 2 residents: suppressed
    assert results.suppressed_groups >= 1


def test_resident_ideas_wait_for_moderation(demo_round, accounts):
    participant = participant_for(
        process=demo_round, identity=Identity.web_session(secrets.token_urlsafe(9))
    )
    idea = services.idea_submit(participant=participant, text="Más luz en el parque", language="es")
    assert idea.state == IdeaState.PENDING
    assert idea not in selectors.idea_list(process=demo_round)
    with pytest.raises(PermissionRefusedError):
        services.idea_moderate(user=accounts["police_liaison"], idea=idea, approve=True)
    with pytest.raises(InvalidInputError, match="English wording"):
        services.idea_moderate(user=accounts["facilitator"], idea=idea, approve=True)
    services.idea_moderate(
        user=accounts["facilitator"], idea=idea, approve=True, text_en="More light in the park"
    )
    assert idea in selectors.idea_list(process=demo_round)


def test_police_cannot_seed_ideas(demo_round, accounts):
    with pytest.raises(PermissionRefusedError):
        services.idea_seed(user=accounts["police_liaison"], process=demo_round, text_en="Raids")


def test_comparisons_only_between_ideas_of_the_round(demo_round):
    participant = participant_for(
        process=demo_round, identity=Identity.web_session(secrets.token_urlsafe(9))
    )
    idea = selectors.idea_list(process=demo_round)[0]
    with pytest.raises(InvalidInputError):
        services.comparison_record(participant=participant, winner=idea, loser=idea)


def test_voting_on_the_web_without_javascript(demo_round):
    client = Client()
    url = f"/j/chicago/priorities/{demo_round.pk}/vote/"
    assert "Start" in client.get(url).content.decode()
    client.post(url, {"action": "start", "area": "7", "age_band": "35_44", "sex": "nonsense"})
    page = client.get(url).content.decode()
    assert 'name="choice"' in page
    a = int(page.split('name="pair_a" value="')[1].split('"')[0])
    b = int(page.split('name="pair_b" value="')[1].split('"')[0])
    response = client.post(url, {"pair_a": a, "pair_b": b, "choice": a})
    assert response.status_code == 302
    saved = Comparison.objects.get(process=demo_round)
    assert (saved.winner_id, saved.loser_id) == (a, b)
    # A tampered answer about oneself is dropped; the others, and the taking part, are kept.
    assert saved.participant.demographics == {"area": "7", "age_band": "35_44"}
    response = client.post(url, {"pair_a": a, "pair_b": b, "choice": 999999})
    assert response.status_code == 400


def test_optional_answers_about_oneself_are_kept_for_weighting(demo_round):
    client = Client()
    url = f"/j/chicago/priorities/{demo_round.pk}/vote/"
    client.post(url, {"action": "start", "area": "8", "age_band": "35_44", "sex": "female"})
    participant = demo_round.participants.order_by("-pk").first()
    assert participant.demographics == {"area": "8", "age_band": "35_44", "sex": "female"}


def test_signed_in_people_cannot_vote(demo_round, accounts):
    client = Client()
    client.force_login(accounts["police_liaison"])
    response = client.post(f"/j/chicago/priorities/{demo_round.pk}/vote/", {"action": "start"})
    assert response.status_code == 409


def test_results_page_and_ranking_api(demo_round):
    vote_many(demo_round, 40)
    client = Client()
    page = client.get(f"/j/chicago/priorities/{demo_round.pk}/")
    assert page.status_code == 200
    assert "Ranking of ideas" in page.content.decode()
    data = client.get(f"/api/jurisdictions/chicago/priority-rounds/{demo_round.pk}/ranking").json()
    assert data["comparisons"] == 40
    assert len(data["ideas"]) == 8


def test_no_idea_is_ranked_before_anyone_compares(demo_round):
    results = selectors.round_results(process=demo_round)
    assert results.overall
    assert all(row.rank is None for row in results.overall)
    page = Client().get(f"/j/chicago/priorities/{demo_round.pk}/").content.decode()
    assert "Not enough comparisons yet" in page
    assert "<td>1</td>" not in page
    data = Client().get(f"/api/jurisdictions/chicago/priority-rounds/{demo_round.pk}/ranking")
    assert {idea["rank"] for idea in data.json()["ideas"]} == {None}


def test_an_idea_never_compared_is_listed_below_the_ranked_ones(demo_round, accounts):
    vote_many(demo_round, 80)
    late = services.idea_seed(
        user=accounts["facilitator"], process=demo_round, text_en="Late idea nobody compared"
    )
    overall = selectors.round_results(process=demo_round).overall
    ranks = [row.rank for row in overall]
    placed = [rank for rank in ranks if rank is not None]
    assert placed == list(range(1, len(placed) + 1))
    assert len(placed) >= 2
    assert ranks[: len(placed)] == placed  # the ranked ideas first, by score
    assert overall[-1].idea == late
    assert overall[-1].rank is None
    assert overall[-1].comparisons == 0
    scores = [row.score.score for row in overall[: len(placed)]]
    assert scores == sorted(scores, reverse=True)
