"""The permission policy: the one place that decides who may do what in a jurisdiction.

Views, API endpoints, services and templates ask `can()` / `require()`; nothing else compares
role names. The CPPS rule "community leads" is written here: police liaisons never convene a
process, set an agenda, invite, moderate or see personal data, even when the same person also
holds a community role.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from cpps.accounts.models import Membership, Role
from cpps.common.errors import PermissionRefusedError

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.accounts.models import User
    from cpps.jurisdictions.models import Jurisdiction


class Action(StrEnum):
    CREATE_PROCESS = "create_process"
    CONVENE_PROCESS = "convene_process"
    SET_AGENDA = "set_agenda"
    INVITE = "invite"
    MODERATE = "moderate"
    VIEW_PERSONAL_DATA = "view_personal_data"
    MANAGE_MEMBERSHIPS = "manage_memberships"
    IMPORT_CENSUS = "import_census"
    TAKE_PART = "take_part"
    RESPOND_AS_OWNER = "respond_as_owner"
    POST_PROGRESS = "post_progress"
    REVIEW_AUDIT = "review_audit"
    ENTER_PAPER_FORMS = "enter_paper_forms"
    DRAFT_CHARTER = "draft_charter"
    SIGN_FOR_COMMUNITY = "sign_for_community"
    DECIDE_COMMITMENTS = "decide_commitments"
    APPROVE_MEMBERSHIPS = "approve_memberships"


COMMUNITY_CONTROLLED = frozenset(
    {
        Action.CREATE_PROCESS,
        Action.CONVENE_PROCESS,
        Action.SET_AGENDA,
        Action.INVITE,
        Action.MODERATE,
        Action.VIEW_PERSONAL_DATA,
        Action.MANAGE_MEMBERSHIPS,
        Action.DRAFT_CHARTER,
        Action.SIGN_FOR_COMMUNITY,
        Action.DECIDE_COMMITMENTS,
        Action.ENTER_PAPER_FORMS,
        Action.APPROVE_MEMBERSHIPS,
    }
)

ROLE_GRANTS: dict[Role, frozenset[Action]] = {
    Role.RESIDENT: frozenset({Action.TAKE_PART}),
    Role.FACILITATOR: frozenset(
        {
            Action.CREATE_PROCESS,
            Action.CONVENE_PROCESS,
            Action.SET_AGENDA,
            Action.INVITE,
            Action.MODERATE,
            Action.VIEW_PERSONAL_DATA,
            Action.TAKE_PART,
            Action.DRAFT_CHARTER,
            Action.ENTER_PAPER_FORMS,
            Action.APPROVE_MEMBERSHIPS,
        }
    ),
    Role.COUNCIL_MEMBER: frozenset(
        {
            Action.CREATE_PROCESS,
            Action.CONVENE_PROCESS,
            Action.SET_AGENDA,
            Action.MODERATE,
            Action.TAKE_PART,
            Action.DRAFT_CHARTER,
            Action.SIGN_FOR_COMMUNITY,
            Action.DECIDE_COMMITMENTS,
            Action.APPROVE_MEMBERSHIPS,
        }
    ),
    Role.POLICE_LIAISON: frozenset({Action.RESPOND_AS_OWNER, Action.POST_PROGRESS}),
    Role.CITY_OFFICIAL: frozenset({Action.RESPOND_AS_OWNER, Action.POST_PROGRESS}),
    Role.AUDITOR: frozenset({Action.REVIEW_AUDIT}),
    # Technical administration only: no say in content, no access to what residents said.
    Role.ADMIN: frozenset({Action.MANAGE_MEMBERSHIPS, Action.IMPORT_CENSUS}),
}

# What a role may do without a say in content or access to what residents said. A role that
# grants anything else (a facilitator's, a council member's, an owner's or an auditor's) is given
# only with the approval of a facilitator or council member of the jurisdiction: the technical
# administrator alone, or with a second administrator, cannot give it, not even to itself.
TECHNICAL_ACTIONS = frozenset({Action.TAKE_PART, Action.MANAGE_MEMBERSHIPS, Action.IMPORT_CENSUS})

# When several of a person's roles grant an action, the audit log names the first in this order.
ROLE_PRECEDENCE = (
    Role.FACILITATOR,
    Role.COUNCIL_MEMBER,
    Role.CITY_OFFICIAL,
    Role.POLICE_LIAISON,
    Role.AUDITOR,
    Role.ADMIN,
    Role.RESIDENT,
)

_ROLE_CACHE_ATTRIBUTE = "_cpps_roles_by_jurisdiction"


def roles_of(user: User | AnonymousUser, jurisdiction: Jurisdiction) -> frozenset[Role]:
    """Return the roles `user` holds in `jurisdiction` (cached on the user for the request)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cache: dict[int, frozenset[Role]] = user.__dict__.setdefault(_ROLE_CACHE_ATTRIBUTE, {})
    if jurisdiction.pk not in cache:
        stored = Membership.objects.filter(user=user, jurisdiction=jurisdiction).values_list(
            "role", flat=True
        )
        cache[jurisdiction.pk] = frozenset(Role(role) for role in stored)
    return cache[jurisdiction.pk]


def forget_roles(user: User | AnonymousUser) -> None:
    """Drop the cached roles after memberships change."""
    user.__dict__.pop(_ROLE_CACHE_ATTRIBUTE, None)


def acting_role(
    user: User | AnonymousUser, action: Action, jurisdiction: Jurisdiction
) -> Role | None:
    """Return the role under which `user` may take `action`, or None if no role allows it."""
    roles = roles_of(user, jurisdiction)
    if Role.POLICE_LIAISON in roles and action in COMMUNITY_CONTROLLED:
        return None
    for role in ROLE_PRECEDENCE:
        if role in roles and action in ROLE_GRANTS[role]:
            return role
    return None


def can(user: User | AnonymousUser, action: Action, jurisdiction: Jurisdiction) -> bool:
    """Say whether `user` may take `action` in `jurisdiction`."""
    return acting_role(user, action, jurisdiction) is not None


def require(user: User | AnonymousUser, action: Action, jurisdiction: Jurisdiction) -> Role:
    """Return the acting role, or raise `PermissionRefusedError` with a message for the person."""
    role = acting_role(user, action, jurisdiction)
    if role is None:
        raise PermissionRefusedError(_("Your roles in this jurisdiction do not allow this."))
    return role


def roles_allowed(action: Action) -> frozenset[Role]:
    """The roles that allow `action` (for a person holding no police role)."""
    return frozenset(role for role, actions in ROLE_GRANTS.items() if action in actions)


def needs_community_approval(role: Role) -> bool:
    """Say whether giving `role` needs a community role's approval (see TECHNICAL_ACTIONS)."""
    return not ROLE_GRANTS[role] <= TECHNICAL_ACTIONS
