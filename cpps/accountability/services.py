"""Writes for the partnership charter, commitments under the two-key rule, progress and ratings.

Every function checks the permission policy, validates, writes and records the audit event in one
transaction. The two-key rule itself lives in `cpps.engines.accountability`; these services only
decide which side the acting person may speak for, then ask the engine for the next state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpps.accountability.audit_actions import (
    CHARTER_DRAFTED,
    CHARTER_IN_EFFECT,
    CHARTER_SIGNED,
    COMMITMENT_CHANGE_PROPOSED,
    COMMITMENT_COUNCIL_DECIDED,
    COMMITMENT_COUNCIL_VOTE,
    COMMITMENT_DRAFTED,
    COMMITMENT_FLAG_CLEARED,
    COMMITMENT_FLAGGED,
    COMMITMENT_OWNER_RESPONDED,
    COMMITMENT_PROGRESS_POSTED,
    COMMITMENT_RATED,
    COMMITMENT_REVISED,
    COMMITMENT_STATUS_CHANGED,
    COMMITMENT_WITHDRAWN,
    OWNER_BODY_CREATED,
)
from cpps.accountability.models import (
    SCORECARD_KIND,
    ChangeProposal,
    Charter,
    Commitment,
    CommitmentDecision,
    CommitmentFlag,
    CommitmentStatus,
    CouncilNotice,
    CouncilVote,
    DecisionKey,
    OwnerBody,
    OwnerKind,
    ProgressStatus,
    ProgressUpdate,
    Rating,
    RatingValue,
)
from cpps.accounts.models import User
from cpps.accounts.policy import Action, acting_role, require
from cpps.audit.services import SYSTEM, Actor, audit_event_record
from cpps.common.errors import InvalidInputError, InvalidTransitionError, PermissionRefusedError
from cpps.common.text import clean_text
from cpps.engines import accountability as engine
from cpps.jurisdictions.models import Area, Jurisdiction
from cpps.participation.models import Participant
from cpps.priorities.selectors import approved_ideas
from cpps.processes.models import ProcessState

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.priorities.models import Idea


def _account(user: User | AnonymousUser) -> User:
    """The signed-in account behind a permitted action (the policy already refused anonymity)."""
    if not isinstance(user, User):
        raise PermissionRefusedError(_("Sign in first."))
    return user


# ---------------------------------------------------------------- charter


def owner_body_create(
    *,
    user: User | AnonymousUser,
    jurisdiction: Jurisdiction,
    name: str,
    kind: str,
    representatives: Sequence[User],
) -> OwnerBody:
    """Add a body that commitments can name as owner (community roles, while drafting)."""
    role = require(user, Action.DRAFT_CHARTER, jurisdiction)
    name = clean_text(name, label=_("Name of the body"))
    if not name:
        raise InvalidInputError(_("Give the body a name."))
    if kind not in OwnerKind.values:
        raise InvalidInputError(_("Choose what kind of body this is."))
    if OwnerBody.objects.filter(jurisdiction=jurisdiction, name=name).exists():
        raise InvalidInputError(_("A body with this name already exists."))
    if not representatives:
        raise InvalidInputError(_("Name at least one representative who will answer for it."))
    for person in representatives:
        if acting_role(person, Action.RESPOND_AS_OWNER, jurisdiction) is None:
            raise InvalidInputError(
                _("%(name)s holds no official role in this jurisdiction.")
                % {"name": person.get_username()}
            )
    with transaction.atomic():
        body = OwnerBody.objects.create(jurisdiction=jurisdiction, name=name, kind=kind)
        body.representatives.set(representatives)
        audit_event_record(
            jurisdiction=jurisdiction,
            actor=Actor.for_user(user, role),
            action=OWNER_BODY_CREATED,
            target=body,
            payload={
                "name": body.name,
                "kind": kind,
                "representatives": sorted(f"user:{p.pk}" for p in representatives),
            },
        )
    return body


def charter_draft(
    *,
    user: User | AnonymousUser,
    jurisdiction: Jurisdiction,
    text: str,
    council_members: Sequence[User],
    quorum: int,
    majority_percent: int,
    owner_bodies: Sequence[OwnerBody],
    review_period_days: int,
    silence_days: int,
) -> Charter:
    """Draft the next charter version; it takes effect only when both sides have signed it."""
    role = require(user, Action.DRAFT_CHARTER, jurisdiction)
    if not text.strip():
        raise InvalidInputError(_("Write what the partnership agrees to."))
    if not council_members:
        raise InvalidInputError(_("Name the members of the community council."))
    for member in council_members:
        if acting_role(member, Action.DECIDE_COMMITMENTS, jurisdiction) is None:
            raise InvalidInputError(
                _("%(name)s is not a community council member in this jurisdiction.")
                % {"name": member.get_username()}
            )
    try:
        engine.DecisionRule(
            council_size=len(council_members), quorum=quorum, majority_percent=majority_percent
        )
    except engine.TransitionRefusedError as error:
        raise InvalidInputError(str(error)) from error
    if not owner_bodies:
        raise InvalidInputError(_("Name at least one body that can own commitments."))
    if any(body.jurisdiction_id != jurisdiction.pk for body in owner_bodies):
        raise InvalidInputError(_("Every owner must belong to this jurisdiction."))
    if review_period_days < 1 or silence_days < 1:
        raise InvalidInputError(_("Review period and silence limit must be at least one day."))
    with transaction.atomic():
        latest = (
            Charter.objects.select_for_update()
            .filter(jurisdiction=jurisdiction)
            .order_by("-version")
            .first()
        )
        charter = Charter.objects.create(
            jurisdiction=jurisdiction,
            version=(latest.version + 1) if latest else 1,
            text=text.strip(),
            quorum=quorum,
            majority_percent=majority_percent,
            review_period_days=review_period_days,
            silence_days=silence_days,
            drafted_by=user if user.is_authenticated else None,
        )
        charter.council_members.set(council_members)
        charter.owner_bodies.set(owner_bodies)
        audit_event_record(
            jurisdiction=jurisdiction,
            actor=Actor.for_user(user, role),
            action=CHARTER_DRAFTED,
            target=charter,
            payload={
                "version": charter.version,
                "council_members": sorted(f"user:{m.pk}" for m in council_members),
                "quorum": quorum,
                "majority_percent": majority_percent,
                "owner_bodies": sorted(body.name for body in owner_bodies),
                "review_period_days": review_period_days,
                "silence_days": silence_days,
            },
        )
    return charter


def _institution_body(user: User | AnonymousUser, charter: Charter) -> OwnerBody | None:
    if not user.is_authenticated:
        return None
    return (
        charter.owner_bodies.filter(representatives=_account(user)).order_by("kind", "name").first()
    )


def charter_sign(*, user: User | AnonymousUser, charter: Charter, side: str) -> Charter:
    """Sign a charter version for the community (a council member named in it) or for the
    institutions (a representative of one of its owner bodies)."""
    jurisdiction = charter.jurisdiction
    with transaction.atomic():
        charter = Charter.objects.select_for_update().get(pk=charter.pk)
        newer = Charter.objects.filter(
            jurisdiction=jurisdiction, version__gt=charter.version, in_effect_from__isnull=False
        )
        if newer.exists():
            raise InvalidTransitionError(_("A newer version of the charter is already in effect."))
        if side == DecisionKey.COUNCIL:
            role = require(user, Action.SIGN_FOR_COMMUNITY, jurisdiction)
            if not charter.council_members.filter(pk=_account(user).pk).exists():
                raise PermissionRefusedError(
                    _("Only a council member named in this version signs for the community.")
                )
            if charter.community_signed_at:
                raise InvalidTransitionError(_("The community has already signed this version."))
            charter.community_signed_by = _account(user)
            charter.community_signed_at = timezone.now()
            body = None
        elif side == DecisionKey.OWNER:
            role = require(user, Action.RESPOND_AS_OWNER, jurisdiction)
            body = _institution_body(user, charter)
            if body is None:
                raise PermissionRefusedError(
                    _("Only a representative of a body named in this version signs for it.")
                )
            if charter.institution_signed_at:
                raise InvalidTransitionError(
                    _("The institutions have already signed this version.")
                )
            charter.institution_signed_by = _account(user)
            charter.institution_signed_for = body
            charter.institution_signed_at = timezone.now()
        else:
            raise InvalidInputError(_("Sign for the community or for the institutions."))
        actor = Actor.for_user(user, role)
        audit_event_record(
            jurisdiction=jurisdiction,
            actor=actor,
            action=CHARTER_SIGNED,
            target=charter,
            payload={
                "version": charter.version,
                "side": side,
                "for": body.name if body else "community council",
            },
        )
        if charter.community_signed_at and charter.institution_signed_at:
            charter.in_effect_from = timezone.now()
            audit_event_record(
                jurisdiction=jurisdiction,
                actor=actor,
                action=CHARTER_IN_EFFECT,
                target=charter,
                payload={"version": charter.version},
            )
        charter.save()
    return charter


def charter_in_effect(*, jurisdiction: Jurisdiction) -> Charter | None:
    """The latest version both sides have signed, or None."""
    return (
        Charter.objects.filter(jurisdiction=jurisdiction, in_effect_from__isnull=False)
        .order_by("-version")
        .first()
    )


def _require_charter(jurisdiction: Jurisdiction) -> Charter:
    charter = charter_in_effect(jurisdiction=jurisdiction)
    if charter is None:
        raise InvalidTransitionError(
            _("No charter is in effect yet: both sides must sign one before commitments are made.")
        )
    return charter


# ---------------------------------------------------------------- commitments


def _council_side(user: User | AnonymousUser, jurisdiction: Jurisdiction) -> tuple[str, Charter]:
    """Return the acting role if `user` speaks for the council under the charter in effect."""
    role = require(user, Action.DECIDE_COMMITMENTS, jurisdiction)
    charter = _require_charter(jurisdiction)
    if not charter.council_members.filter(pk=_account(user).pk).exists():
        raise PermissionRefusedError(
            _("Only members of the community council named in the charter can do this.")
        )
    return role, charter


def _owner_side(user: User | AnonymousUser, commitment: Commitment, action: Action) -> str:
    role = require(user, action, commitment.jurisdiction)
    if not commitment.owner.representatives.filter(pk=_account(user).pk).exists():
        raise PermissionRefusedError(
            _("Only a representative of %(owner)s can answer for this commitment.")
            % {"owner": commitment.owner.name}
        )
    return role


def _state(commitment: Commitment) -> engine.CommitmentState:
    votes = CouncilVote.objects.filter(commitment=commitment, version=commitment.version)
    return engine.CommitmentState(
        version=commitment.version,
        approvals=frozenset(str(v.member_id) for v in votes if v.approve),
        rejections=frozenset(str(v.member_id) for v in votes if not v.approve),
        council=engine.CouncilDecision(commitment.council_decision),
        owner=engine.OwnerResponse(commitment.owner_response),
        withdrawn=commitment.withdrawn,
    )


def _rule(charter: Charter) -> engine.DecisionRule:
    return engine.DecisionRule(
        council_size=charter.council_members.count(),
        quorum=charter.quorum,
        majority_percent=charter.majority_percent,
    )


def _apply(commitment: Commitment, state: engine.CommitmentState) -> None:
    """Store the engine's state on the commitment (the only place status is written)."""
    was_agreed = commitment.status == CommitmentStatus.AGREED
    commitment.version = state.version
    commitment.council_decision = state.council.value
    commitment.owner_response = state.owner.value
    commitment.withdrawn = state.withdrawn
    commitment.status = state.status.value
    if state.status is engine.CommitmentStatus.AGREED and not was_agreed:
        commitment.agreed_at = timezone.now()
    if state.status is not engine.CommitmentStatus.AGREED:
        commitment.agreed_at = None
        commitment.flag = CommitmentFlag.NONE
    commitment.save()


