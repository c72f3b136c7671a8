from django.db import migrations, models


def mark_stored(apps, schema_editor):
    PaperEntry = apps.get_model("listening", "PaperEntry")
    for entry in PaperEntry.objects.filter(response__isnull=False).iterator():
        PaperEntry.objects.filter(pk=entry.pk).update(stored_at=entry.keyed_at)


class Migration(migrations.Migration):
    """Double entry of paper forms is shared by every capability now: an entry records that its
    form was stored (``stored_at``), not which survey response it became."""

    dependencies = [
        ('listening', '0004_channels_and_participation_own_their_tables'),
    ]

    operations = [
        migrations.AddField(
            model_name='paperentry',
            name='stored_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_stored, migrations.RunPython.noop),
        migrations.RemoveField(model_name='paperentry', name='response'),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='PaperEntry')],
            database_operations=[],
        ),
    ]
