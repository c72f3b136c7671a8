import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('panels', '0002_invitation_phone_and_sms'),
        ('channels', '0001_initial'),
    ]

    operations = [
        # Registrations by text in progress now live in the channels' conversations.
        migrations.DeleteModel(name='PanelSmsSession'),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='invitation',
                    name='sms',
                    field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='panel_invitation', to='channels.outboundsms'),
                ),
            ],
            database_operations=[],
        ),
    ]