def _locked(commitment: Commitment) -> Commitment:
    return (
        Commitment.objects.select_for_update()
        .select_related("owner", "jurisdiction")
        .get(pk=commitment.pk)
    )


def _refused(error: engine.TransitionRefusedError) -> InvalidTransitionError:
    return InvalidTransitionError(str(error))


@dataclass(frozen=True)
class CommitmentTerms:
    """What a commitment promises: the part the council drafts and revises."""

    title: str
    action: str
    owner: OwnerBody
    due_on: date | None
    metric: str
    baseline: str
    target: str
    area_codes: Sequence[str] = ()
    priority: Idea | None = None  # a priority the commitment answers (see approved_ideas)


def _validated_terms(
    *, jurisdiction: Jurisdiction, charter: Charter, terms: CommitmentTerms
) -> list[Area]:
    if not terms.title.strip() or not terms.action.strip():
        raise InvalidInputError(_("Say in a title and a sentence what will be done."))
    if not charter.owner_bodies.filter(pk=terms.owner.pk).exists():
        raise InvalidInputError(
            _("%(owner)s is not named in the charter as a body that can own commitments.")
            % {"owner": terms.owner.name}
        )
    if terms.due_on is None:
        raise InvalidInputError(_("Give the date by which it will be done."))
    if not (terms.metric.strip() and terms.baseline.strip() and terms.target.strip()):
        raise InvalidInputError(_("Say how it will be measured: metric, baseline and target."))
    priority = terms.priority
    if (
        priority is not None
        and not approved_ideas(jurisdiction=jurisdiction).filter(pk=priority.pk).exists()
    ):
        raise InvalidInputError(_("Choose a priority from one of this community's rounds."))
    codes = list(dict.fromkeys(terms.area_codes))
    areas = list(Area.objects.filter(jurisdiction=jurisdiction, code__in=codes))
    if len(areas) != len(codes):
        raise InvalidInputError(_("Choose areas of this jurisdiction."))
    return areas


