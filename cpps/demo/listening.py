"""Demo surveys: a closed citywide survey with published results, and an open one to try.

The citywide answers are synthetic but grounded: each district's mean feeling of safety and
trust come from the published Chicago Police Sentiment Scores of February 2023
(data/surveys/), and who answers is drawn from the district's census mix, with the usual
non-response (young, Latino and Spanish-speaking residents answer less), so the "who is missing"
report and the weighting have something real to correct.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from django.conf import settings

from cpps.accounts.models import Role, User
from cpps.accounts.services import membership_grant, user_create
from cpps.jurisdictions.models import CensusFigure, Jurisdiction
from cpps.listening.models import SURVEY_KIND, QuestionKind
from cpps.listening.paper import paper_entry_record
from cpps.listening.services import (
    Submission,
    instrument_draft_create,
    instrument_publish,
    instrument_standard_module_add,
    question_add,
    responses_import,
)
from cpps.listening.tallies import results_refresh_run
from cpps.participation.identities import Identity, IdentityKind
from cpps.participation.models import Channel
from cpps.participation.paper import check_character, form_code_clean
from cpps.processes.models import Process, ProcessState
from cpps.processes.services import process_create, process_transition

DEMO_RESPONSES = 240
SECOND_KEYER = "demo-facilitator-2"
SECOND_KEYER_PASSWORD = "cpps-demo-facilitator-2"  # noqa: S105 - published demo account
SCORES_FILE = Path("data") / "surveys" / "chicago_police_sentiment_scores.csv"
# Relative chance of answering, by group (1 = as likely as anyone).
RESPONSE_PROPENSITY = {
    "18_24": 0.5,
    "25_34": 0.75,
    "hispanic_latino": 0.6,
    "male": 0.85,
}
CHANNELS = (Channel.WEB, Channel.WEB, Channel.SMS, Channel.PAPER, Channel.VOICE)


def _district_scores() -> dict[str, tuple[float, float]]:
    """District -> (SAFETY, TRUST) means on 0-10 for February 2023."""
    path = Path(settings.BASE_DIR) / SCORES_FILE
    scores: dict[str, tuple[float, float]] = {}
    with path.open(newline="", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            if row["START_DATE"] != "02/01/2023" or not row["DISTRICT"] or row["SECTOR"]:
                continue
            district = str(int(float(row["DISTRICT"])))
            scores[district] = (float(row["SAFETY"]) / 10, float(row["TRUST"]) / 10)
    return scores


def _shares(figures: dict[str, int]) -> tuple[list[str], np.ndarray]:
    categories = sorted(figures)
    counts = np.array([figures[c] for c in categories], dtype=np.float64)
    return categories, counts / counts.sum()


def demo_surveys_load(jurisdiction: Jurisdiction, facilitator: User) -> None:
    citywide = Process.objects.get(jurisdiction=jurisdiction, kind=SURVEY_KIND)
    _publish_standard(citywide, facilitator)
    process_transition(user=facilitator, process=citywide, to_state=ProcessState.OPEN)
    _synthetic_answers(citywide, facilitator)
    process_transition(user=facilitator, process=citywide, to_state=ProcessState.CLOSED)
    process_transition(user=facilitator, process=citywide, to_state=ProcessState.PUBLISHED)
    # The demo's published results are stored now, whether or not a worker reads the queue yet.
    results_refresh_run(process_id=citywide.pk)
    southwest = process_create(
        user=facilitator,
        jurisdiction=jurisdiction,
        kind=SURVEY_KIND,
        title="Night-time safety on the Southwest Side",
        purpose=(
            "Is it safe to walk home after dark? Tell us by web, text message (reply in English "
            "or Spanish), phone call or paper form."
        ),
        area_codes=["8", "10"],
    )
    _publish_standard(southwest, facilitator)
    process_transition(user=facilitator, process=southwest, to_state=ProcessState.OPEN)
    lighting = process_create(
        user=facilitator,
        jurisdiction=jurisdiction,
        kind=SURVEY_KIND,
        title="Lighting on our streets",
        purpose="Where is it too dark to feel safe? A short survey being prepared with residents.",
        area_codes=["7"],
    )
    _demo_paper_forms(southwest, facilitator)
    draft = instrument_draft_create(user=facilitator, process=lighting)
    question_add(
        user=facilitator,
        instrument=draft,
        kind=QuestionKind.SINGLE,
        text_en="Is your street well lit at night?",
        text_es="¿Está bien iluminada su calle de noche?",
        choice_lines="Yes | Sí\nSome of it | En parte\nNo | No",
    )


def _publish_standard(process: Process, facilitator: User) -> None:
    draft = instrument_draft_create(user=facilitator, process=process)
    instrument_standard_module_add(user=facilitator, instrument=draft)
    instrument_publish(user=facilitator, instrument=draft)


def _synthetic_answers(process: Process, facilitator: User) -> None:
    rng = np.random.default_rng(2023)
    scores = _district_scores()
    census: dict[str, dict[str, dict[str, int]]] = {}
    for code, variable, category, count in CensusFigure.objects.filter(
        area__jurisdiction=process.jurisdiction,
        variable__in=["age_band", "sex", "race_ethnicity"],
    ).values_list("area__code", "variable", "category", "count"):
        if category != "under18" and code in scores:
            census.setdefault(code, {}).setdefault(variable, {})[category] = count
    districts = sorted(census, key=lambda code: (len(code), code))
    population = np.array([sum(census[d]["sex"].values()) for d in districts], dtype=np.float64)
    stored = 0
    submissions: list[Submission] = []
    while stored < DEMO_RESPONSES:
        district = districts[rng.choice(len(districts), p=population / population.sum())]
        person = {}
        for variable in ("age_band", "sex", "race_ethnicity"):
            categories, shares = _shares(census[district][variable])
            person[variable] = categories[rng.choice(len(categories), p=shares)]
        chance = np.prod([RESPONSE_PROPENSITY.get(value, 1.0) for value in person.values()])
        if rng.random() > chance:
            continue
        safety, trust = scores[district]
        answers = {}
        for key in ("safe_crime", "safe_day", "safe_night"):
            shift = {"safe_day": 1.2, "safe_night": -1.0}.get(key, 0.0)
            answers[key] = [str(int(np.clip(round(rng.normal(safety + shift, 2.4)), 0, 10)))]
        for key in ("police_listen", "police_respect", "police_explain", "police_accountable"):
            shift = -1.0 if person["age_band"] in {"18_24", "25_34"} else 0.3
            answers[key] = [str(int(np.clip(round(rng.normal(trust + shift, 2.6)), 0, 10)))]
        answers["police_contact"] = [
            ["no", "asked_for_help", "they_stopped_me", "both"][
                rng.choice(4, p=[0.6, 0.2, 0.12, 0.08])
            ]
        ]
        worries = ["gun_violence", "theft", "traffic", "harassment", "police_conduct", "other"]
        picked = [
            w
            for w, p in zip(worries, [0.55, 0.4, 0.3, 0.15, 0.2, 0.05], strict=True)
            if rng.random() < p
        ]
        answers["worries"] = picked
        spanish = person["race_ethnicity"] == "hispanic_latino" and rng.random() < 0.5
        if rng.random() < 0.12:
            person.pop("race_ethnicity")  # some prefer not to say
        submissions.append(
            Submission(
                client_id=f"demo-{stored:05d}",
                identity=Identity(
                    IdentityKind.API_CLIENT, f"demo-{stored:05d}", CHANNELS[stored % len(CHANNELS)]
                ),
                language="es" if spanish else "en",
                answers=answers,
                area_code=district,
                demographics=person,
            )
        )
        stored += 1
    responses_import(user=facilitator, process=process, submissions=submissions)


def demo_form_code(body: str) -> str:
    """A valid paper form number with a fixed body, for demo and test forms."""
    return form_code_clean(f"{body}{check_character(body)}")


def _demo_paper_forms(process: Process, facilitator: User) -> None:
    """Two forms keyed twice: one whose entries agree (stored), one with a difference to resolve."""
    second = User.objects.filter(username=SECOND_KEYER).first() or user_create(
        username=SECOND_KEYER,
        password=SECOND_KEYER_PASSWORD,
        first_name="Keisha",
        last_name="Brown",
        email=f"{SECOND_KEYER}@example.org",
    )
    membership_grant(
        granted_by=None, jurisdiction=process.jurisdiction, user=second, role=Role.FACILITATOR
    )
    agreed = {"q_safe_crime": ["6"], "q_safe_night": ["3"], "about_area": ["8"]}
    differing = {"q_safe_crime": ["2"], "q_police_respect": ["7"], "about_area": ["10"]}
    for keyer, values in ((facilitator, agreed), (second, agreed)):
        paper_entry_record(
            user=keyer, process=process, form_code=demo_form_code("DEM001"), values=values
        )
    for keyer, values in ((facilitator, differing), (second, {**differing, "q_safe_crime": ["7"]})):
        paper_entry_record(
            user=keyer, process=process, form_code=demo_form_code("DEM002"), values=values
        )
