from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('common', '0001_initial'),
        ('panels', '0003_outbound_and_conversations_move_to_channels'),
        ('channels', '0001_initial'),
    ]

    operations = [
        # The channels app owns outbound messages now (same table, same rows).
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='OutboundSms')],
            database_operations=[],
        ),
    ]