def _apply_terms(commitment: Commitment, terms: CommitmentTerms) -> None:
    commitment.title, commitment.action = terms.title.strip(), terms.action.strip()
    commitment.owner, commitment.priority = terms.owner, terms.priority
    commitment.metric, commitment.baseline = terms.metric.strip(), terms.baseline.strip()
    commitment.target = terms.target.strip()
    if terms.due_on is not None:
        commitment.due_on = terms.due_on


def _terms_payload(commitment: Commitment, areas: Sequence[Area]) -> dict[str, Any]:
    return {
        "version": commitment.version,
        "title": commitment.title,
        "action": commitment.action,
        "owner": commitment.owner.name,
        "areas": sorted(area.code for area in areas),
        "due_on": commitment.due_on.isoformat(),
        "metric": commitment.metric,
        "baseline": commitment.baseline,
        "target": commitment.target,
        "priority": commitment.priority_id,
    }


def commitment_draft(
    *, user: User | AnonymousUser, jurisdiction: Jurisdiction, terms: CommitmentTerms
) -> Commitment:
    """Draft a commitment answering a priority (council members named in the charter only)."""
    role, charter = _council_side(user, jurisdiction)
    areas = _validated_terms(jurisdiction=jurisdiction, charter=charter, terms=terms)
    with transaction.atomic():
        commitment = Commitment(
            jurisdiction=jurisdiction,
            charter=charter,
            drafted_by=user if user.is_authenticated else None,
        )
        _apply_terms(commitment, terms)
        commitment.save()
        commitment.areas.set(areas)
        audit_event_record(
            jurisdiction=jurisdiction,
            actor=Actor.for_user(user, role),
            action=COMMITMENT_DRAFTED,
            target=commitment,
            payload=_terms_payload(commitment, areas),
        )
    return commitment


