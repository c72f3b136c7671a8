import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('processes', '0002_fewer_indexes_on_submissions'),
        ('participation', '0001_initial'),
        ('common', '0001_initial'),
        ('listening', '0003_fewer_indexes_on_submissions'),
    ]

    operations = [
        # Inbound deliveries were the listening app's and outbound messages the common app's;
        # the tables and their rows stay, only Django's idea of which app owns them changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='InboundDelivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel', models.CharField(choices=[('sms', 'Text message'), ('voice', 'Phone call')], max_length=10)),
                        ('sid', models.CharField(max_length=64)),
                        ('step', models.PositiveIntegerField(default=0)),
                        ('reply', models.TextField(blank=True)),
                        ('received_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'db_table': 'listening_inbounddelivery',
                        'constraints': [models.UniqueConstraint(fields=('channel', 'sid', 'step'), name='delivery_once')],
                    },
                ),
                migrations.CreateModel(
                    name='OutboundSms',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=100, unique=True)),
                        ('purpose', models.CharField(max_length=40)),
                        ('to', models.CharField(max_length=20)),
                        ('body', models.TextField()),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('sending', 'Being sent'), ('sent', 'Sent'), ('failed', 'Failed')], default='queued', max_length=10)),
                        ('backend', models.CharField(blank=True, max_length=40)),
                        ('provider_id', models.CharField(blank=True, max_length=64)),
                        ('error', models.TextField(blank=True)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'db_table': 'common_outboundsms',
                        'ordering': ['pk'],
                        'indexes': [models.Index(fields=['status'], name='outbound_sms_status')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.CreateModel(
            name='Conversation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(choices=[('sms', 'Text message'), ('voice', 'Phone call')], max_length=10)),
                ('phone_digest', models.CharField(max_length=64)),
                ('language', models.CharField(blank=True, max_length=8)),
                ('opted_out', models.BooleanField(default=False)),
                ('state', models.JSONField(blank=True, default=dict)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('participant', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='participation.participant')),
                ('process', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='processes.process')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('process', 'channel', 'phone_digest'), name='conversation_once')],
            },
        ),
        migrations.CreateModel(
            name='ChannelRoute',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=20)),
                ('keyword', models.CharField(blank=True, max_length=20)),
                ('process', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='channel_routes', to='processes.process')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('number', 'keyword'), name='channel_route_once')],
            },
        ),
    ]
