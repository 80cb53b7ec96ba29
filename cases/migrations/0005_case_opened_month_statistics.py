"""PostgreSQL only: extended statistics on the month a case was opened, so that the planner knows the closure report's
`GROUP BY date_trunc('month', opened_at AT TIME ZONE 'UTC')` has a few dozen groups (not one per case) and picks a
parallel, partial aggregation. Matches `TruncMonth("opened_at")` with TIME_ZONE = "UTC" (the default); with another
time zone the statistics are simply unused."""

from django.db import migrations

CREATE = (
    "CREATE STATISTICS IF NOT EXISTS cases_case_opened_month "
    "ON (date_trunc('month', opened_at AT TIME ZONE 'UTC')) FROM cases_case"
)
DROP = "DROP STATISTICS IF EXISTS cases_case_opened_month"


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.execute("ANALYZE cases_case")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_notifications_and_report_snapshots")]
    operations = [migrations.RunPython(create_statistics, drop_statistics)]