def commitment_revise(
    *, user: User | AnonymousUser, commitment: Commitment, terms: CommitmentTerms
) -> Commitment:
    """Change a commitment's terms (council only): a new version that needs both keys again."""
    jurisdiction = commitment.jurisdiction
    role, charter = _council_side(user, jurisdiction)
    areas = _validated_terms(jurisdiction=jurisdiction, charter=charter, terms=terms)
    with transaction.atomic():
        commitment = _locked(commitment)
        try:
            state = engine.revise(_state(commitment), side=engine.Side.COUNCIL)
        except engine.TransitionRefusedError as error:
            raise _refused(error) from error
        _apply_terms(commitment, terms)
        _apply(commitment, state)
        commitment.areas.set(areas)
        audit_event_record(
            jurisdiction=jurisdiction,
            actor=Actor.for_user(user, role),
            action=COMMITMENT_REVISED,
            target=commitment,
            payload=_terms_payload(commitment, areas),
        )
    return commitment


def commitment_vote(
    *, user: User | AnonymousUser, commitment: Commitment, approve: bool
) -> Commitment:
    """Cast a council member's vote on the current version; the charter's rule decides."""
    jurisdiction = commitment.jurisdiction
    role, charter = _council_side(user, jurisdiction)
    with transaction.atomic():
        commitment = _locked(commitment)
        try:
            state = engine.council_vote(
                _state(commitment),
                side=engine.Side.COUNCIL,
                member=str(user.pk),
                approve=approve,
                rule=_rule(charter),
            )
        except engine.TransitionRefusedError as error:
            raise _refused(error) from error
        CouncilVote.objects.create(
            commitment=commitment,
            version=commitment.version,
            member=_account(user),
            approve=approve,
        )
        actor = Actor.for_user(user, role)
        audit_event_record(
            jurisdiction=jurisdiction,
            actor=actor,
            action=COMMITMENT_COUNCIL_VOTE,
            target=commitment,
            payload={"version": commitment.version, "approve": approve},
        )
        if state.council is not engine.CouncilDecision.PENDING:
            CommitmentDecision.objects.create(
                commitment=commitment,
                version=commitment.version,
                key=DecisionKey.COUNCIL,
                outcome=state.council.value,
            )
            audit_event_record(
                jurisdiction=jurisdiction,
                actor=actor,
                action=COMMITMENT_COUNCIL_DECIDED,
                target=commitment,
                payload={
                    "version": commitment.version,
                    "outcome": state.council.value,
                    "approvals": len(state.approvals),
                    "rejections": len(state.rejections),
                    "rule": {
                        "quorum": charter.quorum,
                        "majority_percent": charter.majority_percent,
                    },
                },
            )
        _record_status(commitment, state, actor)
    return commitment


