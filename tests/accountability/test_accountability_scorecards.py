from __future__ import annotations

import csv
import io
import secrets

import pytest
from django.test import Client

from cpps.accountability import selectors, services
from cpps.accountability.models import Commitment, Rating
from cpps.common.errors import InvalidTransitionError
from cpps.participation.identities import Identity
from cpps.participation.services import participant_for
from cpps.processes.models import Process

pytestmark = pytest.mark.django_db


@pytest.fixture
def scorecard(chicago):
    return Process.objects.get(jurisdiction=chicago, kind="scorecard")


@pytest.fixture
def agreed(chicago):
    return list(Commitment.objects.filter(jurisdiction=chicago, status="agreed").order_by("pk"))


def rate(scorecard, commitment, values, demographics=None):
    for i, value in enumerate(values):
        participant = participant_for(
            process=scorecard,
            identity=Identity.web_session(secrets.token_urlsafe(9)),
            demographics=demographics(i) if demographics else {},
        )
        services.rating_record(participant=participant, commitment=commitment, value=value)


def test_scores_are_weighted_with_intervals_and_small_counts_withheld(scorecard, agreed):
    walked, lights = agreed
    rate(
        scorecard,
        walked,
        ["kept"] * 12 + ["partly"] * 6 + ["not_kept"] * 4,
        demographics=lambda i: {"age_band": "25_34" if i % 2 else "65_plus", "sex": "female"},
    )
    rate(scorecard, lights, ["kept"] * 4)
    scores = selectors.scorecard_scores(scorecard=scorecard)
    walked_score = scores[walked.pk]
    assert walked_score.shown
    assert walked_score.weighted
    assert walked_score.ratings == 22
    assert walked_score.low < walked_score.value < walked_score.high
    assert walked_score.kept in {12, None}  # may be withheld to protect the small cells
    assert walked_score.not_kept is None  # 4 ratings: withheld
    assert not scores[lights.pk].shown
    assert scores[lights.pk].ratings is None  # 4 ratings: not even their number is shown


def test_a_rating_is_given_once_and_only_for_agreed_commitments(scorecard, agreed, chicago):
    participant = participant_for(
        process=scorecard, identity=Identity.web_session(secrets.token_urlsafe(9))
    )
    services.rating_record(participant=participant, commitment=agreed[0], value="kept")
    with pytest.raises(InvalidTransitionError, match="already rated"):
        services.rating_record(participant=participant, commitment=agreed[0], value="not_kept")
    pending = Commitment.objects.get(jurisdiction=chicago, status="proposed")
    with pytest.raises(Exception, match="Only agreed"):
        services.rating_record(participant=participant, commitment=pending, value="kept")


def test_residents_rate_every_commitment_on_the_web(scorecard, agreed):
    client = Client()
    url = f"/j/chicago/accountability/scorecards/{scorecard.pk}/"
    client.post(url, {"action": "start"})
    for commitment in agreed:
        page = client.get(url).content.decode()
        assert commitment.title in page
        response = client.post(url, {"commitment": commitment.pk, "value": "partly"})
        assert response.status_code == 302
    assert "rated every commitment" in client.get(url).content.decode()
    assert Rating.objects.filter(process=scorecard).count() == len(agreed)


def test_board_exports_and_api_show_the_public_record(scorecard, agreed):
    rate(scorecard, agreed[0], ["kept"] * 10)
    client = Client()
    board = client.get("/j/chicago/accountability/").content.decode()
    assert "Officers who walk the same beats" in board
    assert "10 ratings" in board
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/j/chicago/accountability/commitments.csv").content.decode())
        )
    )
    assert {row["title"] for row in rows} >= {c.title for c in agreed}
    exported = client.get("/j/chicago/accountability/commitments.json").json()
    assert exported["commitments"][0]["resident_score"] == 100.0
    listed = client.get("/api/jurisdictions/chicago/commitments?area=7").json()
    assert {item["title"] for item in listed} >= {"Officers who walk the same beats"}
    detail = client.get(f"/api/jurisdictions/chicago/commitments/{agreed[0].pk}").json()
    assert [e["action"] for e in detail["timeline"]][:2] == [
        "commitment.drafted",
        "commitment.council_vote",
    ]
    assert client.get("/api/jurisdictions/chicago/charter").json()["council_size"] == 1
    area = client.get("/j/chicago/accountability/areas/8/").content.decode()
    assert "Broken street lights" in area
    assert "Officers who walk" not in area


def test_police_never_see_comments_and_cannot_rate(scorecard, agreed, accounts):
    participant = participant_for(
        process=scorecard, identity=Identity.web_session(secrets.token_urlsafe(9))
    )
    services.rating_record(
        participant=participant, commitment=agreed[0], value="not_kept", comment="sentinel-comment"
    )
    url = f"/j/chicago/accountability/scorecards/{scorecard.pk}/results/"
    police = Client()
    police.force_login(accounts["police_liaison"])
    assert "sentinel-comment" not in police.get(url).content.decode()
    facilitator = Client()
    facilitator.force_login(accounts["facilitator"])
    assert "sentinel-comment" in facilitator.get(url).content.decode()
    response = police.post(
        f"/j/chicago/accountability/scorecards/{scorecard.pk}/", {"action": "start"}
    )
    assert response.status_code == 409


def test_too_early_and_dont_know_are_shown_but_not_scored(scorecard, agreed):
    walked, lights = agreed
    rate(scorecard, walked, ["kept"] * 10 + ["too_early"] * 10 + ["dont_know"] * 11)
    rate(scorecard, lights, ["too_early"] * 12)
    scores = selectors.scorecard_scores(scorecard=scorecard)
    walked_score = scores[walked.pk]
    assert walked_score.ratings == 31
    assert walked_score.value == pytest.approx(100.0)  # only the ten who judged are scored
    assert (walked_score.kept, walked_score.too_early, walked_score.dont_know) == (10, 10, 11)
    assert scores[lights.pk].shown
    assert scores[lights.pk].value is None  # nobody judged it yet
    page = Client().get(f"/j/chicago/accountability/scorecards/{scorecard.pk}/results/")
    html = page.content.decode()
    assert "Too early to say" in html
    assert "Too few residents judged it yet." in html


def test_the_rating_form_offers_too_early_and_dont_know(scorecard, agreed):
    client = Client()
    url = f"/j/chicago/accountability/scorecards/{scorecard.pk}/"
    client.post(url, {"action": "start"})
    page = client.get(url).content.decode()
    assert "Too early to say" in page
    assert "Don&#x27;t know" in page
    response = client.post(url, {"commitment": agreed[0].pk, "value": "too_early"})
    assert response.status_code == 302
    assert Rating.objects.get(process=scorecard).value == "too_early"
