import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accountability', '0002_initial'),
        ('participation', '0001_initial'),
        ('channels', '0002_conversations_from_capabilities'),
    ]

    operations = [
        # SMS conversations were copied into the channels' conversations.
        migrations.DeleteModel(name='SmsConversation'),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='rating',
                    name='participant',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ratings', to='participation.participant'),
                ),
            ],
            database_operations=[],
        ),
    ]
