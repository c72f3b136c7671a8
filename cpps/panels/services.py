"""Writes for a civic lottery: set-up and quotas, invitations, registration, freeze and commit,
the lottery computation, the draw and replacements. Each checks the policy, validates, writes and
records its audit event in one transaction."""

from __future__ import annotations

import random
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cpps.accounts.policy import Action, require
from cpps.audit.services import SYSTEM, Actor, audit_event_record
from cpps.channels.models import SmsStatus
from cpps.channels.outbound import phone_e164
from cpps.channels.services import sms_dispatch, sms_queue
from cpps.common.errors import InvalidInputError, InvalidTransitionError, ServiceUnavailableError
from cpps.common.outage import BROKER_ERRORS
from cpps.common.spreadsheets import read_uploaded_csv
from cpps.common.text import clean_text
from cpps.engines import sortition
from cpps.engines.privacy import keyed_digest
from cpps.jurisdictions.models import CensusFigure
from cpps.panels import adapters
from cpps.panels.adapters import QuotaRow
from cpps.panels.audit_actions import (
    PANEL_COMPUTE_STARTED,
    PANEL_DRAWN,
    PANEL_FROZEN,
    PANEL_HOUSEHOLDS_INVITED,
    PANEL_LETTERS_SENT,
    PANEL_MEMBER_REPLACED,
    PANEL_QUOTAS_CHANGED,
    PANEL_QUOTAS_IMPORTED,
    PANEL_REGISTERED,
    PANEL_SET_UP,
    PANEL_SMS_INVITATIONS_QUEUED,
)
from cpps.panels.computation import frozen_inputs, panel_compute_abandon, require_stage
from cpps.panels.models import (
    PANEL_KIND,
    Invitation,
    Panel,
    PanelQuota,
    PanelStage,
    Registration,
    RegistrationContact,
)
from cpps.panels.tasks import panel_compute
from cpps.participation.identities import Identity
from cpps.participation.models import Channel
from cpps.participation.services import participant_for
from cpps.processes.models import Process, ProcessState

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.accounts.models import User

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_PANEL_SIZE = 500
MAX_INVITATIONS = 20_000
AVAILABILITY = ("weekday_evenings", "saturdays", "sundays", "weekday_daytime")
NEEDS = ("childcare", "transport", "interpretation", "accessibility", "stipend")
CLOSED_STATES = {ProcessState.CLOSED, ProcessState.PUBLISHED}


def _actor(user: User | AnonymousUser, action: Action, process: Process) -> Actor:
    return Actor.for_user(user, require(user, action, process.jurisdiction))


def census_counts(*, process: Process) -> dict[str, dict[str, int]]:
    """Census counts per quota variable and category over the process's areas (else all)."""
    areas = list(process.areas.all()) or list(process.jurisdiction.areas.all())
    figures = (
        CensusFigure.objects.filter(area__in=areas, variable__in=adapters.QUOTA_VARIABLES)
        .values("variable", "category")
        .annotate(total=Sum("count"))
        .order_by("variable", "category")
    )
    counts: dict[str, dict[str, int]] = {variable: {} for variable in adapters.QUOTA_VARIABLES}
    for row in figures:
        counts[row["variable"]][row["category"]] = int(row["total"])
    return {variable: values for variable, values in counts.items() if values}


def _replace_quotas(panel: Panel, rows: Sequence[QuotaRow]) -> None:
    panel.quotas.all().delete()
    PanelQuota.objects.bulk_create(
        PanelQuota(
            panel=panel,
            position=position,
            category=row.category,
            value=row.value,
            label_en=adapters.value_labels(row.value)[0],
            label_es=adapters.value_labels(row.value)[1],
            min=row.min,
            max=row.max,
            census_share=row.census_share,
        )
        for position, row in enumerate(rows)
    )


