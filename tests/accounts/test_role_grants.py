"""Roles with a say in content or access to what residents said are given only with a community
role's approval: the technical administrator alone (or with a second administrator) cannot give
one, not even to itself, and every request and decision is in the public audit log."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from cpps.accounts.models import Membership, MembershipRequest, Role
from cpps.accounts.policy import Action, can, needs_community_approval
from cpps.accounts.services import (
    membership_grant,
    membership_request,
    membership_request_approve,
    membership_request_refuse,
    user_create,
)
from cpps.audit.models import AuditEvent
from cpps.common.errors import InvalidTransitionError, PermissionRefusedError
from cpps.jurisdictions.services import jurisdiction_create

pytestmark = pytest.mark.django_db


def holds(user, jurisdiction, role) -> bool:
    return Membership.objects.filter(user=user, jurisdiction=jurisdiction, role=role).exists()


def events(jurisdiction, prefix="membership."):
    return list(
        AuditEvent.objects.filter(jurisdiction=jurisdiction, action__startswith=prefix).order_by(
            "sequence"
        )
    )


@pytest.mark.parametrize(
    ("role", "needs"),
    [
        (Role.FACILITATOR, True),
        (Role.COUNCIL_MEMBER, True),
        (Role.AUDITOR, True),
        (Role.POLICE_LIAISON, True),
        (Role.CITY_OFFICIAL, True),
        (Role.RESIDENT, False),
        (Role.ADMIN, False),
    ],
)
def test_only_technical_roles_are_given_without_approval(role, needs):
    assert needs_community_approval(role) is needs


def test_the_admin_cannot_give_itself_the_facilitator_role(chicago, accounts):
    admin = accounts["admin"]
    with pytest.raises(PermissionRefusedError, match="must approve the role"):
        membership_grant(granted_by=admin, jurisdiction=chicago, user=admin, role="facilitator")
    assert not holds(admin, chicago, "facilitator")
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/j/chicago/members/", {"username": admin.username, "role": "facilitator"}, follow=True
    )
    assert "Role requested: it takes effect when a facilitator" in response.content.decode()
    assert not holds(admin, chicago, "facilitator")
    assert not can(admin, Action.VIEW_PERSONAL_DATA, chicago)
    assert MembershipRequest.objects.get(user=admin, role="facilitator").state == "pending"


def test_technical_roles_are_still_given_at_once(chicago, accounts):
    newcomer = user_create(username="newcomer", password="a long passphrase 42")
    for role in ("resident", "admin"):
        membership_grant(
            granted_by=accounts["admin"], jurisdiction=chicago, user=newcomer, role=role
        )
        assert holds(newcomer, chicago, role)


def test_a_second_administrator_cannot_approve(chicago, accounts):
    second = user_create(username="second-admin", password="a long passphrase 42")
    membership_grant(granted_by=accounts["admin"], jurisdiction=chicago, user=second, role="admin")
    waiting = membership_request(
        requested_by=accounts["admin"], jurisdiction=chicago, user=second, role="facilitator"
    )
    with pytest.raises(PermissionRefusedError):
        membership_request_approve(approved_by=second, request=waiting)
    with pytest.raises(PermissionRefusedError):
        membership_request_approve(approved_by=accounts["admin"], request=waiting)
    assert not holds(second, chicago, "facilitator")


def test_neither_the_person_asking_nor_the_person_named_may_decide(chicago, accounts):
    council, facilitator = accounts["council_member"], accounts["facilitator"]
    membership_grant(granted_by=None, jurisdiction=chicago, user=council, role="admin")
    asked_by_council = membership_request(
        requested_by=council, jurisdiction=chicago, user=accounts["resident"], role="auditor"
    )
    with pytest.raises(PermissionRefusedError, match="Someone other than the person who asked"):
        membership_request_approve(approved_by=council, request=asked_by_council)
    naming_facilitator = membership_request(
        requested_by=accounts["admin"], jurisdiction=chicago, user=facilitator, role="auditor"
    )
    with pytest.raises(PermissionRefusedError, match="Someone other than the person who asked"):
        membership_request_approve(approved_by=facilitator, request=naming_facilitator)
    assert not holds(accounts["resident"], chicago, "auditor")
    assert not holds(facilitator, chicago, "auditor")


def test_a_police_liaison_holding_a_community_role_cannot_approve(chicago, accounts):
    police = accounts["police_liaison"]
    membership_grant(granted_by=None, jurisdiction=chicago, user=police, role="facilitator")
    waiting = membership_request(
        requested_by=accounts["admin"], jurisdiction=chicago, user=police, role="council_member"
    )
    other = membership_request(
        requested_by=accounts["admin"],
        jurisdiction=chicago,
        user=accounts["resident"],
        role="council_member",
    )
    for request in (waiting, other):
        with pytest.raises(PermissionRefusedError):
            membership_request_approve(approved_by=police, request=request)


def test_a_community_role_approves_and_every_step_is_audited_without_names(chicago, accounts):
    admin, resident = accounts["admin"], accounts["resident"]
    before = len(events(chicago))
    waiting = membership_request(
        requested_by=admin, jurisdiction=chicago, user=resident, role="facilitator"
    )
    membership_request_approve(approved_by=accounts["council_member"], request=waiting)
    assert holds(resident, chicago, "facilitator")
    assert can(resident, Action.VIEW_PERSONAL_DATA, chicago)
    logged = events(chicago)[before:]
    assert [event.action for event in logged] == [
        "membership.requested",
        "membership.approved",
        "membership.granted",
    ]
    assert logged[0].actor_ref == f"user:{admin.pk}"
    assert logged[1].actor_ref == f"user:{accounts['council_member'].pk}"
    assert logged[1].actor_role == "council_member"
    assert logged[1].payload == {
        "user": f"user:{resident.pk}",
        "role": "facilitator",
        "requested_by": f"user:{admin.pk}",
    }
    for event in logged:
        shown = str(event.payload)
        for personal in (resident.username, resident.first_name, resident.email, admin.username):
            assert personal not in shown


def test_a_refused_request_gives_nothing_and_cannot_be_decided_again(chicago, accounts):
    resident = accounts["resident"]
    waiting = membership_request(
        requested_by=accounts["admin"], jurisdiction=chicago, user=resident, role="council_member"
    )
    membership_request_refuse(refused_by=accounts["facilitator"], request=waiting)
    assert not holds(resident, chicago, "council_member")
    assert events(chicago)[-1].action == "membership.refused"
    with pytest.raises(InvalidTransitionError, match="decided already"):
        membership_request_approve(approved_by=accounts["council_member"], request=waiting)


def test_the_members_page_shows_waiting_roles_with_decisions_for_community_roles(chicago, accounts):
    resident = accounts["resident"]
    waiting = membership_request(
        requested_by=accounts["admin"], jurisdiction=chicago, user=resident, role="facilitator"
    )
    approve = f"/j/chicago/members/requests/{waiting.pk}/approve/"
    facilitator = Client()
    facilitator.force_login(accounts["facilitator"])
    page = facilitator.get("/j/chicago/members/").content.decode()
    assert f"Approve Facilitator role for {resident.username}" in page
    assert "Give someone a role" not in page
    admin = Client()
    admin.force_login(accounts["admin"])
    page = admin.get("/j/chicago/members/").content.decode()
    assert "Another facilitator or council member decides." in page
    assert admin.post(approve).status_code == 403
    police = Client()
    police.force_login(accounts["police_liaison"])
    assert police.get("/j/chicago/members/").status_code == 403
    assert police.post(approve).status_code == 403
    assert not holds(resident, chicago, "facilitator")
    response = facilitator.post(approve, follow=True)
    assert "Role approved and given." in response.content.decode()
    assert holds(resident, chicago, "facilitator")
    assert facilitator.post(approve).status_code == 404


def test_the_operator_gives_the_first_facilitator_from_the_command_line(accounts):
    elsewhere = jurisdiction_create(name="Elsewhere", slug="elsewhere")
    first = user_create(username="first-facilitator", password="a long passphrase 42")
    call_command("grant_role", "elsewhere", first.username, "facilitator")
    assert holds(first, elsewhere, "facilitator")
    second = user_create(username="second-facilitator", password="a long passphrase 42")
    with pytest.raises(CommandError, match="request the role on its members page"):
        call_command("grant_role", "elsewhere", second.username, "council_member")
    assert not holds(second, elsewhere, "council_member")
    call_command("grant_role", "elsewhere", second.username, "resident")
    assert holds(second, elsewhere, "resident")
    assert events(elsewhere)[-1].actor_ref == "system"
