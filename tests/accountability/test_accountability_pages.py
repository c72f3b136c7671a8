"""The accountability pages as the council, the owner and the public read them."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cpps.accountability import services

pytestmark = pytest.mark.django_db


def _page(client, commitment) -> str:
    url = reverse("accountability:commitment", args=[commitment.jurisdiction.slug, commitment.pk])
    return client.get(url).content.decode()


def test_badge_says_which_key_is_still_to_turn(client, partnership, draft_commitment):
    commitment = draft_commitment()
    assert "Proposed, waiting for both sides" in _page(client, commitment)
    for member in partnership["council"][:2]:
        commitment = services.commitment_vote(user=member, commitment=commitment, approve=True)
    page = _page(client, commitment)
    assert "Council approved, waiting for the owner" in page
    assert "Proposed, waiting for both sides" not in page
    board = client.get(reverse("accountability:board", args=[commitment.jurisdiction.slug]))
    assert "Council approved, waiting for the owner" in board.content.decode()


def test_badge_says_when_the_owner_accepted_first(client, accounts, draft_commitment):
    commitment = services.commitment_respond(
        user=accounts["police_liaison"], commitment=draft_commitment(), response="accepted"
    )
    assert "Owner accepted, waiting for the council" in _page(client, commitment)


def test_a_commitments_areas_read_in_natural_order(client, draft_commitment):
    commitment = draft_commitment()
    commitment.areas.set(commitment.jurisdiction.areas.filter(code__in=["10", "2", "7"]))
    url = reverse("accountability:commitment", args=["chicago", commitment.pk])
    html = client.get(url).content.decode()
    shown = re.findall(r'/areas/(\d+)/">', html)
    assert shown == ["2", "7", "10"]


def test_charter_names_the_council_only_to_community_roles(client, accounts, partnership):
    url = reverse("accountability:charter", args=["chicago"])
    public = client.get(url).content.decode()
    assert "3 members" in public
    assert "Marcus Johnson" not in public
    assert f"#{accounts['council_member'].pk}" not in public
    client.force_login(accounts["police_liaison"])
    assert "Marcus Johnson" not in client.get(url).content.decode()
    client.force_login(accounts["facilitator"])
    community = client.get(url).content.decode()
    assert "3 members: Marcus Johnson, council-two, council-three" in community


def _agreed(partnership, accounts, draft_commitment):
    commitment = draft_commitment()
    for member in partnership["council"][:2]:
        services.commitment_vote(user=member, commitment=commitment, approve=True)
    return services.commitment_respond(
        user=accounts["police_liaison"], commitment=commitment, response="accepted"
    )


def _post(client, commitment, action, data):
    url = reverse(f"accountability:commitment_{action}", args=["chicago", commitment.pk])
    return client.post(url, data)


def test_an_empty_progress_update_is_shown_again_on_its_form(
    client, accounts, partnership, draft_commitment
):
    commitment = _agreed(partnership, accounts, draft_commitment)
    client.force_login(accounts["police_liaison"])
    response = _post(client, commitment, "progress", {"metric_value": "3 a week", "narrative": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "This could not be done" not in html
    assert "Say in a few sentences what has been done." in html
    assert "Choose how the work stands." in html
    assert 'value="3 a week"' in html  # what was typed is kept
    assert commitment.title in html  # the commitment's own page
    assert not commitment.updates.exists()


def test_a_decline_without_a_reason_is_refused_next_to_the_reason(
    client, accounts, draft_commitment
):
    commitment = draft_commitment()
    client.force_login(accounts["police_liaison"])
    response = _post(client, commitment, "respond", {"response": "declined", "reason": " "})
    html = response.content.decode()
    assert response.status_code == 400
    assert "This could not be done" not in html
    assert re.search(
        r'field-error">\s*<label for="respond-reason">.*?Give the public reason', html, re.S
    )
    assert re.search(r'<input type="radio" name="response" value="declined"[^>]* checked', html)
    commitment.refresh_from_db()
    assert commitment.owner_response == "pending"
    done = _post(client, commitment, "respond", {"response": "declined", "reason": "No budget."})
    assert done.status_code == 302


def test_withdraw_and_proposals_keep_their_errors_on_the_page(
    client, accounts, partnership, draft_commitment
):
    commitment = draft_commitment()
    client.force_login(partnership["council"][0])
    withdrawn = _post(client, commitment, "withdraw", {"reason": ""})
    assert withdrawn.status_code == 400
    assert "Give the public reason for withdrawing it." in withdrawn.content.decode()
    proposed = _post(client, commitment, "propose", {"text": ""})
    assert proposed.status_code == 400
    assert "Describe the change you propose." in proposed.content.decode()
    voted = _post(client, commitment, "vote", {"approve": "maybe"})
    assert voted.status_code == 400
    assert "Vote to approve or not to approve." in voted.content.decode()


def test_a_refused_role_still_gets_the_error_page(client, accounts, draft_commitment):
    client.force_login(accounts["police_liaison"])
    response = _post(client, draft_commitment(), "withdraw", {"reason": "Because."})
    assert response.status_code == 403
    assert "This could not be done" in response.content.decode()
