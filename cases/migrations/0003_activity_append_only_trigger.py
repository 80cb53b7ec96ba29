"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the timeline (append-only even for raw SQL)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION cases_activity_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'cases_activity is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cases_activity_append_only
    BEFORE UPDATE OR DELETE ON cases_activity
    FOR EACH ROW EXECUTE FUNCTION cases_activity_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS cases_activity_append_only ON cases_activity;
DROP FUNCTION IF EXISTS cases_activity_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_roles_and_teams")]
    operations = [migrations.RunPython(create, drop)]
