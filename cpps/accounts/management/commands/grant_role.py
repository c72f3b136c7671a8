"""cpps grant-role JURISDICTION USERNAME ROLE: the operator gives a role from the command line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cpps.accounts.models import Role, User
from cpps.accounts.services import membership_grant_by_operator
from cpps.common.errors import DomainError
from cpps.jurisdictions.models import Jurisdiction


class Command(BaseCommand):
    help = (
        "Give an account a role in a jurisdiction, as the operator. A role with a say in content "
        "(facilitator, council member, ...) only while the jurisdiction has no facilitator or "
        "council member yet; after that such roles are requested and approved on its members page."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("jurisdiction", help="the jurisdiction's short name (slug)")
        parser.add_argument("username", help="the account's user name")
        parser.add_argument("role", choices=Role.values)

    def handle(self, *args: Any, **options: Any) -> None:
        jurisdiction = Jurisdiction.objects.filter(slug=options["jurisdiction"]).first()
        if jurisdiction is None:
            raise CommandError(f"No jurisdiction '{options['jurisdiction']}'.")
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No account with the user name '{options['username']}'.")
        try:
            membership = membership_grant_by_operator(
                jurisdiction=jurisdiction, user=user, role=options["role"]
            )
        except DomainError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{user.get_username()} is {membership.get_role_display()} in {jurisdiction.name}."
        )