def panel_setup(
    *,
    user: User | AnonymousUser,
    process: Process,
    size: int,
    tolerance_percent: int,
    variables: Sequence[str],
    lottery_size: int = 1000,
    stipend: str = "",
    offers_childcare: bool = False,
    offers_transport: bool = False,
    helpline: str = "",
    sms_number: str = "",
) -> Panel:
    """Set the panel size, what the letter offers, and reset the quotas to census proportions
    ± the tolerance."""
    actor = _actor(user, Action.SET_AGENDA, process)
    if process.kind != PANEL_KIND:
        raise InvalidInputError(_("Only a panel process can hold a civic lottery."))
    if process.state in CLOSED_STATES:
        raise InvalidTransitionError(_("This process is closed."))
    existing = Panel.objects.filter(process=process).first()
    if existing is not None:
        require_stage(existing, PanelStage.SETUP)
        if existing.registrations.exists():
            raise InvalidTransitionError(
                _("People have registered against the current quotas; edit the bounds instead.")
            )
    if not 1 <= size <= MAX_PANEL_SIZE:
        raise InvalidInputError(
            _("The panel size must be between 1 and %(max)s.") % {"max": MAX_PANEL_SIZE}
        )
    if not 0 <= tolerance_percent <= 50:
        raise InvalidInputError(_("The tolerance must be between 0 and 50 percentage points."))
    if not 1 <= lottery_size <= 10_000:
        raise InvalidInputError(_("The lottery must hold between 1 and 10,000 panels."))
    unknown = [name for name in variables if name not in adapters.QUOTA_VARIABLES]
    if unknown or not variables:
        raise InvalidInputError(_("Choose at least one of the census categories offered."))
    counts = census_counts(process=process)
    rows = adapters.census_quotas(
        counts={name: counts.get(name, {}) for name in variables},
        size=size,
        tolerance_percent=tolerance_percent,
    )
    with transaction.atomic():
        panel, _created = Panel.objects.update_or_create(
            process=process,
            defaults={
                "size": size,
                "tolerance_percent": tolerance_percent,
                "lottery_size": lottery_size,
                "stipend": stipend.strip(),
                "offers_childcare": offers_childcare,
                "offers_transport": offers_transport,
                "helpline": helpline.strip(),
                "sms_number": sms_number.strip(),
            },
        )
        _replace_quotas(panel, rows)
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=actor,
            action=PANEL_SET_UP,
            target=process,
            payload={
                "size": size,
                "tolerance_percent": tolerance_percent,
                "lottery_size": lottery_size,
                "quotas": [[r.category, r.value, r.min, r.max] for r in rows],
            },
        )
    return panel


def panel_quotas_update(
    *, user: User | AnonymousUser, panel: Panel, bounds: Mapping[int, tuple[int, int]]
) -> Panel:
    """Edit the min/max of existing quotas (keyed by quota id)."""
    actor = _actor(user, Action.SET_AGENDA, panel.process)
    require_stage(panel, PanelStage.SETUP)
    quotas = {quota.pk: quota for quota in panel.quotas.all()}
    for pk, (low, high) in bounds.items():
        quota = quotas.get(pk)
        if quota is None:
            raise InvalidInputError(_("That quota is not part of this panel."))
        if low < 0 or high < low:
            raise InvalidInputError(
                _("“%(category)s: %(value)s” needs 0 ≤ minimum ≤ maximum.")
                % {"category": quota.category, "value": quota.value}
            )
        quota.min, quota.max = low, high
    with transaction.atomic():
        PanelQuota.objects.bulk_update(quotas.values(), ["min", "max"])
        audit_event_record(
            jurisdiction=panel.process.jurisdiction,
            actor=actor,
            action=PANEL_QUOTAS_CHANGED,
            target=panel.process,
            payload={"quotas": [[q.category, q.value, q.min, q.max] for q in quotas.values()]},
        )
    return panel


