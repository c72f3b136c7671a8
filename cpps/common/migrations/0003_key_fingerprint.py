from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('common', '0002_outbound_sms_moves_to_channels'),
    ]

    operations = [
        migrations.CreateModel(
            name='KeyFingerprint',
            fields=[
                ('name', models.CharField(max_length=40, primary_key=True, serialize=False)),
                ('fingerprint', models.CharField(max_length=64)),
                ('recorded_at', models.DateTimeField(auto_now_add=True)),
            ],
        ),
    ]
