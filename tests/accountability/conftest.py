"""A signed partnership for the accountability tests: three council members, a police district
and a city service as owners."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cpps.accountability import services
from cpps.accountability.models import OwnerKind


@pytest.fixture
def council(chicago, accounts):
    from cpps.accounts.services import membership_grant, user_create

    members = [accounts["council_member"]]
    for name in ("council-two", "council-three"):
        user = user_create(username=name, password="x-long-password-1", email=f"{name}@example.org")
        membership_grant(granted_by=None, jurisdiction=chicago, user=user, role="council_member")
        members.append(user)
    return members


@pytest.fixture
def partnership(chicago, accounts, council):
    facilitator = accounts["facilitator"]
    police = services.owner_body_create(
        user=facilitator,
        jurisdiction=chicago,
        name="Police, 7th District tactical unit",
        kind=OwnerKind.POLICE,
        representatives=[accounts["police_liaison"]],
    )
    lighting = services.owner_body_create(
        user=facilitator,
        jurisdiction=chicago,
        name="Street lighting repair crews",
        kind=OwnerKind.CITY_SERVICE,
        representatives=[accounts["city_official"]],
    )
    charter = services.charter_draft(
        user=facilitator,
        jurisdiction=chicago,
        text="We agree to work in public.",
        council_members=council,
        quorum=2,
        majority_percent=50,
        owner_bodies=[police, lighting],
        review_period_days=90,
        silence_days=30,
    )
    services.charter_sign(user=council[0], charter=charter, side="council")
    charter = services.charter_sign(user=accounts["police_liaison"], charter=charter, side="owner")
    return {"charter": charter, "police": police, "lighting": lighting, "council": council}


@pytest.fixture
def draft_commitment(chicago, partnership):
    def make(owner=None, due_on=None):
        return services.commitment_draft(
            user=partnership["council"][0],
            jurisdiction=chicago,
            terms=services.CommitmentTerms(
                title="Foot patrols that know the block",
                action="Officers walk the same beats weekly and attend block club meetings.",
                owner=owner or partnership["police"],
                area_codes=["7"],
                due_on=due_on or timezone.localdate() + timedelta(days=60),
                metric="Block club meetings attended",
                baseline="2 per quarter",
                target="12 per quarter",
            ),
        )

    return make
