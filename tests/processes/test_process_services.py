import pytest

from cpps.audit.models import AuditEvent
from cpps.common.errors import InvalidInputError, InvalidTransitionError, PermissionRefusedError
from cpps.processes.models import Process, ProcessState
from cpps.processes.services import process_agenda_update, process_create, process_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(chicago, accounts):
    return process_create(
        user=accounts["facilitator"],
        jurisdiction=chicago,
        kind="survey",
        title="Safe at night?",
        purpose="How safe do you feel?",
        area_codes=["7", "8"],
    )


def test_create_records_an_audit_event_with_public_facts_only(survey, accounts):
    event = AuditEvent.objects.filter(object_type="process", object_id=str(survey.pk)).get()
    assert event.action == "process.created"
    assert event.actor_role == "facilitator"
    assert event.actor_ref == f"user:{accounts['facilitator'].pk}"
    assert event.payload["areas"] == ["7", "8"]
    assert survey.state == ProcessState.DRAFT


@pytest.mark.parametrize(
    "role", ["police_liaison", "city_official", "resident", "admin", "auditor"]
)
def test_only_community_roles_convene(chicago, accounts, role):
    before = Process.objects.count()
    with pytest.raises(PermissionRefusedError):
        process_create(
            user=accounts[role], jurisdiction=chicago, kind="survey", title="t", purpose="p"
        )
    assert Process.objects.count() == before


def test_unknown_area_is_refused_with_its_code(chicago, accounts):
    with pytest.raises(InvalidInputError, match="Unknown area: 13"):
        process_create(
            user=accounts["facilitator"],
            jurisdiction=chicago,
            kind="survey",
            title="t",
            purpose="p",
            area_codes=["7", "13"],
        )


def test_lifecycle_follows_the_allowed_transitions(survey, accounts):
    facilitator = accounts["facilitator"]
    with pytest.raises(InvalidTransitionError):
        process_transition(user=facilitator, process=survey, to_state="published")
    for state in ("open", "closed", "published"):
        process_transition(user=facilitator, process=survey, to_state=state)
    assert list(
        AuditEvent.objects.filter(object_id=str(survey.pk), action="process.state_changed")
        .order_by("sequence")
        .values_list("payload", flat=True)
    ) == [
        {"from": "draft", "to": "open"},
        {"from": "open", "to": "closed"},
        {"from": "closed", "to": "published"},
    ]
    with pytest.raises(InvalidTransitionError):
        process_agenda_update(user=facilitator, process=survey, title="x", purpose="y")
