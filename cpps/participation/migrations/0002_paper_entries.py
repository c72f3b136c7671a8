import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('participation', '0001_initial'),
        ('listening', '0005_paper_entries_move_to_participation'),
        ('processes', '0003_participation_owns_participants'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The listening app's table of paper entries, with its rows, belongs here now.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PaperEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('form_code', models.CharField(max_length=20)),
                        ('values', models.JSONField(default=dict)),
                        ('keyed_at', models.DateTimeField(auto_now_add=True)),
                        ('stored_at', models.DateTimeField(blank=True, null=True)),
                        ('keyed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('process', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='processes.process')),
                    ],
                    options={
                        'db_table': 'listening_paperentry',
                        'ordering': ['form_code', 'keyed_at'],
                        'constraints': [models.UniqueConstraint(fields=('process', 'form_code', 'keyed_by'), name='paper_entry_once_per_person')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
