"""Channel identities: what a person presents to take part, before it becomes a pseudonym.

The value never reaches the database: `pseudonym_for` turns it into the keyed pseudonym of one
process, and only that is stored. The kind is part of the pseudonym, so a link token and a phone
number that happened to share characters could never collide.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cpps.participation.models import Channel


class IdentityKind(StrEnum):
    # The values enter every pseudonym; changing one would orphan participants already stored.
    LINK = "link"
    WEB_SESSION = "web-session"
    API_CLIENT = "client"
    PHONE = "phone"
    PAPER_FORM = "paper"
    CREDENTIAL = "credential"
    INVITATION_CODE = "panel-invitation"
    # A participant of a conversation imported from another tool (a Polis export's voter id).
    IMPORTED = "imported"


@dataclass(frozen=True)
class Identity:
    """One way of being recognised in one process, through one channel."""

    kind: IdentityKind
    value: str
    channel: str

    @classmethod
    def link(cls, secret: str) -> Identity:
        return cls(IdentityKind.LINK, secret, Channel.WEB)

    @classmethod
    def web_session(cls, secret: str) -> Identity:
        return cls(IdentityKind.WEB_SESSION, secret, Channel.WEB)

    @classmethod
    def api_client(cls, client_id: str) -> Identity:
        return cls(IdentityKind.API_CLIENT, client_id, Channel.WEB)

    @classmethod
    def phone(cls, normalised_number: str, channel: str) -> Identity:
        """A phone number (already normalised) texting or calling in."""
        return cls(IdentityKind.PHONE, normalised_number, channel)

    @classmethod
    def paper_form(cls, form_code: str) -> Identity:
        return cls(IdentityKind.PAPER_FORM, form_code, Channel.PAPER)

    @classmethod
    def credential(cls, credential_digest: str, channel: str) -> Identity:
        """A proven credential (mailed code's address, verified phone, in-person check)."""
        return cls(IdentityKind.CREDENTIAL, credential_digest, channel)

    @classmethod
    def invitation_code(cls, code: str, channel: str) -> Identity:
        """The code on a civic lottery letter (one household, one registrant)."""
        return cls(IdentityKind.INVITATION_CODE, code, channel)
