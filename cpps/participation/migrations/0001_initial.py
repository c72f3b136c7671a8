import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('processes', '0002_fewer_indexes_on_submissions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Participants and one-time links were the processes app's; the tables and their rows
        # stay where they are, and only Django's idea of which app owns them changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='OneTimeLink',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('secret_digest', models.CharField(max_length=64, unique=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('redeemed_at', models.DateTimeField(blank=True, null=True)),
                        ('process', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='one_time_links', to='processes.process')),
                    ],
                    options={
                        'db_table': 'processes_onetimelink',
                    },
                ),
                migrations.CreateModel(
                    name='Participant',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('pseudonym', models.CharField(max_length=64)),
                        ('channel', models.CharField(choices=[('web', 'Web'), ('sms', 'Text message'), ('voice', 'Phone call'), ('paper', 'Paper form')], max_length=10)),
                        ('demographics', models.JSONField(blank=True, default=dict)),
                        ('joined_at', models.DateTimeField(auto_now_add=True)),
                        ('process', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='participants', to='processes.process')),
                    ],
                    options={
                        'db_table': 'processes_participant',
                        'constraints': [models.UniqueConstraint(fields=('process', 'pseudonym'), name='participant_pseudonym_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name='participant',
            name='verified',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='onetimelink',
            name='expires_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name='Eligibility',
            fields=[
                ('process', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='eligibility', serialize=False, to='processes.process')),
                ('mode', models.CharField(choices=[('open', 'Open to anyone'), ('invitation', 'By invitation only'), ('verified', 'Verified residents')], default='open', max_length=12)),
                ('device_limit', models.PositiveIntegerField(default=1)),
                ('network_limit', models.PositiveIntegerField(default=5)),
                ('network_window_hours', models.PositiveIntegerField(default=24)),
                ('methods', models.JSONField(blank=True, default=list)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name_plural': 'eligibilities',
            },
        ),
        migrations.CreateModel(
            name='BurstFlag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('window_start', models.DateTimeField()),
                ('joins', models.PositiveIntegerField()),
                ('refused', models.PositiveIntegerField(default=0)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('reviewed_at', models.DateTimeField(blank=True, null=True)),
                ('reviewed_note', models.CharField(blank=True, max_length=300)),
                ('process', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='burst_flags', to='processes.process')),
            ],
            options={
                'ordering': ['-window_start'],
            },
        ),
        migrations.CreateModel(
            name='EntryPass',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('method', models.CharField(choices=[('in_person', 'Handed over after an in-person check'), ('sms_invitation', 'Texted to a number on an invitation list')], max_length=16)),
                ('code_digest', models.CharField(max_length=64, unique=True)),
                ('credential_digest', models.CharField(max_length=64)),
                ('redeemed', models.BooleanField(default=False)),
                ('process', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='processes.process')),
            ],
            options={
                'indexes': [models.Index(fields=['process', 'credential_digest'], name='entry_pass_credential')],
            },
        ),
        migrations.CreateModel(
            name='JoinCounter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scope', models.CharField(choices=[('device', 'Device'), ('network', 'Network address')], max_length=10)),
                ('digest', models.CharField(max_length=64)),
                ('window_start', models.DateTimeField()),
                ('count', models.PositiveIntegerField(default=0)),
                ('process', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='processes.process')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('process', 'scope', 'digest', 'window_start'), name='join_counter_once')],
            },
        ),
        migrations.CreateModel(
            name='ResidencyCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code_digest', models.CharField(max_length=64, unique=True)),
                ('address', models.TextField()),
                ('address_digest', models.CharField(max_length=64)),
                ('code_for_letter', models.CharField(blank=True, max_length=16)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('redeemed', models.BooleanField(default=False)),
                ('process', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='residency_codes', to='processes.process')),
            ],
            options={
                'ordering': ['pk'],
                'constraints': [models.UniqueConstraint(fields=('process', 'address_digest'), name='residency_code_address_once')],
            },
        ),
        migrations.CreateModel(
            name='SmsChallenge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('phone_digest', models.CharField(max_length=64)),
                ('code_digest', models.CharField(max_length=64)),
                ('expires_at', models.DateTimeField()),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('process', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='processes.process')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('process', 'phone_digest'), name='sms_challenge_once')],
            },
        ),
        migrations.CreateModel(
            name='Verification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('method', models.CharField(choices=[('mailed_code', 'A code mailed to the home address'), ('sms_code', 'A code sent by text message'), ('in_person', 'In person, with an organiser')], max_length=12)),
                ('credential_digest', models.CharField(max_length=64)),
                ('verified_on', models.DateField()),
                ('note', models.CharField(blank=True, max_length=300)),
                ('process', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='verifications', to='processes.process')),
                ('verified_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('process', 'credential_digest'), name='verification_credential_once')],
            },
        ),
    ]
