"""The chain checks pages read, and residents' acts counted per day.

Residents' acts recorded before they had a chain of their own are counted too, so the record
shows them as counts like every later one (the names and where each keeps its process, as the
apps registered them when this migration was written).
"""

from django.db import migrations, models
from django.utils import timezone

RESIDENTS_ACTS = {
    "commitment.rated": "scorecard",
    "priority.idea_submitted": "process",
    "deliberation.statement_submitted": "object",
    "deliberation.ballot_keyed": "object",
    "deliberation.ballot_resolved": "object",
    "panel.registered": "object",
    "participation.resident_verified": "object",
    "survey.paper_keyed": "object",
    "survey.paper_resolved": "object",
}


def count_earlier_residents_acts(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditDayCount = apps.get_model("audit", "AuditDayCount")
    counts: dict[tuple[str, object, str, int], int] = {}
    events = AuditEvent.objects.filter(action__in=RESIDENTS_ACTS).iterator(chunk_size=2000)
    for event in events:
        source = RESIDENTS_ACTS[event.action]
        if source == "object":
            process = int(event.object_id) if event.object_type == "process" else 0
        else:
            value = event.payload.get(source)
            process = value if isinstance(value, int) else 0
        key = (event.chain, timezone.localdate(event.recorded_at), event.action, process)
        counts[key] = counts.get(key, 0) + 1
    AuditDayCount.objects.bulk_create(
        AuditDayCount(chain=chain, day=day, action=action, process_id=process, count=count)
        for (chain, day, action, process), count in counts.items()
    )


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only_trigger'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditChainCheck',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('chain', models.CharField(max_length=40, unique=True)),
                ('checked_at', models.DateTimeField()),
                ('events_checked', models.PositiveBigIntegerField()),
                ('intact', models.BooleanField()),
                ('first_bad_sequence', models.PositiveBigIntegerField(null=True)),
                ('reason', models.CharField(blank=True, max_length=200)),
            ],
        ),
        migrations.CreateModel(
            name='AuditDayCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('chain', models.CharField(max_length=40)),
                ('day', models.DateField()),
                ('action', models.CharField(max_length=80)),
                ('process_id', models.PositiveBigIntegerField(default=0)),
                ('count', models.PositiveIntegerField(default=0)),
            ],
            options={
                'indexes': [models.Index(fields=['chain', '-day'], name='audit_day_count_recent')],
                'constraints': [models.UniqueConstraint(fields=('chain', 'day', 'action', 'process_id'), name='audit_day_count_unique')],
            },
        ),
        migrations.RunPython(count_earlier_residents_acts, migrations.RunPython.noop),
    ]
