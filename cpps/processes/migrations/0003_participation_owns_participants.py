import cpps.processes.kinds
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('processes', '0002_fewer_indexes_on_submissions'),
        ('participation', '0001_initial'),
        ('listening', '0004_channels_and_participation_own_their_tables'),
        ('accountability', '0003_conversations_move_to_channels'),
        ('priorities', '0002_participants_are_participations'),
    ]

    operations = [
        # The participation app owns participants and one-time links now (same tables, rows).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='OneTimeLink'),
                migrations.DeleteModel(name='Participant'),
            ],
            database_operations=[],
        ),
        migrations.AlterField(
            model_name='process',
            name='kind',
            field=models.CharField(choices=cpps.processes.kinds.kind_choices, max_length=20),
        ),
    ]
