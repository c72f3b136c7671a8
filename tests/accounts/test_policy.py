import pytest

from cpps.accounts.models import Role
from cpps.accounts.policy import COMMUNITY_CONTROLLED, Action, acting_role, can, require
from cpps.accounts.services import membership_grant
from cpps.common.errors import PermissionRefusedError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("action", sorted(COMMUNITY_CONTROLLED))
def test_police_liaison_never_gets_a_community_controlled_action(chicago, accounts, action):
    police = accounts["police_liaison"]
    for extra_role in Role:
        membership_grant(granted_by=None, jurisdiction=chicago, user=police, role=extra_role)
        assert not can(police, action, chicago), (action, extra_role)


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        ("facilitator", Action.CREATE_PROCESS, True),
        ("council_member", Action.CONVENE_PROCESS, True),
        ("council_member", Action.VIEW_PERSONAL_DATA, False),
        ("resident", Action.CREATE_PROCESS, False),
        ("admin", Action.CREATE_PROCESS, False),
        ("admin", Action.MANAGE_MEMBERSHIPS, True),
        ("admin", Action.VIEW_PERSONAL_DATA, False),
        ("city_official", Action.SET_AGENDA, False),
        ("police_liaison", Action.RESPOND_AS_OWNER, True),
        ("police_liaison", Action.POST_PROGRESS, True),
        ("auditor", Action.MODERATE, False),
    ],
)
def test_role_grants(accounts, chicago, role, action, allowed):
    assert can(accounts[role], action, chicago) is allowed


def test_roles_do_not_carry_across_jurisdictions(accounts, chicago):
    from cpps.jurisdictions.services import jurisdiction_create

    elsewhere = jurisdiction_create(name="Gary")
    assert can(accounts["facilitator"], Action.CREATE_PROCESS, chicago)
    assert not can(accounts["facilitator"], Action.CREATE_PROCESS, elsewhere)


def test_superuser_flag_grants_nothing_in_content(accounts, chicago):
    admin = accounts["admin"]
    admin.is_superuser = True
    admin.save()
    assert not can(admin, Action.CREATE_PROCESS, chicago)


def test_require_names_the_acting_role_or_refuses(accounts, chicago):
    assert (
        require(accounts["council_member"], Action.CREATE_PROCESS, chicago) == Role.COUNCIL_MEMBER
    )
    with pytest.raises(PermissionRefusedError):
        require(accounts["resident"], Action.CONVENE_PROCESS, chicago)
    assert acting_role(accounts["resident"], Action.TAKE_PART, chicago) == Role.RESIDENT
