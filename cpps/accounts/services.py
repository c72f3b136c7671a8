"""Writes for accounts and memberships."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _

from cpps.accounts.models import Membership, Role, User
from cpps.accounts.policy import Action, forget_roles, require
from cpps.audit.services import SYSTEM, Actor, audit_event_record
from cpps.common.errors import InvalidInputError
from cpps.common.text import clean_text
from cpps.jurisdictions.models import Jurisdiction


def _granting_actor(granted_by: User | AnonymousUser | None, jurisdiction: Jurisdiction) -> Actor:
    # None means the operator at the command line, who runs the deployment itself.
    if granted_by is None:
        return SYSTEM
    return Actor.for_user(granted_by, require(granted_by, Action.MANAGE_MEMBERSHIPS, jurisdiction))


def membership_grant(
    *, granted_by: User | AnonymousUser | None, jurisdiction: Jurisdiction, user: User, role: str
) -> Membership:
    """Give `user` a role in `jurisdiction`."""
    actor = _granting_actor(granted_by, jurisdiction)
    if role not in Role.values:
        raise InvalidInputError(_("“%(role)s” is not a role.") % {"role": role})
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, jurisdiction=jurisdiction, role=role
        )
        if created:
            audit_event_record(
                jurisdiction=jurisdiction,
                actor=actor,
                action="membership.granted",
                target=membership,
                payload={"user": f"user:{user.pk}", "role": role},
            )
    forget_roles(user)
    return membership


def membership_revoke(*, revoked_by: User | AnonymousUser | None, membership: Membership) -> None:
    """Take a role away."""
    actor = _granting_actor(revoked_by, membership.jurisdiction)
    with transaction.atomic():
        audit_event_record(
            jurisdiction=membership.jurisdiction,
            actor=actor,
            action="membership.revoked",
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
