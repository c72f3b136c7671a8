"""Demo content for priorities and accountability, made through the real services: a signed
charter, an open priority round, commitments in several states and an open scorecard."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from cpps.accountability import services
from cpps.accountability.models import SCORECARD_KIND, OwnerKind
from cpps.accounts.models import Role
from cpps.participation.identities import Identity
from cpps.participation.services import participant_for
from cpps.priorities.models import PRIORITY_ROUND_KIND
from cpps.priorities.services import idea_seed, idea_submit
from cpps.processes.models import ProcessState
from cpps.processes.services import process_create, process_transition

if TYPE_CHECKING:
    from cpps.accounts.models import User
    from cpps.jurisdictions.models import Jurisdiction

DEMO_IDEAS = (
    (
        "Mental-health responders, not officers, for mental-health crises",
        "Personal de salud mental, no policías, para crisis de salud mental",
    ),
    ("Fix broken street lights within a week", "Reparar el alumbrado público roto en una semana"),
    (
        "Fund violence interrupters on every block",
        "Financiar interruptores de violencia en cada cuadra",
    ),
    ("Youth programmes open in the evenings", "Programas juveniles abiertos por la tarde y noche"),
    (
        "Officers who know the block and walk it",
        "Policías que conocen la cuadra y la recorren a pie",
    ),
    ("Faster response to 911 calls", "Respuesta más rápida a las llamadas al 911"),
    ("Safe routes to school", "Rutas seguras a la escuela"),
    ("Clean up vacant lots", "Limpiar los terrenos baldíos"),
)
LIGHTING = "Street lighting (Department of Transportation)"
POLICE = "Chicago Police Department, 7th District"


def demo_accountability_load(chicago: Jurisdiction, users: dict[Role, User]) -> None:
    facilitator, council = users[Role.FACILITATOR], users[Role.COUNCIL_MEMBER]
    police_user, city = users[Role.POLICE_LIAISON], users[Role.CITY_OFFICIAL]
    police = services.owner_body_create(
        user=facilitator,
        jurisdiction=chicago,
        name=POLICE,
        kind=OwnerKind.POLICE,
        representatives=[police_user],
    )
    lighting = services.owner_body_create(
        user=facilitator,
        jurisdiction=chicago,
        name=LIGHTING,
        kind=OwnerKind.CITY_SERVICE,
        representatives=[city],
    )
    charter = services.charter_draft(
        user=facilitator,
        jurisdiction=chicago,
        text=(
            "Residents define what safety means here. The community council turns residents' "
            "priorities into commitments; the police district and city services answer to them "
            "in public, and residents judge every quarter whether they were kept."
        ),
        council_members=[council],
        quorum=1,
        majority_percent=50,
        owner_bodies=[police, lighting],
        review_period_days=90,
        silence_days=30,
    )
    services.charter_sign(user=council, charter=charter, side="council")
    services.charter_sign(user=police_user, charter=charter, side="owner")

    round_ = process_create(
        user=facilitator,
        jurisdiction=chicago,
        kind=PRIORITY_ROUND_KIND,
        title="What should public safety in your area focus on?",
        purpose="Choose, two at a time, which idea matters more. Add your own ideas too.",
    )
    ideas = [
        idea_seed(
            user=facilitator,
            process=round_,
            text_en=en,
            text_es=es,
            origin="Listening survey and block deliberations, 2026",
        )
        for en, es in DEMO_IDEAS
    ]
    process_transition(user=facilitator, process=round_, to_state=ProcessState.OPEN)
    resident = participant_for(
        process=round_, identity=Identity.web_session(secrets.token_urlsafe(18))
    )
    idea_submit(participant=resident, text="More benches and lights in the park")

    due = timezone.localdate() + timedelta(days=120)
    walked = services.commitment_draft(
        user=council,
        jurisdiction=chicago,
        terms=services.CommitmentTerms(
            title="Officers who walk the same beats",
            action="Officers walk the same beats every week and attend every block club meeting.",
            owner=police,
            area_codes=["7"],
            due_on=due,
            metric="Block club meetings attended",
            baseline="2 per quarter",
            target="12 per quarter",
            priority=ideas[4],
        ),
    )
    services.commitment_vote(user=council, commitment=walked, approve=True)
    services.commitment_respond(user=police_user, commitment=walked, response="accepted")
    services.progress_update_post(
        user=police_user,
        commitment=walked,
        status="on_track",
        narrative="Beat teams assigned; five block club meetings attended.",
        metric_value="5",
    )
    lights = services.commitment_draft(
        user=council,
        jurisdiction=chicago,
        terms=services.CommitmentTerms(
            title="Broken street lights fixed within a week",
            action="Every reported broken street light is repaired within seven days.",
            owner=lighting,
            area_codes=["7", "8"],
            due_on=due,
            metric="Share fixed within 7 days",
            baseline="41%",
            target="90%",
            priority=ideas[1],
        ),
    )
    services.commitment_vote(user=council, commitment=lights, approve=True)
    services.commitment_respond(user=city, commitment=lights, response="accepted")
    services.commitment_draft(
        user=council,
        jurisdiction=chicago,
        terms=services.CommitmentTerms(
            title="Lighting audit of every park",
            action="Walk every park after dark with residents and list what needs light.",
            owner=lighting,
            area_codes=["8"],
            due_on=due,
            metric="Parks audited",
            baseline="0",
            target="All 14 parks",
        ),
    )
    scorecard = process_create(
        user=facilitator,
        jurisdiction=chicago,
        kind=SCORECARD_KIND,
        title="Were the promises kept? Autumn review",
        purpose="Rate every agreed commitment: kept, partly kept or not kept.",
    )
    process_transition(user=facilitator, process=scorecard, to_state=ProcessState.OPEN)
