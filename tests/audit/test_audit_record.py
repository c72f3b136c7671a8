"""The action registry and the public record made of it: every act in a sentence (English and
Spanish), residents' acts counted per day and never timed, filters, and the chain's status read
from the last check rather than walked on every view."""

import ast
import importlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from cpps.accountability.models import Commitment
from cpps.audit.actions import (
    RecordedAct,
    UnregisteredAuditActionError,
    audit_action,
    audit_actions,
)
from cpps.audit.models import AuditDayCount, AuditEvent
from cpps.audit.services import SYSTEM, audit_chains_check, audit_event_record
from cpps.participation.identities import Identity
from cpps.participation.services import participant_for
from cpps.priorities.services import idea_submit
from cpps.processes.models import Process

pytestmark = pytest.mark.django_db

CPPS = Path(__file__).resolve().parents[2] / "cpps"
RECORD = "/j/chicago/record/"
ACTION_NAME = re.compile(r"^[a-z_]+\.[a-z_]+$")

# One payload per registered action, shaped as its service writes it: a new action needs one
# here, so its sentence is rendered (in both languages) before it reaches the public record.
EXAMPLES = {
    "jurisdiction.created": {"name": "Chicago", "slug": "chicago"},
    "census.imported": {
        "file": "districts.csv",
        "areas": 23,
        "areas_created": 23,
        "figures": 900,
        "figures_replaced": 0,
    },
    "membership.granted": {"user": "user:5", "role": "facilitator"},
    "membership.requested": {"user": "user:5", "role": "auditor"},
    "membership.approved": {"user": "user:5", "role": "auditor", "requested_by": "user:1"},
    "membership.refused": {"user": "user:5", "role": "auditor", "requested_by": "user:1"},
    "membership.revoked": {"user": "user:5", "role": "facilitator"},
    "process.created": {
        "kind": "survey",
        "title": "Safety 2025",
        "areas": ["7"],
        "languages": ["en"],
    },
    "process.agenda_changed": {"title": "Safety 2025", "areas": ["7"], "languages": ["en"]},
    "process.state_changed": {"from": "draft", "to": "open"},
    "process.links_issued": {"count": 20, "expires_on": "2025-06-01"},
    "participation.eligibility_set": {
        "mode": "verified",
        "device_limit": 1,
        "network_limit": 0,
        "network_window_hours": 24,
        "methods": ["mailed_code"],
    },
    "participation.resident_verified": {"method": "mailed_code"},
    "participation.codes_issued": {"count": 40},
    "participation.phones_invited": {"count": 12},
    "channels.route_added": {"number": "+13125550100", "keyword": "SAFE"},
    "channels.route_removed": {"number": "+13125550100", "keyword": ""},
    "panel.set_up": {
        "size": 30,
        "tolerance_percent": 5,
        "lottery_size": 100,
        "quotas": [["sex", "female", 13, 17], ["sex", "male", 13, 17]],
    },
    "panel.quotas_changed": {"quotas": [["sex", "female", 13, 17]]},
    "panel.quotas_imported": {"quotas": [["age", "16-24", 3, 6]]},
    "panel.households_invited": {"list_size": 5000, "eligible": 4900, "sampled": 1000},
    "panel.letters_sent": {"letters": 1000},
    "panel.sms_invitations_queued": {"messages": 200},
    "panel.registered": {"channel": "web"},
    "panel.frozen": {
        "commitment_sha256": "ab" * 32,
        "pool_size": 180,
        "size": 30,
        "algorithm": "leximin",
        "engine_version": "1",
        "randomness_source": "x",
    },
    "panel.compute_started": {"algorithm": "leximin", "lottery_size": 100, "attempt": 1},
    "panel.compute_failed": {"reason": "infeasible", "attempt": 1},
    "panel.lottery_published": {
        "commitment_sha256": "ab" * 32,
        "freeze_sha256": "cd" * 32,
        "lottery_sha256": "ef" * 32,
        "panels": 100,
        "min_probability": 0.0812,
    },
    "panel.drawn": {
        "commitment_sha256": "ab" * 32,
        "public_randomness": "x",
        "seed": "s",
        "index": 3,
        "panel": ["p1", "p2", "p3"],
    },
    "panel.member_replaced": {"withdrawn": "p1", "replacement": "p9"},
    "survey.instrument_drafted": {"process": 3, "version": 2},
    "survey.questions_added": {"process": 3, "keys": ["safe_day", "safe_night"]},
    "survey.question_removed": {"process": 3, "key": "safe_day"},
    "survey.instrument_published": {"process": 3, "version": 2, "keys": ["safe_day"]},
    "survey.responses_imported": {"count": 50, "channels": {"paper": 50}, "version": 1},
    "survey.responses_sealed": {"seal": 4, "count": 250, "digest": "ab" * 32},
    "survey.paper_keyed": {"entry": 1},
    "survey.paper_resolved": {"fields": 2},
    "deliberation.set_up": {"topic": "Safer blocks", "moderation": "pre", "seeds": [1, 2]},
    "deliberation.changed": {"topic": "Safer blocks", "moderation": "post", "seeds": []},
    "deliberation.statement_submitted": {
        "statement": 7,
        "state": "pending",
        "text_digest": "ab" * 32,
    },
    "deliberation.statements_moderated": {
        "statements": [7],
        "state": "rejected",
        "reason": "off topic",
        "text_digests": ["ab" * 32],
    },
    "deliberation.imported": {"statements": 40, "votes": 900, "participants": 60},
    "deliberation.ballot_keyed": {"entry": 2},
    "deliberation.ballot_resolved": {"fields": 1},
    "priority.idea_seeded": {"process": 6, "text_en": "More lights", "text_es": "Más luces"},
    "priority.idea_submitted": {"process": 6},
    "priority.idea_moderated": {
        "process": 6,
        "state": "approved",
        "note": "",
        "text_digest": "ab" * 32,
    },
    "owner_body.created": {
        "name": "Chicago Police Department",
        "kind": "police",
        "representatives": ["user:4"],
    },
    "charter.drafted": {
        "version": 1,
        "council_members": ["user:3"],
        "quorum": 3,
        "majority_percent": 60,
        "owner_bodies": ["CPD"],
        "review_period_days": 90,
        "silence_days": 30,
    },
    "charter.signed": {"version": 1, "side": "owner", "for": "Chicago Police Department"},
    "charter.in_effect": {"version": 1},
    "commitment.drafted": {
        "version": 1,
        "title": "Lighting on 63rd St.",
        "action": "Fix",
        "owner": "Streets",
        "areas": ["7"],
        "due_on": "2025-09-01",
        "metric": "",
        "baseline": "",
        "target": "",
        "priority": None,
    },
    "commitment.revised": {
        "version": 2,
        "title": "Lighting on 63rd St.",
        "action": "Fix",
        "owner": "Streets",
        "areas": ["7"],
        "due_on": "2025-09-01",
        "metric": "",
        "baseline": "",
        "target": "",
        "priority": None,
    },
    "commitment.council_vote": {"version": 1, "approve": True},
    "commitment.council_decided": {
        "version": 1,
        "outcome": "approved",
        "approvals": 4,
        "rejections": 1,
        "rule": {"quorum": 3, "majority_percent": 60},
    },
    "commitment.status_changed": {"version": 1, "from": "proposed", "to": "agreed"},
    "commitment.owner_responded": {
        "version": 1,
        "owner": "Streets",
        "response": "accepted",
        "reason": "",
    },
    "commitment.withdrawn": {"version": 1, "reason": "Done another way"},
    "commitment.change_proposed": {"version": 1, "side": "owner", "text": "Two weeks"},
    "commitment.progress_posted": {
        "update": 3,
        "status": "on_track",
        "metric_value": "12",
        "evidence_url": "",
    },
    "commitment.flagged": {"flag": "overdue", "due_on": "2025-09-01"},
    "commitment.flag_cleared": {"flag": "", "due_on": "2025-09-01"},
    "commitment.rated": {"scorecard": 7},
}


