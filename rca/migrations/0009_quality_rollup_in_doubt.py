"""Quality rollups split by whether the audits' verdicts are in doubt (`QualityRollup.in_doubt`).

Existing rollup rows get `in_doubt = false`, which is right for every day without a sample in doubt. The days that
have one are marked (`QualityRollupMark`), so the next refresh (the beat task `refresh-quality-rollups`, the next
import, or `manage.py rebuild_quality_rollups`) rebuilds them with the split; until then their in-doubt audits are
counted as not in doubt (as they were before this migration).
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import TruncDate
from zoneinfo import ZoneInfo


def mark_days_in_doubt(apps, schema_editor):
    sample_model = apps.get_model("rca", "ModerationSample")
    mark_model = apps.get_model("rca", "QualityRollupMark")
    rollup_model = apps.get_model("rca", "QualityRollup")
    if not rollup_model.objects.exists():
        return  # nothing rolled up yet: the first refresh or rebuild builds the split
    days = (
        sample_model.objects.filter(verdict_in_doubt=True)
        .annotate(day=TruncDate("decided_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))
        .values_list("day", flat=True)
        .distinct()
        .order_by()
    )
    mark_model.objects.bulk_create([mark_model(day=day) for day in sorted(set(days))])


class Migration(migrations.Migration):

    dependencies = [
        ('rca', '0008_import_jobs'),
    ]

    operations = [
        migrations.AddField(
            model_name='qualityrollup',
            name='in_doubt',
            field=models.BooleanField(default=False, help_text="Whether these audits' verdicts are in doubt."),
        ),
        migrations.RunPython(mark_days_in_doubt, migrations.RunPython.noop),
    ]
