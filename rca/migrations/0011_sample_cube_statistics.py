"""Statistics on how many combinations of the traffic cube's columns there are, on PostgreSQL 10+.

Detection groups the window's audits by market, language, decision source, model version, queue, content type and
tags (`rca.detection.reader.read_cube`). From each column's own statistics PostgreSQL multiplies the distinct values
and expected ~2M groups where there were 88,000 (6.65M audits in the window, 20M in the table, issue 20): it sorted
the window on disk and took 15.8 s. With `ndistinct` statistics on the columns together it expects ~10,000 groups and
hashes them in parallel: 3.5-3.9 s. They cost nothing on writes: `ANALYZE` (and autovacuum's) computes them.
"""

from django.db import migrations

NAME = "sample_cube_ndistinct"
COLUMNS = ("market", "language", "decision_source", "model_version", "queue", "content_type", "tags")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    table = quote(apps.get_model("rca", "ModerationSample")._meta.db_table)
    columns = ", ".join(quote(column) for column in COLUMNS)
    schema_editor.execute(f"CREATE STATISTICS IF NOT EXISTS {quote(NAME)} (ndistinct) ON {columns} FROM {table}")
    schema_editor.execute(f"ANALYZE {table}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {schema_editor.quote_name(NAME)}")


class Migration(migrations.Migration):
    dependencies = [("rca", "0010_sample_text_trigram_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
