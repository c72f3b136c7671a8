"""Carry every phone's place over from the capabilities' own session tables (surveys' phone
sessions, priority rounds' and scorecards' SMS conversations) into the one conversation table,
so a phone that finished a survey is still known as done. The digests were made the same way
("<channel>:<process id>" keyed with the pseudonym key), so conversations continue unchanged.
Panel registrations by text in progress are not carried: they restart at "text your code"."""

from django.db import migrations


def copy_conversations(apps, schema_editor):
    Conversation = apps.get_model("channels", "Conversation")
    PhoneSession = apps.get_model("listening", "PhoneSession")
    SmsConversation = apps.get_model("accountability", "SmsConversation")
    made = []
    for session in PhoneSession.objects.select_related("response").iterator():
        made.append(
            Conversation(
                process_id=session.process_id,
                channel=session.channel,
                phone_digest=session.phone_digest,
                language=session.language,
                opted_out=session.opted_out,
                participant_id=session.response.participant_id if session.response else None,
                state={"response": session.response_id} if session.response_id else {},
            )
        )
    for old in SmsConversation.objects.iterator():
        state = {"skipped": list(old.skipped or [])}
        if old.first_id and old.second_id:
            state["pair"] = [old.first_id, old.second_id]
        if old.commitment_id:
            state["commitment"] = old.commitment_id
        made.append(
            Conversation(
                process_id=old.process_id,
                channel="sms",
                phone_digest=old.phone_digest,
                language=old.language,
                opted_out=old.stopped,
                participant_id=old.participant_id,
                state=state,
            )
        )
    Conversation.objects.bulk_create(made, batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('channels', '0001_initial'),
        ('listening', '0003_fewer_indexes_on_submissions'),
        ('accountability', '0002_initial'),
    ]

    operations = [
        migrations.RunPython(copy_conversations, migrations.RunPython.noop),
    ]
