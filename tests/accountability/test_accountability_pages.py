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