def panel_quotas_import(*, user: User | AnonymousUser, panel: Panel, data: bytes) -> Panel:
    """Replace the quotas with an uploaded `category,feature,min,max` file."""
    actor = _actor(user, Action.SET_AGENDA, panel.process)
    require_stage(panel, PanelStage.SETUP)
    if panel.registrations.exists():
        raise InvalidTransitionError(
            _("People have registered against the current categories; edit the bounds instead.")
        )
    rows = adapters.quota_rows_from_csv(data)
    with transaction.atomic():
        _replace_quotas(panel, rows)
        audit_event_record(
            jurisdiction=panel.process.jurisdiction,
            actor=actor,
            action=PANEL_QUOTAS_IMPORTED,
            target=panel.process,
            payload={"quotas": [[r.category, r.value, r.min, r.max] for r in rows]},
        )
    return panel


def quota_rows(panel: Panel) -> list[QuotaRow]:
    return [QuotaRow(q.category, q.value, q.min, q.max, q.census_share) for q in panel.quotas.all()]


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _household_digest(process: Process, address: str) -> str:
    return keyed_digest(
        key=settings.PSEUDONYM_KEY,
        purpose=f"panel-household:{process.pseudonym_salt}",
        value=address,
    )


def _household_rows(rows: Sequence[Mapping[str, str]]) -> list[tuple[str, str, str]]:
    """(household key, address label, phone) per row of an address list or a phone list.

    An address list keys households by address (a "phone" column is optional); a phone list,
    without an "address" column, keys them by number.
    """
    by_address = "address" in rows[0]
    column = "address" if by_address else "phone"
    seen: dict[str, str] = {}
    households: list[tuple[str, str, str]] = []
    for row in rows:
        if not row[column]:
            raise InvalidInputError(
                _("Row %(row)s, column “%(column)s” is empty; nothing was imported.")
                % {"row": row["#"], "column": column}
            )
        phone = ""
        if row.get("phone"):
            try:
                phone = phone_e164(row["phone"])
            except ValueError:
                raise InvalidInputError(
                    _(
                        "Row %(row)s, column “phone” is not a phone number (give 10 digits, or "
                        "+ and the country code); nothing was imported."
                    )
                    % {"row": row["#"]}
                ) from None
        key = adapters.normalised_address(row) if by_address else f"tel {phone}"
        if key in seen:
            raise InvalidInputError(
                _(
                    "Row %(row)s repeats the household of row %(first)s (column “%(column)s”); "
                    "remove one of them. Nothing was imported."
                )
                % {"row": row["#"], "first": seen[key], "column": column}
            )
        seen[key] = row["#"]
        label = ", ".join(row[name] for name in ("address", "unit", "zip") if row.get(name))
        households.append((key, label, phone))
    return households


def invitations_import(
    *, user: User | AnonymousUser, panel: Panel, data: bytes, sample_size: int
) -> list[Invitation]:
    """Read an address list or a phone list and invite a uniformly random sample of
    `sample_size` households.

    Raises:
        InvalidInputError: the file is unusable; the message names the row and column, and no
            household is invited.
    """
    actor = _actor(user, Action.INVITE, panel.process)
    require_stage(panel, PanelStage.SETUP)
    rows = read_uploaded_csv(data, required=(), phone_columns=("phone",))
    if "address" not in rows[0] and "phone" not in rows[0]:
        raise InvalidInputError(
            _(
                "Row 1 (the header) lacks the column(s) “address” (an address list) or “phone” "
                "(a phone list); nothing was imported."
            )
        )
    households = _household_rows(rows)
    invited = set(panel.invitations.values_list("household_digest", flat=True))
    fresh = [
        (digest, label, phone)
        for key, label, phone in households
        if (digest := _household_digest(panel.process, key)) not in invited
    ]
    if not 1 <= sample_size <= min(len(fresh), MAX_INVITATIONS):
        raise InvalidInputError(
            _(
                "Ask for between 1 and %(count)s households: the list has %(count)s "
                "households not yet invited."
            )
            % {"count": min(len(fresh), MAX_INVITATIONS)}
        )
    chosen = random.SystemRandom().sample(fresh, sample_size)
    with transaction.atomic():
        made = Invitation.objects.bulk_create(
            Invitation(
                panel=panel, code=_new_code(), household_digest=digest, address=label, phone=phone
            )
            for digest, label, phone in chosen
        )
        audit_event_record(
            jurisdiction=panel.process.jurisdiction,
            actor=actor,
            action=PANEL_HOUSEHOLDS_INVITED,
            target=panel.process,
            payload={"list_size": len(households), "eligible": len(fresh), "sampled": sample_size},
        )
    return made