def _names_in(expression, module):
    """Action names an `action=` expression holds: literals, and the module's constants it names
    (a string, or a dict of them)."""
    for leaf in ast.walk(expression):
        if isinstance(leaf, ast.Constant) and isinstance(leaf.value, str):
            values = [leaf.value]
        elif isinstance(leaf, ast.Name):
            value = getattr(module, leaf.id, None)
            values = list(value.values()) if isinstance(value, dict) else [value]
        else:
            continue
        yield from (v for v in values if isinstance(v, str) and ACTION_NAME.match(v))


def actions_written_in_code():
    """Every action name the code passes as `action=` anywhere in cpps, and where."""
    found = {}
    for path in sorted(CPPS.rglob("*.py")):
        if "engines" in path.parts or "migrations" in path.parts:
            continue
        module = importlib.import_module(
            ".".join(path.relative_to(CPPS.parent).with_suffix("").parts)
        )
        for node in ast.walk(ast.parse(path.read_text())):
            for keyword in getattr(node, "keywords", []):
                if isinstance(node, ast.Call) and keyword.arg == "action":
                    for name in _names_in(keyword.value, module):
                        found[name] = f"{path.name}:{node.lineno}"
    return found


def test_every_action_the_code_writes_is_registered():
    written = actions_written_in_code()
    assert len(written) >= 60
    unregistered = {name: where for name, where in written.items() if name not in EXAMPLES}
    assert not unregistered
    for name in written:
        audit_action(name)  # raises for an unregistered name