def _record_status(commitment: Commitment, state: engine.CommitmentState, actor: Actor) -> None:
    previous = commitment.status
    _apply(commitment, state)
    if previous != commitment.status:
        audit_event_record(
            jurisdiction=commitment.jurisdiction,
            actor=actor,
            action=COMMITMENT_STATUS_CHANGED,
            target=commitment,
            payload={"version": commitment.version, "from": previous, "to": commitment.status},
        )


def commitment_respond(
    *, user: User | AnonymousUser, commitment: Commitment, response: str, reason: str = ""
) -> Commitment:
    """The owner's answer to the current version: accept, decline or ask for changes (with a
    public reason unless accepting)."""
    role = _owner_side(user, commitment, Action.RESPOND_AS_OWNER)
    if response not in {r.value for r in engine.OwnerResponse} - {"pending"}:
        raise InvalidInputError(_("Accept, decline or propose changes."))
    with transaction.atomic():
        commitment = _locked(commitment)
        try:
            state = engine.owner_respond(
                _state(commitment),
                side=engine.Side.OWNER,
                response=engine.OwnerResponse(response),
                reason=reason,
            )
        except engine.TransitionRefusedError as error:
            raise _refused(error) from error
        CommitmentDecision.objects.create(
            commitment=commitment,
            version=commitment.version,
            key=DecisionKey.OWNER,
            outcome=response,
            reason=reason.strip(),
            decided_by=_account(user),
        )
        actor = Actor.for_user(user, role)
        audit_event_record(
            jurisdiction=commitment.jurisdiction,
            actor=actor,
            action=COMMITMENT_OWNER_RESPONDED,
            target=commitment,
            payload={
                "version": commitment.version,
                "owner": commitment.owner.name,
                "response": response,
                "reason": reason.strip(),
            },
        )
        _record_status(commitment, state, actor)
    return commitment