def invitations_mark_sent(*, user: User | AnonymousUser, panel: Panel) -> int:
    """Record that every printed, unsent letter has been posted; return how many."""
    actor = _actor(user, Action.INVITE, panel.process)
    with transaction.atomic():
        count = (
            panel.invitations.filter(sent_at__isnull=True)
            .exclude(address="")
            .update(sent_at=timezone.now())
        )
        if count == 0:
            raise InvalidInputError(_("Every letter is already recorded as sent."))
        audit_event_record(
            jurisdiction=panel.process.jurisdiction,
            actor=actor,
            action=PANEL_LETTERS_SENT,
            target=panel.process,
            payload={"letters": count},
        )
    return count


def invitation_sms_text(*, panel: Panel, code: str, register_url: str) -> str:
    """The invitation by text message, in English and Spanish in one short message: who runs the
    panel (residents, not the police), the code, and how to register (web link, or a text with
    the code to the panel's number)."""
    by_text = (
        f" or text the code to / o envíe el código al {panel.sms_number}"
        if panel.sms_number
        else ""
    )
    return (
        f"{panel.process.jurisdiction.name}: you are invited to a community panel on public "
        "safety, run by residents, not the police. / Le invitamos a un panel comunitario sobre "
        "seguridad pública, dirigido por residentes, no por la policía.\n"
        f"Code / Código: {code}\n"
        f"Register / Inscríbase: {register_url}{by_text}"
    )


def invitations_sms_send(
    *, user: User | AnonymousUser, panel: Panel, register_url: Callable[[str], str]
) -> int:
    """Queue an invitation by text message to every invited household with a phone number that
    has not registered and has no message yet (or whose message failed); return how many.

    A household's message is queued once under its invitation, so sending again never texts
    anyone twice. The audit event records the count only, never numbers or codes.
    """
    actor = _actor(user, Action.INVITE, panel.process)
    require_stage(panel, PanelStage.SETUP)
    if panel.process.state in CLOSED_STATES:
        raise InvalidTransitionError(_("This process is closed."))
    invitations = list(
        panel.invitations.exclude(phone="")
        .filter(registration__isnull=True)
        .filter(Q(sms__isnull=True) | Q(sms__status=SmsStatus.FAILED))
        .select_related("sms")
    )
    if not invitations:
        raise InvalidInputError(
            _(
                "No invited household is waiting for a text message: each one with a phone "
                "number has been sent one or has registered."
            )
        )
    queued: list[int] = []
    with transaction.atomic():
        for invitation in invitations:
            invitation.sms = sms_queue(
                key=f"panel-invitation:{invitation.pk}",
                purpose="panel_invitation",
                to=invitation.phone,
                body=invitation_sms_text(
                    panel=panel, code=invitation.code, register_url=register_url(invitation.code)
                ),
            )
            queued.append(invitation.sms.pk)
        Invitation.objects.bulk_update(invitations, ["sms"])
        audit_event_record(
            jurisdiction=panel.process.jurisdiction,
            actor=actor,
            action=PANEL_SMS_INVITATIONS_QUEUED,
            target=panel.process,
            payload={"messages": len(invitations)},
        )
        sms_dispatch(message_ids=queued)
    return len(invitations)