def test_writing_an_unregistered_action_is_refused(chicago):
    count = AuditEvent.objects.count()
    with pytest.raises(UnregisteredAuditActionError, match=r"audit_actions\.py"):
        audit_event_record(jurisdiction=chicago, actor=SYSTEM, action="process.deleted")
    assert AuditEvent.objects.count() == count


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_registered_action_reads_as_a_sentence(language):
    registered = {action.name for action in audit_actions() if not action.name.startswith("test.")}
    assert registered == set(EXAMPLES)
    with translation.override(language):
        for action in audit_actions():
            if action.name not in EXAMPLES:
                continue
            act = RecordedAct(EXAMPLES[action.name], "Lighting on 63rd St.")
            sentence = action.sentence(act)  # the sentence itself, not the fallback
            assert "%(" not in sentence, (action.name, sentence)
            assert action.name not in sentence, sentence
            assert sentence.endswith("."), sentence
            if action.residents_act:
                many = action.count_sentence(12)
                assert "12" in many, action.name
                assert many != action.count_sentence(1), action.name


def test_sentences_are_translated_into_spanish():
    act = RecordedAct(EXAMPLES["commitment.council_decided"], "Lighting on 63rd St.")
    decided = audit_action("commitment.council_decided")
    english = decided.sentence(act)
    with translation.override("es"):
        spanish = decided.sentence(act)
    assert (
        english == "The council approved the commitment “Lighting on 63rd St.” (4 for, 1 against)."
    )
    assert spanish.startswith("El consejo aprobó el compromiso “Lighting on 63rd St.”")
    with translation.override("es"):
        assert audit_action("commitment.rated").count_sentence(12) == (
            "12 residentes calificaron compromisos."
        )


def test_the_record_reads_as_sentences_with_links(chicago):
    html = Client().get(RECORD).content.decode()
    agreed = Commitment.objects.filter(jurisdiction=chicago, status="agreed").first()
    assert f"The council approved the commitment “{agreed.title}”" in html
    assert f'href="/j/chicago/accountability/commitments/{agreed.pk}/"' in html
    # no machine codes outside the folded details, and the details are there as JSON
    acts = html[
        html.index('<ol class="record">') : html.index("</ol>", html.index('<ol class="record">'))
    ]
    assert "commitment.council_decided" not in acts
    assert "quotas=[[" not in acts
    assert "<details>" in html
    assert "&quot;approvals&quot;: " in html
    assert "Intact." in html
    assert "cpps audit verify --jurisdiction chicago" in html
    with translation.override("es"):
        spanish = Client(headers={"accept-language": "es"}).get(RECORD).content.decode()
    assert "El consejo aprobó el compromiso" in spanish
    assert "Registro público" in spanish


def test_residents_acts_are_counted_per_day_and_never_timed(chicago):
    round_ = Process.objects.get(jurisdiction=chicago, kind="priority_round")
    writers = [
        participant_for(process=round_, identity=Identity.web_session(f"writer-{n}"))
        for n in range(3)
    ]
    counted = AuditDayCount.objects.filter(
        action="priority.idea_submitted", day=timezone.localdate(), process_id=round_.pk
    ).first()
    before = counted.count if counted else 0
    for writer in writers:
        idea_submit(participant=writer, text="My neighbour at 12 Elm St. deals drugs at 2 am.")
    events = AuditEvent.objects.filter(action="priority.idea_submitted")
    assert {event.chain for event in events} == {f"jurisdiction:{chicago.pk}:residents"}
    midnight = {timezone.localtime(event.recorded_at).time() for event in events}
    assert midnight == {timezone.datetime.min.time()}
    today = AuditDayCount.objects.get(
        action="priority.idea_submitted", day=timezone.localdate(), process_id=round_.pk
    )
    assert today.count == before + 3
    html = Client().get(RECORD).content.decode()
    assert f"{before + 3} residents proposed an idea." in html
    assert "12 Elm St." not in html  # a resident's words never reach the record
    assert "A resident proposed an idea" not in html  # not one row each
    assert (
        "12 Elm St."
        not in Client()
        .get("/api/jurisdictions/chicago/audit-events/residents?limit=500")
        .content.decode()
    )


