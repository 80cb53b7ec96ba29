"""`Case.audience`: the teams and people a case is open to, for partners' lists (see cases/audience.py).

Filled from the existing relations, then indexed on PostgreSQL with GIN (which serves `?|`, Django's `has_any_keys`).
"""

from collections import defaultdict

from django.db import migrations, models

BATCH = 2000


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    ActionItem = apps.get_model("cases", "ActionItem")
    keys = defaultdict(set)
    for case_id, team_id in Case.objects.filter(team__isnull=False).values_list("pk", "team_id").iterator():
        keys[case_id].add(f"t{team_id}")
    for case_id, team_id in Case.shared_teams.through.objects.values_list("case_id", "team_id").iterator():
        keys[case_id].add(f"t{team_id}")
    for case_id, user_id in Case.watchers.through.objects.values_list("case_id", "user_id").iterator():
        keys[case_id].add(f"u{user_id}")
    for case_id, user_id in ActionItem.objects.filter(owner__isnull=False).values_list("case_id", "owner_id"):
        keys[case_id].add(f"u{user_id}")
    ids = sorted(keys)
    for start in range(0, len(ids), BATCH):
        cases = [
            Case(pk=case_id, audience=dict.fromkeys(sorted(keys[case_id]), True))
            for case_id in ids[start : start + BATCH]
        ]
        Case.objects.bulk_update(cases, ["audience"])


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX case_audience_idx ON cases_case USING gin (audience)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_audience_idx")


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_case_status_severity_index")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="audience",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="Keys of the teams (t<id>) and people (u<id>) the case is open to; kept by cases.audience.",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