def normalised_code(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", code.upper())


def _validated_answers(panel: Panel, answers: Mapping[str, str]) -> dict[str, str]:
    allowed: dict[str, set[str]] = {}
    for quota in panel.quotas.all():
        allowed.setdefault(quota.category, set()).add(quota.value)
    features: dict[str, str] = {}
    for category, values in allowed.items():
        answer = answers.get(category, "")
        if answer not in values:
            question = adapters.category_question(category)[0]
            raise InvalidInputError(
                _("Answer the question “%(question)s”.") % {"question": question}
            )
        features[category] = answer
    return features


def _registration_actor(
    process: Process, channel: str, entered_by: User | AnonymousUser | None
) -> Actor:
    if channel in {Channel.WEB, Channel.SMS}:
        return SYSTEM
    if channel != Channel.PAPER:
        raise InvalidInputError(_("Registration is by web, text message or on paper."))
    if entered_by is None:
        raise InvalidInputError(_("Paper forms are keyed in by a facilitator."))
    return _actor(entered_by, Action.ENTER_PAPER_FORMS, process)


def _unused_invitation(panel: Panel, code: str) -> Invitation:
    invitation = panel.invitations.filter(code=normalised_code(code)).first()
    if invitation is None:
        raise InvalidInputError(
            _("We do not know this code. Check it against your letter (8 letters and digits).")
        )
    if Registration.objects.filter(invitation=invitation).exists():
        raise InvalidInputError(
            _("This code has already been used to register. Each letter registers one person.")
        )
    return invitation


def _refuse_duplicate_person(panel: Panel, household: str, phone_digest: str) -> None:
    if panel.registrations.filter(household=household).exists():
        raise InvalidInputError(
            _("Someone from this household has already registered; one person per household.")
        )
    if (
        phone_digest
        and RegistrationContact.objects.filter(
            registration__panel=panel, phone_digest=phone_digest
        ).exists()
    ):
        raise InvalidInputError(
            _("This phone number has already registered for this panel; each person once.")
        )


def registration_create(
    *,
    panel: Panel,
    code: str,
    answers: Mapping[str, str],
    name: str,
    phone: str = "",
    email: str = "",
    availability: Sequence[str] = (),
    needs: Sequence[str] = (),
    channel: str = Channel.WEB,
    entered_by: User | AnonymousUser | None = None,
) -> Registration:
    """Register an invitee by their code. Web registration needs no account; paper forms are
    keyed in by a facilitator (`entered_by`).

    Raises:
        InvalidInputError: unknown or already used code, a household or person already
            registered, or a missing answer.
    """
    process = panel.process
    actor = _registration_actor(process, channel, entered_by)
    if process.state in CLOSED_STATES or panel.stage != PanelStage.SETUP:
        raise InvalidTransitionError(
            _("Registration for this panel has closed. Thank you for your interest.")
        )
    features = _validated_answers(panel, answers)
    name = clean_text(name, label=_("Your name"))
    if not name:
        raise InvalidInputError(_("Give a name we can use if you are drawn."))
    if not phone.strip() and not email.strip():
        raise InvalidInputError(_("Give a phone number or an email so we can reach you."))
    if not set(availability) <= set(AVAILABILITY) or not set(needs) <= set(NEEDS):
        raise InvalidInputError(_("Choose among the options offered."))
    invitation = _unused_invitation(panel, code)
    household = invitation.household_digest[:16]
    phone_digest = contact_digest(process, phone)
    _refuse_duplicate_person(panel, household, phone_digest)
    try:
        with transaction.atomic():
            # The registrant takes part in the panel under the letter's code: their public id
            # in the pool and the transcript is the start of that pseudonym.
            participant = participant_for(
                process=process, identity=Identity.invitation_code(invitation.code, channel)
            )
            person_id = participant.pseudonym[:16]
            registration = Registration.objects.create(
                panel=panel,
                invitation=invitation,
                person_id=person_id,
                household=household,
                features=features,
                availability=list(dict.fromkeys(availability)),
                needs=list(dict.fromkeys(needs)),
                channel=channel,
            )
            RegistrationContact.objects.create(
                registration=registration,
                name=name,
                phone=phone.strip(),
                phone_digest=phone_digest,
                email=email.strip(),
            )
            audit_event_record(
                jurisdiction=process.jurisdiction,
                actor=actor,
                action=PANEL_REGISTERED,
                target=process,
                payload={"channel": channel},
            )
    except IntegrityError as error:
        raise InvalidInputError(
            _("This code has already been used to register. Each letter registers one person.")
        ) from error
    return registration


def contact_digest(process: Process, phone: str) -> str:
    """Phone numbers are kept only as keyed digests (enough to catch a second registration)."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]  # +1 312 ... and 312 ... are the same North American number
    if not digits:
        return ""
    return keyed_digest(
        key=settings.PSEUDONYM_KEY, purpose=f"panel-phone:{process.pseudonym_salt}", value=digits
    )


def _moment(value: datetime) -> str:
    """A date and time as the reader's locale writes it, in the site's time zone."""
    return str(formats.date_format(timezone.localtime(value), "DATETIME_FORMAT"))


def panel_freeze(
    *,
    user: User | AnonymousUser,
    panel: Panel,
    randomness_source: str,
    randomness_published_at: datetime,
) -> Panel:
    """Close registration, fix the pool and quotas, and publish the commitment to them and to
    the declared public randomness and the time it will be published (which must be later)."""
    actor = _actor(user, Action.CONVENE_PROCESS, panel.process)
    require_stage(panel, PanelStage.SETUP)
    source = randomness_source.strip()
    if len(source) < 10:
        raise InvalidInputError(
            _(
                "Declare the public randomness precisely, e.g. “the Illinois Pick 4 evening "
                "numbers of 2026-12-04” or “drand mainnet round 5000000”."
            )
        )
    if timezone.is_naive(randomness_published_at):
        randomness_published_at = timezone.make_aware(randomness_published_at)
    if randomness_published_at <= timezone.now():
        raise InvalidInputError(
            _(
                "The randomness must be published after the pool is frozen: %(when)s has "
                "already passed, so anyone could know the number before committing. Declare "
                "a later draw or round."
            )
            % {"when": _moment(randomness_published_at)}
        )
    registrations = list(panel.registrations.order_by("person_id"))
    frozen_pool = [[r.person_id, r.features, r.household] for r in registrations]
    frozen_quotas = [[q.category, q.value, q.min, q.max] for q in panel.quotas.all()]
    pool = adapters.engine_pool(frozen_pool)
    quotas = adapters.engine_quotas(frozen_quotas)
    try:
        if not registrations:
            raise sortition.PoolError("nobody has registered yet")
        sortition.validate(pool, quotas, panel.size)
    except sortition.SortitionError as error:
        raise InvalidInputError(
            _("The pool cannot be frozen: %(reason)s") % {"reason": str(error)}
        ) from error
    commitment = sortition.commit(
        pool, quotas, panel.size, algorithm="leximin", randomness_source=source
    )
    with transaction.atomic():
        panel.frozen_pool, panel.frozen_quotas = frozen_pool, frozen_quotas
        panel.randomness_source, panel.algorithm = source, "leximin"
        panel.randomness_published_at = randomness_published_at
        panel.freeze_digest, panel.frozen_at = commitment.digest, timezone.now()
        panel.stage = PanelStage.FROZEN
        panel.save()
        audit_event_record(
            jurisdiction=panel.process.jurisdiction,
            actor=actor,
            action=PANEL_FROZEN,
            target=panel.process,
            payload={
                "commitment_sha256": commitment.digest,
                "pool_size": len(pool),
                "size": panel.size,
                "algorithm": panel.algorithm,
                "engine_version": sortition.ENGINE_VERSION,
                "randomness_source": source,
                "randomness_published_at": randomness_published_at.isoformat(),
            },
        )
    return panel


def panel_compute_start(*, user: User | AnonymousUser, panel: Panel) -> Panel:
    """Start computing the LEXIMIN lottery as a background task (a new attempt).

    Raises:
        InvalidTransitionError: the panel is not frozen (e.g. it is computing already).
        ServiceUnavailableError: the task queue could not be reached; the panel is frozen
            again, with the reason on its page, so the facilitator can simply retry.
    """
    actor = _actor(user, Action.CONVENE_PROCESS, panel.process)
    require_stage(panel, PanelStage.FROZEN)
    with transaction.atomic():
        # Conditional, so two presses of Compute at once start one attempt.
        started = Panel.objects.filter(pk=panel.pk, stage=PanelStage.FROZEN).update(
            stage=PanelStage.COMPUTING,
            compute_attempt=F("compute_attempt") + 1,
            compute_runs=0,
            progress=0.0,
            progress_message=_("Waiting for a worker."),
            progress_at=timezone.now(),
            compute_error="",
        )
        panel.refresh_from_db()
        if not started:
            require_stage(panel, PanelStage.FROZEN)
        audit_event_record(
            jurisdiction=panel.process.jurisdiction,
            actor=actor,
            action=PANEL_COMPUTE_STARTED,
            target=panel.process,
            payload={
                "algorithm": panel.algorithm,
                "lottery_size": panel.lottery_size,
                "attempt": panel.compute_attempt,
            },
        )
        transaction.on_commit(lambda: _compute_send(panel))
    return panel


def _compute_send(panel: Panel) -> None:
    try:
        panel_compute.delay(panel.pk, panel.compute_attempt)
    except BROKER_ERRORS as error:
        reason = _(
            "The background worker could not be reached, so the computation did not start. "
            "Nothing was lost; press “Compute the lottery” again in a few minutes."
        )
        panel_compute_abandon(panel=panel, reason=reason)
        raise ServiceUnavailableError(reason) from error


def panel_draw(*, user: User | AnonymousUser, panel: Panel, public_randomness: str) -> Panel:
    """Draw the panel from the declared public randomness, now that it is known."""
    actor = _actor(user, Action.CONVENE_PROCESS, panel.process)
    require_stage(panel, PanelStage.COMPUTED)
    randomness = public_randomness.strip()
    if not randomness:
        raise InvalidInputError(_("Enter the public randomness exactly as it was published."))
    if panel.randomness_published_at and timezone.now() < panel.randomness_published_at:
        raise InvalidInputError(
            _(
                "Not yet: the randomness declared for this draw (%(source)s) is published at "
                "%(when)s; enter it once it is public, exactly as published."
            )
            % {"source": panel.randomness_source, "when": _moment(panel.randomness_published_at)}
        )
    pool, _quotas = frozen_inputs(panel)
    lottery = adapters.engine_lottery(panel.lottery, pool)
    draw = sortition.draw_panel(lottery, panel.commitment_digest, randomness)
    with transaction.atomic():
        panel.public_randomness, panel.draw = randomness, adapters.draw_to_json(draw)
        panel.stage, panel.drawn_at = PanelStage.DRAWN, timezone.now()
        panel.save()
        audit_event_record(
            jurisdiction=panel.process.jurisdiction,
            actor=actor,
            action=PANEL_DRAWN,
            target=panel.process,
            payload={
                "commitment_sha256": panel.commitment_digest,
                "public_randomness": randomness,
                "seed": draw.seed,
                "index": draw.index,
                "panel": list(draw.panel),
            },
        )
    return panel


def panel_member_withdraw(*, user: User | AnonymousUser, panel: Panel, person_id: str) -> str:
    """Replace a withdrawn panelist with the first alternate that keeps every quota; return the
    replacement's id."""
    actor = _actor(user, Action.CONVENE_PROCESS, panel.process)
    require_stage(panel, PanelStage.DRAWN)
    pool, quotas = frozen_inputs(panel)
    try:
        draw = sortition.replace_withdrawn(
            adapters.draw_from_json(panel.draw), [person_id], pool, quotas
        )
    except sortition.DrawError as error:
        raise InvalidInputError(str(error)) from error
    replacement = draw.replacements[-1][1]
    with transaction.atomic():
        panel.draw = adapters.draw_to_json(draw)
        panel.save(update_fields=["draw"])
        panel.registrations.filter(person_id=person_id).update(withdrawn_at=timezone.now())
        audit_event_record(
            jurisdiction=panel.process.jurisdiction,
            actor=actor,
            action=PANEL_MEMBER_REPLACED,
            target=panel.process,
            payload={"withdrawn": person_id, "replacement": replacement},
        )
    return replacement