def test_the_record_filters_by_kind_process_and_day(chicago):
    client = Client()
    surveys = client.get(RECORD, {"kind": "topic:surveys"}).content.decode()
    assert "was published" in surveys
    assert "The council approved" not in surveys
    decided = client.get(RECORD, {"kind": "action:commitment.council_decided"}).content.decode()
    assert "The council approved" in decided
    assert "was drafted" not in decided
    survey = Process.objects.filter(jurisdiction=chicago, kind="survey").first()
    one = client.get(RECORD, {"process": survey.pk}).content.decode()
    assert survey.title in one
    assert "The council approved" not in one
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    later = client.get(RECORD, {"since": tomorrow}).content.decode()
    assert later.count('class="record-entry"') == 0
    backwards = client.get(RECORD, {"since": tomorrow, "until": "2020-01-01"})
    assert backwards.status_code == 200
    assert "The last day comes before the first day." in backwards.content.decode()
    nonsense = client.get(RECORD, {"kind": "action:nope", "since": "soon", "process": "x"})
    assert nonsense.status_code == 200
    assert 'class="field-message"' in nonsense.content.decode()


def test_a_record_page_reads_the_same_whatever_the_log_holds(chicago):
    """Reads scale with what is shown: more events (and residents' acts) cost no more queries,
    and the chain's status comes from the last check, not a walk of the chain."""

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(RECORD).status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    before = queries()
    for n in range(120):
        audit_event_record(
            jurisdiction=chicago,
            actor=SYSTEM,
            action="process.links_issued",
            target=Process.objects.filter(jurisdiction=chicago).first(),
            payload={"count": n, "expires_on": "2025-01-01"},
        )
    # one lookup per kind of object shown, whatever the number of events
    assert len(queries()) <= len(before)


def test_the_status_shows_the_last_check_and_what_came_since(chicago):
    audit_chains_check(jurisdiction=chicago)
    process = Process.objects.filter(jurisdiction=chicago).first()
    audit_event_record(
        jurisdiction=chicago,
        actor=SYSTEM,
        action="process.links_issued",
        target=process,
        payload={"count": 1, "expires_on": "2025-01-01"},
    )
    html = Client().get(RECORD).content.decode()
    assert "1 entry was added since; the next check includes it." in html
    status = Client().get("/api/jurisdictions/chicago/audit-events/verification").json()
    assert status["intact"]
    assert status["events_recorded"] == status["events_checked"] + 1


def test_the_record_pages_by_sequence_without_gaps_or_overlaps(chicago):
    process = Process.objects.filter(jurisdiction=chicago).first()
    for n in range(120):
        audit_event_record(
            jurisdiction=chicago,
            actor=SYSTEM,
            action="process.links_issued",
            target=process,
            payload={"count": n, "expires_on": "2025-01-01"},
        )
    client, seen, query = Client(), [], {}
    pages = []
    for _page in range(10):
        html = client.get(RECORD, query).content.decode()
        numbers = [int(n) for n in re.findall(r'<p class="record-meta">#(\d+) ', html)]
        pages.append(numbers)
        seen += numbers
        older = re.search(r'href="\?before=(\d+)"', html)
        if older is None:
            break
        query = {"before": older.group(1)}
    head = AuditEvent.objects.filter(chain=f"jurisdiction:{chicago.pk}").count()
    assert seen == sorted(seen, reverse=True)
    assert len(set(seen)) == len(seen) == head  # the demo has no older residents' acts here
    assert all(len(page) == 50 for page in pages[:-1])
    newer = re.search(r'href="\?after=(\d+)"', client.get(RECORD, query).content.decode()).group(1)
    back = client.get(RECORD, {"after": newer}).content.decode()
    assert [int(n) for n in re.findall(r'<p class="record-meta">#(\d+) ', back)] == pages[-2]
    assert client.get(RECORD, {"before": "x" * 30, "after": "-1"}).status_code == 200
