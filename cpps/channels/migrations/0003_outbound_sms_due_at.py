from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('channels', '0002_conversations_from_capabilities'),
    ]

    operations = [
        migrations.AddField(
            model_name='outboundsms',
            name='due_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
