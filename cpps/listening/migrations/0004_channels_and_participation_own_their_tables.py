import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('listening', '0003_fewer_indexes_on_submissions'),
        ('participation', '0001_initial'),
        ('channels', '0002_conversations_from_capabilities'),
    ]

    operations = [
        # The channels app owns inbound deliveries now (same table, same rows).
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='InboundDelivery')],
            database_operations=[],
        ),
        # Phone sessions were copied into the channels' conversations.
        migrations.DeleteModel(name='PhoneSession'),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='response',
                    name='participant',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='responses', to='participation.participant'),
                ),
            ],
            database_operations=[],
        ),
    ]
