"""The demo conversation: seed statements on safety on the block, and votes from residents of
three districts whose views differ in three recognisable ways (made up: the demo has no real
votes), then one analysis, so its results pages show groups from the first visit."""

from __future__ import annotations

import numpy as np

from cpps.accounts.models import User
from cpps.deliberation.models import ModerationMode, Statement
from cpps.deliberation.services import analysis_run, conversation_set_up, vote_cast
from cpps.participation.identities import Identity, IdentityKind
from cpps.participation.models import Channel
from cpps.participation.services import participant_for
from cpps.processes.models import Process

SEEDS = (
    "Street lights on my block are out for weeks before anyone fixes them.",
    "More officers walking the beat would make me feel safer.",
    "Police stops on my block happen too often and for no reason.",
    "Young people need somewhere to go in the evening: open the park district centres late.",
    "Vacant lots should be cleaned up and turned into gardens.",
    "Neighbours looking out for each other matters more than cameras.",
    "Violence interrupters from the community should be funded every year, not by grant.",
    "I would call 911 less if there were a non-police number for mental health crises.",
    "Speeding cars are the biggest danger on my street.",
    "Block clubs should get a say in how the district spends its budget.",
    "Cameras on every corner would make the block safer.",
    "I trust my neighbours more than I trust the police.",
)
# How likely each of three kinds of resident is to agree with each seed (else disagree or pass).
LEANINGS = np.array(
    [
        [0.9, 0.8, 0.2, 0.7, 0.8, 0.5, 0.4, 0.5, 0.7, 0.6, 0.8, 0.3],
        [0.9, 0.2, 0.9, 0.9, 0.8, 0.8, 0.9, 0.9, 0.6, 0.8, 0.2, 0.8],
        [0.8, 0.5, 0.5, 0.8, 0.9, 0.9, 0.6, 0.7, 0.9, 0.9, 0.4, 0.6],
    ]
)
RESIDENTS = 90
AREAS = ("7", "8", "9")
AGES = ("18_24", "25_34", "35_44", "45_54", "55_64", "65_plus")


def demo_conversation_load(process: Process, facilitator: User) -> None:
    conversation_set_up(
        user=facilitator,
        process=process,
        topic="What would make you feel safer on your block?",
        framing=(
            "Residents of Englewood, Chicago Lawn and Deering asked for a conversation about "
            "safety close to home. Say what you think in a sentence, and vote on your "
            "neighbours' statements. Nobody sees how you vote."
        ),
        moderation=ModerationMode.PRE,
        seeds=SEEDS,
    )
    statements = list(Statement.objects.filter(process=process).order_by("number"))
    rng = np.random.default_rng(2026)
    for resident in range(RESIDENTS):
        kind = resident % 3
        participant = participant_for(
            process=process,
            identity=Identity(IdentityKind.WEB_SESSION, f"demo-voter-{resident:03d}", Channel.WEB),
            demographics={
                "area": AREAS[kind if rng.random() < 0.7 else int(rng.integers(0, 3))],
                "age_band": AGES[int(rng.integers(0, len(AGES)))],
                "sex": "female" if rng.random() < 0.55 else "male",
            },
        )
        for index, statement in enumerate(statements):
            if rng.random() < 0.15:
                continue  # not everyone votes on everything
            draw = rng.random()
            agree = LEANINGS[kind, index]
            value = 1 if draw < agree else (0 if draw < agree + 0.1 else -1)
            vote_cast(
                participant_id=participant.pk,
                process_id=participant.process_id,
                statement_id=statement.pk,
                value=value,
            )
    analysis_run(process_id=process.pk)
