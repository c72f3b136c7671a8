"""What the public record says about charters and commitments, and residents' ratings of them
(counted per day, never one by one)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cpps.accountability.models import (
    Charter,
    Commitment,
    CommitmentFlag,
    CommitmentStatus,
    DecisionKey,
    OwnerBody,
    OwnerKind,
    ProgressStatus,
)
from cpps.audit.actions import (
    ActionTopic,
    AuditAction,
    CountSentence,
    ObjectRef,
    RecordedAct,
    Sentence,
    audit_action_register,
    audit_object_register,
    says,
)
from cpps.jurisdictions.models import Jurisdiction

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TOPIC = ActionTopic("commitments", _("Charters and commitments"))

COUNCIL_OUTCOMES: dict[str, StrOrPromise] = {
    "approved": _(
        "The council approved the commitment “%(object)s” (%(approvals)s for, "
        "%(rejections)s against)."
    ),
    "rejected": _(
        "The council rejected the commitment “%(object)s” (%(approvals)s for, "
        "%(rejections)s against)."
    ),
}
OWNER_RESPONSES: dict[str, StrOrPromise] = {
    "accepted": _("“%(owner)s” accepted the commitment “%(object)s”."),
    "declined": _("“%(owner)s” declined the commitment “%(object)s”."),
    "changes_requested": _("“%(owner)s” asked for changes to the commitment “%(object)s”."),
}
FLAGS: dict[str, StrOrPromise] = {
    CommitmentFlag.OVERDUE: _("The commitment “%(object)s” missed its deadline (%(due_on)s)."),
    CommitmentFlag.SILENT: _(
        "The commitment “%(object)s” has had no progress update for too long."
    ),
}


def _from_table(table: Mapping[str, StrOrPromise], key: str) -> Sentence:
    def sentence(act: RecordedAct) -> str:
        return str(table[act.payload[key]]) % act.fields()

    return sentence


def _owner_body(act: RecordedAct) -> str:
    return str(
        _("“%(name)s” (%(kind)s) was added as a body that can own commitments.")
        % {"name": act.payload["name"], "kind": OwnerKind(act.payload["kind"]).label}
    )


def _charter_signed(act: RecordedAct) -> str:
    side = (
        _("the community council")
        if act.payload["side"] == DecisionKey.COUNCIL
        else act.payload["for"]
    )
    return str(
        _("Version %(version)s of the charter was signed for %(side)s.")
        % {"version": act.payload["version"], "side": side}
    )


def _council_vote(act: RecordedAct) -> str:
    if act.payload["approve"]:
        text = _("A council member voted to approve the commitment “%(object)s”.")
    else:
        text = _("A council member voted against the commitment “%(object)s”.")
    return str(text) % act.fields()


def _status_changed(act: RecordedAct) -> str:
    return str(
        _("The commitment “%(object)s” is now: %(status)s.")
        % {"object": act.object_label, "status": CommitmentStatus(act.payload["to"]).label}
    )


def _progress(act: RecordedAct) -> str:
    return str(
        _("A progress update on the commitment “%(object)s” was posted: %(status)s.")
        % {"object": act.object_label, "status": ProgressStatus(act.payload["status"]).label}
    )


def _change_proposed(act: RecordedAct) -> str:
    if act.payload["side"] == DecisionKey.COUNCIL:
        text = _("The council proposed a change to the commitment “%(object)s”.")
    else:
        text = _("The owner proposed a change to the commitment “%(object)s”.")
    return str(text) % act.fields()


def _rated(count: int) -> str:
    return ngettext(
        "%(count)s resident rated commitments.", "%(count)s residents rated commitments.", count
    ) % {"count": count}


def _action(
    name: str, label: StrOrPromise, sentence: Sentence, counted: CountSentence | None = None
) -> str:
    return audit_action_register(AuditAction(name, TOPIC, label, sentence, counted=counted))


OWNER_BODY_CREATED = _action("owner_body.created", _("Owning body added"), _owner_body)
CHARTER_DRAFTED = _action(
    "charter.drafted",
    _("Charter drafted"),
    says(
        _(
            "Version %(version)s of the charter was drafted: %(quorum)s council members make a "
            "quorum and %(majority_percent)s%% of them a majority."
        )
    ),
)
CHARTER_SIGNED = _action("charter.signed", _("Charter signed"), _charter_signed)
CHARTER_IN_EFFECT = _action(
    "charter.in_effect",
    _("Charter in effect"),
    says(_("Version %(version)s of the charter took effect: both sides have signed it.")),
)
COMMITMENT_DRAFTED = _action(
    "commitment.drafted",
    _("Commitment drafted"),
    says(_("The commitment “%(title)s” was drafted, owned by “%(owner)s”, due %(due_on)s.")),
)
COMMITMENT_REVISED = _action(
    "commitment.revised",
    _("Commitment revised"),
    says(_("The commitment “%(title)s” was revised (version %(version)s).")),
)
COMMITMENT_COUNCIL_VOTE = _action(
    "commitment.council_vote", _("Council member's vote"), _council_vote
)
COMMITMENT_COUNCIL_DECIDED = _action(
    "commitment.council_decided",
    _("Council's decision"),
    _from_table(COUNCIL_OUTCOMES, "outcome"),
)
COMMITMENT_STATUS_CHANGED = _action(
    "commitment.status_changed", _("Commitment's status changed"), _status_changed
)
COMMITMENT_OWNER_RESPONDED = _action(
    "commitment.owner_responded",
    _("Owner's answer"),
    _from_table(OWNER_RESPONSES, "response"),
)
COMMITMENT_WITHDRAWN = _action(
    "commitment.withdrawn",
    _("Commitment withdrawn"),
    says(_("The council withdrew the commitment “%(object)s”.")),
)
COMMITMENT_CHANGE_PROPOSED = _action(
    "commitment.change_proposed", _("Change proposed"), _change_proposed
)
COMMITMENT_PROGRESS_POSTED = _action(
    "commitment.progress_posted", _("Progress update posted"), _progress
)
COMMITMENT_FLAGGED = _action(
    "commitment.flagged", _("Commitment flagged"), _from_table(FLAGS, "flag")
)
COMMITMENT_FLAG_CLEARED = _action(
    "commitment.flag_cleared",
    _("Flag cleared"),
    says(_("The commitment “%(object)s” is no longer flagged.")),
)
COMMITMENT_RATED = audit_action_register(
    AuditAction(
        "commitment.rated",
        TOPIC,
        _("Residents' ratings"),
        says(_("A resident rated the commitment “%(object)s”.")),
        counted=_rated,
        process_from="scorecard",
    )
)


def _commitments(jurisdiction: Jurisdiction, ids: Sequence[str]) -> Mapping[str, ObjectRef]:
    numbers = [int(pk) for pk in ids if pk.isdigit()]
    found = Commitment.objects.filter(jurisdiction=jurisdiction, pk__in=numbers).only("pk", "title")
    return {
        str(c.pk): ObjectRef(
            c.title, reverse("accountability:commitment", args=[jurisdiction.slug, c.pk])
        )
        for c in found
    }


def _charters(jurisdiction: Jurisdiction, ids: Sequence[str]) -> Mapping[str, ObjectRef]:
    numbers = [int(pk) for pk in ids if pk.isdigit()]
    url = reverse("accountability:charter", args=[jurisdiction.slug])
    found = Charter.objects.filter(jurisdiction=jurisdiction, pk__in=numbers).only("pk", "version")
    return {
        str(charter.pk): ObjectRef(
            str(_("Charter, version %(version)s") % {"version": charter.version}), url
        )
        for charter in found
    }


def _owner_bodies(jurisdiction: Jurisdiction, ids: Sequence[str]) -> Mapping[str, ObjectRef]:
    numbers = [int(pk) for pk in ids if pk.isdigit()]
    found = OwnerBody.objects.filter(jurisdiction=jurisdiction, pk__in=numbers).only("pk", "name")
    return {str(body.pk): ObjectRef(body.name) for body in found}


audit_object_register("commitment", _commitments)
audit_object_register("charter", _charters)
audit_object_register("ownerbody", _owner_bodies)
