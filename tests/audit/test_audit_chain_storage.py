import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from cpps.audit.actions import ActionTopic, AuditAction, audit_action_register, says
from cpps.audit.models import AppendOnlyError, AuditChainHead, AuditEvent
from cpps.audit.selectors import audit_chain_verify
from cpps.audit.services import SYSTEM, audit_event_record
from cpps.jurisdictions.services import jurisdiction_create

pytestmark = pytest.mark.django_db

# An act only these tests record (every recorded action must be registered with its sentence).
TICK = audit_action_register(
    AuditAction("test.tick", ActionTopic("test", "Tests"), "Tick", says("Tick %(n)s."))
)

# Every stored column of an audit event, with a by-hand change that must be detected.
HAND_EDITS = {
    "chain": "'jurisdiction:999'",
    "sequence": "sequence + 100",
    "recorded_at": "'2001-01-01 00:00:00'",
    "actor_ref": "'user:999999'",
    "actor_role": "'police_liaison'",
    "action": "'process.deleted'",
    "object_type": "'forged_type'",
    "object_id": "'424242'",
    "payload": """'{"forged": true}'""",
    "prev_hash": "'" + "1" * 64 + "'",
    "hash": "'" + "2" * 64 + "'",
    "jurisdiction_id": "NULL",
}


def edit_by_hand(sql):
    """Change a stored row the way someone with database access would, bypassing the ORM."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Foreign keys to events (response seals) are checked at once, not at commit, so no
            # check is left pending when the trigger is switched back on.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def test_demo_chain_verifies(chicago, capsys):
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "All 2 audit chains are intact." in out
    assert "chicago (residents' acts): intact" in out


@pytest.mark.parametrize("column", sorted(HAND_EDITS))
def test_changing_any_column_of_any_row_by_hand_is_caught(chicago, column):
    middle = AuditEvent.objects.filter(jurisdiction=chicago).order_by("sequence")[5]
    edit_by_hand(
        f"UPDATE audit_auditevent SET {column} = {HAND_EDITS[column]} WHERE id = {middle.pk}"
    )
    with pytest.raises(CommandError, match="Audit chain broken"):
        call_command("audit", "verify", "--jurisdiction", "chicago")


def test_removing_the_newest_row_by_hand_is_caught(chicago):
    newest = AuditEvent.objects.filter(chain=f"jurisdiction:{chicago.pk}").order_by("-sequence")[0]
    edit_by_hand(f"DELETE FROM audit_auditevent WHERE id = {newest.pk}")
    organisational, _residents = audit_chain_verify(jurisdiction=chicago)
    assert organisational.verification.first_break.sequence == newest.sequence


def test_the_orm_refuses_to_update_or_delete_events(chicago):
    event = AuditEvent.objects.filter(jurisdiction=chicago).first()
    event.action = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)
def test_postgresql_trigger_refuses_raw_updates_and_deletes(chicago):
    for statement in ("UPDATE audit_auditevent SET action = 'x'", "DELETE FROM audit_auditevent"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)


def test_an_act_and_its_event_are_stored_together_or_not_at_all(db):
    jurisdiction = jurisdiction_create(name="Evanston")
    before = AuditEvent.objects.filter(jurisdiction=jurisdiction).count()

    def act_that_fails_after_its_event_is_written():
        with transaction.atomic():
            audit_event_record(
                jurisdiction=jurisdiction, actor=SYSTEM, action=TICK, payload={"n": 1}
            )
            raise RuntimeError("the act failed")

    with pytest.raises(RuntimeError, match="the act failed"):
        act_that_fails_after_its_event_is_written()
    assert AuditEvent.objects.filter(jurisdiction=jurisdiction).count() == before
    head = AuditChainHead.objects.get(chain=f"jurisdiction:{jurisdiction.pk}")
    assert head.sequence == before


def test_payloads_without_a_canonical_form_are_refused_before_writing(db):
    jurisdiction = jurisdiction_create(name="Oak Park")
    count = AuditEvent.objects.count()
    with pytest.raises(Exception, match="canonical"):
        audit_event_record(
            jurisdiction=jurisdiction, actor=SYSTEM, action=TICK, payload={"v": float("nan")}
        )
    assert AuditEvent.objects.count() == count


def test_sequences_are_per_jurisdiction_and_gapless(db):
    first = jurisdiction_create(name="Cicero")
    second = jurisdiction_create(name="Berwyn")
    for n in range(3):
        audit_event_record(jurisdiction=first, actor=SYSTEM, action=TICK, payload={"n": n})
    audit_event_record(jurisdiction=second, actor=SYSTEM, action=TICK, payload={})
    assert list(
        AuditEvent.objects.filter(jurisdiction=first).values_list("sequence", flat=True)
    ) == [1, 2, 3, 4]
    assert list(
        AuditEvent.objects.filter(jurisdiction=second).values_list("sequence", flat=True)
    ) == [1, 2]
    assert all(report.verification.intact for report in audit_chain_verify())