def commitment_withdraw(
    *, user: User | AnonymousUser, commitment: Commitment, reason: str
) -> Commitment:
    """Withdraw a commitment for good (council only, with a public reason)."""
    role, _charter = _council_side(user, commitment.jurisdiction)
    if not reason.strip():
        raise InvalidInputError(_("Give the public reason for withdrawing it."))
    with transaction.atomic():
        commitment = _locked(commitment)
        try:
            state = engine.withdraw(_state(commitment), side=engine.Side.COUNCIL)
        except engine.TransitionRefusedError as error:
            raise _refused(error) from error
        actor = Actor.for_user(user, role)
        audit_event_record(
            jurisdiction=commitment.jurisdiction,
            actor=actor,
            action=COMMITMENT_WITHDRAWN,
            target=commitment,
            payload={"version": commitment.version, "reason": reason.strip()},
        )
        _record_status(commitment, state, actor)
    return commitment


def commitment_change_propose(
    *, user: User | AnonymousUser, commitment: Commitment, text: str
) -> ChangeProposal:
    """Propose a change in public, from either side; only the council can then revise."""
    if not text.strip():
        raise InvalidInputError(_("Describe the change you propose."))
    if commitment.withdrawn:
        raise InvalidTransitionError(_("This commitment was withdrawn; nothing more can change."))
    jurisdiction = commitment.jurisdiction
    if acting_role(user, Action.DECIDE_COMMITMENTS, jurisdiction) is not None:
        role, _charter = _council_side(user, jurisdiction)
        side = DecisionKey.COUNCIL
    else:
        role = _owner_side(user, commitment, Action.RESPOND_AS_OWNER)
        side = DecisionKey.OWNER
    with transaction.atomic():
        proposal = ChangeProposal.objects.create(
            commitment=commitment, side=side, text=text.strip(), proposed_by=_account(user)
        )
        audit_event_record(
            jurisdiction=jurisdiction,
            actor=Actor.for_user(user, role),
            action=COMMITMENT_CHANGE_PROPOSED,
            target=commitment,
            payload={"version": commitment.version, "side": side, "text": proposal.text},
        )
    return proposal


# ---------------------------------------------------------------- progress


def progress_update_post(
    *,
    user: User | AnonymousUser,
    commitment: Commitment,
    status: str,
    narrative: str,
    metric_value: str = "",
    evidence_url: str = "",
) -> ProgressUpdate:
    """The owner reports progress on an agreed commitment; it clears a flag for silence."""
    role = _owner_side(user, commitment, Action.POST_PROGRESS)
    if status not in ProgressStatus.values:
        raise InvalidInputError(_("Choose how the work stands."))
    if not narrative.strip():
        raise InvalidInputError(_("Say in a few sentences what has been done."))
    if evidence_url and not evidence_url.startswith(("https://", "http://")):
        raise InvalidInputError(_("Evidence must be a web address starting with https://."))
    with transaction.atomic():
        commitment = _locked(commitment)
        if commitment.status != CommitmentStatus.AGREED:
            raise InvalidTransitionError(_("Progress is reported only on agreed commitments."))
        update = ProgressUpdate.objects.create(
            commitment=commitment,
            status=status,
            narrative=narrative.strip(),
            metric_value=metric_value.strip(),
            evidence_url=evidence_url.strip(),
            posted_by=_account(user),
        )
        audit_event_record(
            jurisdiction=commitment.jurisdiction,
            actor=Actor.for_user(user, role),
            action=COMMITMENT_PROGRESS_POSTED,
            target=commitment,
            payload={
                "update": update.pk,
                "status": status,
                "metric_value": update.metric_value,
                "evidence_url": update.evidence_url,
            },
        )
        if commitment.flag == CommitmentFlag.SILENT:
            Commitment.objects.filter(pk=commitment.pk).update(flag=CommitmentFlag.NONE)
            commitment.flag = CommitmentFlag.NONE
    return update


