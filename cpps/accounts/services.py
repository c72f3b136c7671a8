"""Writes for accounts and memberships.

A role with a say in content or access to what residents said is given only with a community
role's approval: a technical administrator requests it, a facilitator or council member of the
jurisdiction (neither the person who asked nor the person named) approves or refuses it, and
each step is an audit event naming accounts by number only.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpps.accounts.audit_actions import (
    MEMBERSHIP_DECIDED,
    MEMBERSHIP_GRANTED,
    MEMBERSHIP_REQUESTED,
    MEMBERSHIP_REVOKED,
)
from cpps.accounts.models import Membership, MembershipRequest, RequestState, Role, User
from cpps.accounts.policy import (
    Action,
    forget_roles,
    needs_community_approval,
    require,
    roles_allowed,
)
from cpps.audit.services import SYSTEM, Actor, audit_event_record
from cpps.common.errors import InvalidInputError, InvalidTransitionError, PermissionRefusedError
from cpps.common.text import clean_text
from cpps.jurisdictions.models import Jurisdiction


def _granting_actor(granted_by: User | AnonymousUser | None, jurisdiction: Jurisdiction) -> Actor:
    # None means the operator at the command line, who runs the deployment itself.
    if granted_by is None:
        return SYSTEM
    return Actor.for_user(granted_by, require(granted_by, Action.MANAGE_MEMBERSHIPS, jurisdiction))


def _account(user: User | AnonymousUser) -> User:
    """The account behind a person the policy has let act (never anonymous by then)."""
    if not isinstance(user, User):
        raise PermissionRefusedError(_("Your roles in this jurisdiction do not allow this."))
    return user


def _valid_role(role: str) -> Role:
    if role not in Role.values:
        raise InvalidInputError(_("“%(role)s” is not a role.") % {"role": role})
    return Role(role)


def _grant(*, actor: Actor, jurisdiction: Jurisdiction, user: User, role: Role) -> Membership:
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, jurisdiction=jurisdiction, role=role
        )
        if created:
            audit_event_record(
                jurisdiction=jurisdiction,
                actor=actor,
                action=MEMBERSHIP_GRANTED,
                target=membership,
                payload={"user": f"user:{user.pk}", "role": str(role)},
            )
    forget_roles(user)
    return membership


def membership_grant(
    *, granted_by: User | AnonymousUser | None, jurisdiction: Jurisdiction, user: User, role: str
) -> Membership:
    """Give `user` a role in `jurisdiction` at once.

    The operator (`granted_by` None: the command line, the demo loader) may give any role; a
    technical administrator only a role without a say in content (resident, administrator).

    Raises:
        PermissionRefusedError: the role needs a community role's approval
            (`membership_request`), or the person may not manage memberships.
    """
    actor = _granting_actor(granted_by, jurisdiction)
    chosen = _valid_role(role)
    if granted_by is not None and needs_community_approval(chosen):
        raise PermissionRefusedError(
            _(
                "A facilitator or council member of this jurisdiction must approve the role "
                "“%(role)s”: request it instead."
            )
            % {"role": chosen.label}
        )
    return _grant(actor=actor, jurisdiction=jurisdiction, user=user, role=chosen)


def membership_grant_by_operator(
    *, jurisdiction: Jurisdiction, user: User, role: str
) -> Membership:
    """The operator's grant from the command line: any role while the jurisdiction has no
    facilitator or council member yet (someone must be first), afterwards only technical roles;
    other roles are then requested on the members page and approved there.

    Raises:
        InvalidTransitionError: the role needs approval and the jurisdiction has approvers.
    """
    chosen = _valid_role(role)
    approvers = Membership.objects.filter(
        jurisdiction=jurisdiction, role__in=roles_allowed(Action.APPROVE_MEMBERSHIPS)
    )
    if needs_community_approval(chosen) and approvers.exists():
        raise InvalidTransitionError(
            _(
                "%(jurisdiction)s has facilitators or council members: request the role on its "
                "members page, where one of them approves it."
            )
            % {"jurisdiction": jurisdiction.name}
        )
    return membership_grant(granted_by=None, jurisdiction=jurisdiction, user=user, role=chosen)


def membership_request(
    *, requested_by: User | AnonymousUser, jurisdiction: Jurisdiction, user: User, role: str
) -> MembershipRequest:
    """Ask to give `user` a role that needs a community role's approval; it waits until a
    facilitator or council member approves or refuses it.

    Raises:
        InvalidInputError: the person holds the role already, or it is already waiting.
        PermissionRefusedError: the person asking may not manage memberships.
    """
    actor = _granting_actor(requested_by, jurisdiction)
    chosen = _valid_role(role)
    if Membership.objects.filter(user=user, jurisdiction=jurisdiction, role=chosen).exists():
        raise InvalidInputError(
            _("%(name)s already holds this role.") % {"name": user.get_username()}
        )
    if MembershipRequest.objects.filter(
        user=user, jurisdiction=jurisdiction, role=chosen, state=RequestState.PENDING
    ).exists():
        raise InvalidInputError(_("This role is already waiting for approval."))
    with transaction.atomic():
        request = MembershipRequest.objects.create(
            jurisdiction=jurisdiction, user=user, role=chosen, requested_by=_account(requested_by)
        )
        audit_event_record(
            jurisdiction=jurisdiction,
            actor=actor,
            action=MEMBERSHIP_REQUESTED,
            target=request,
            payload={"user": f"user:{user.pk}", "role": str(chosen)},
        )
    return request


def _decide(
    *, decided_by: User | AnonymousUser, request: MembershipRequest, to_state: RequestState
) -> tuple[MembershipRequest, Actor]:
    """Record the decision on a waiting request; return it locked, with the deciding actor."""
    role = require(decided_by, Action.APPROVE_MEMBERSHIPS, request.jurisdiction)
    locked = MembershipRequest.objects.select_for_update().get(pk=request.pk)
    if locked.state != RequestState.PENDING:
        raise InvalidTransitionError(_("This request has been decided already."))
    if decided_by.pk in {locked.requested_by_id, locked.user_id}:
        raise PermissionRefusedError(
            _("Someone other than the person who asked and the person named must decide.")
        )
    locked.state, locked.decided_at = to_state, timezone.now()
    locked.decided_by = _account(decided_by)
    locked.save(update_fields=["state", "decided_by", "decided_at"])
    actor = Actor.for_user(decided_by, role)
    audit_event_record(
        jurisdiction=locked.jurisdiction,
        actor=actor,
        action=MEMBERSHIP_DECIDED[to_state],
        target=locked,
        payload={
            "user": f"user:{locked.user_id}",
            "role": locked.role,
            "requested_by": f"user:{locked.requested_by_id}",
        },
    )
    return locked, actor


def membership_request_approve(
    *, approved_by: User | AnonymousUser, request: MembershipRequest
) -> Membership:
    """Approve a waiting role request (a facilitator or council member who neither asked nor is
    named); the role is given at once.

    Raises:
        PermissionRefusedError: the person holds no community role here, or asked or is named.
        InvalidTransitionError: the request was decided already.
    """
    with transaction.atomic():
        decided, actor = _decide(
            decided_by=approved_by, request=request, to_state=RequestState.APPROVED
        )
        return _grant(
            actor=actor,
            jurisdiction=decided.jurisdiction,
            user=decided.user,
            role=Role(decided.role),
        )


def membership_request_refuse(
    *, refused_by: User | AnonymousUser, request: MembershipRequest
) -> MembershipRequest:
    """Refuse a waiting role request (same deciders as `membership_request_approve`)."""
    with transaction.atomic():
        decided, _actor = _decide(
            decided_by=refused_by, request=request, to_state=RequestState.REFUSED
        )
    return decided


def membership_revoke(*, revoked_by: User | AnonymousUser | None, membership: Membership) -> None:
    """Take a role away."""
    actor = _granting_actor(revoked_by, membership.jurisdiction)
    with transaction.atomic():
        audit_event_record(
            jurisdiction=membership.jurisdiction,
            actor=actor,
            action=MEMBERSHIP_REVOKED,
            target=membership,
            payload={"user": f"user:{membership.user_id}", "role": membership.role},
        )
        membership.delete()
    forget_roles(membership.user)


def user_create(
    *, username: str, password: str, first_name: str = "", last_name: str = "", email: str = ""
) -> User:
    """Create a login account.

    Raises:
        InvalidInputError: the user name is taken, or a name holds hidden characters.
    """
    username = clean_text(username, label=_("User name"))
    first_name = clean_text(first_name, label=_("First name"))
    last_name = clean_text(last_name, label=_("Last name"))
    if User.objects.filter(username=username).exists():
        raise InvalidInputError(_("The user name “%(name)s” is taken.") % {"name": username})
    return User.objects.create_user(
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