def _flag_for(commitment: Commitment, *, today: date, now: datetime) -> str:
    latest = commitment.updates.order_by("-posted_at").first()
    if commitment.due_on < today and (latest is None or latest.status != ProgressStatus.DONE):
        return CommitmentFlag.OVERDUE
    last_word = latest.posted_at if latest else commitment.agreed_at
    silence = timedelta(days=commitment.charter.silence_days)
    if last_word is not None and now - last_word > silence:
        return CommitmentFlag.SILENT
    return CommitmentFlag.NONE


def commitments_flag(*, now: datetime | None = None) -> list[Commitment]:
    """Flag agreed commitments whose deadline passed unfinished or whose owner fell silent, and
    notify the council; return the commitments newly flagged. Run periodically."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    flagged: list[Commitment] = []
    agreed = Commitment.objects.filter(status=CommitmentStatus.AGREED).select_related(
        "charter", "jurisdiction"
    )
    for commitment in agreed:
        flag = _flag_for(commitment, today=today, now=now)
        if flag == commitment.flag:
            continue
        with transaction.atomic():
            commitment.flag = flag
            commitment.flagged_at = now if flag else None
            commitment.save(update_fields=["flag", "flagged_at"])
            audit_event_record(
                jurisdiction=commitment.jurisdiction,
                actor=SYSTEM,
                action=COMMITMENT_FLAGGED if flag else COMMITMENT_FLAG_CLEARED,
                target=commitment,
                payload={"flag": flag, "due_on": commitment.due_on.isoformat()},
            )
            if flag:
                CouncilNotice.objects.create(
                    jurisdiction=commitment.jurisdiction, commitment=commitment, kind=flag
                )
                flagged.append(commitment)
    return flagged


# ---------------------------------------------------------------- ratings


def rating_record(
    *, participant: Participant, commitment: Commitment, value: str, comment: str = ""
) -> Rating:
    """A resident's rating of an agreed commitment in an open scorecard; given once, never
    edited or hidden afterwards (no service changes or deletes a rating)."""
    process = participant.process
    if process.kind != SCORECARD_KIND or process.state != ProcessState.OPEN:
        raise InvalidTransitionError(_("This scorecard is not open for ratings right now."))
    if commitment.jurisdiction_id != process.jurisdiction_id or commitment.status not in {
        CommitmentStatus.AGREED
    }:
        raise InvalidInputError(_("Only agreed commitments of this community can be rated."))
    if value not in RatingValue.values:
        raise InvalidInputError(
            _("Choose kept, partly kept, not kept, too early to say or don't know.")
        )
    if Rating.objects.filter(
        process=process, participant=participant, commitment=commitment
    ).exists():
        raise InvalidTransitionError(_("You have already rated this commitment in this period."))
    with transaction.atomic():
        rating = Rating.objects.create(
            process=process,
            participant=participant,
            commitment=commitment,
            value=value,
            comment=comment.strip()[:500],
        )
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=Actor(ref="resident", role="resident"),  # ratings stay unlinkable
            action=COMMITMENT_RATED,
            target=commitment,
            payload={"scorecard": process.pk},
        )
    return rating
