"""Trigram indexes on the text a sample search reads (`q`: `UPPER(notes) LIKE ...`, `UPPER(transcript) LIKE ...`), on
PostgreSQL.

Without them a search reads every sample's text: a word that matches nothing took 4.8 s on 20M audits (issue 20,
docs/performance.md). A GIN index of trigrams (`pg_trgm`) on each expression the ORM's `icontains` compares answers it
from the index, and lets the planner still walk the newest audits first when a word is common (the statistics of
migration 0005). They cost the import: each imported row adds its trigrams to both indexes (measured in
docs/performance.md).

`pg_trgm` is a trusted extension (PostgreSQL 13+): a user who may create objects in the database may create it. Where
it cannot be created (an older server, a user without that right) the migration says so and goes on: the search
stays correct, only slower; an administrator can create the extension and run `manage.py migrate rca 0009` then
`manage.py migrate` again. The indexes are built `CONCURRENTLY` (imports and edits go on while a large table is
indexed), hence a non-atomic migration.
"""

from django.db import DatabaseError, migrations

INDEXES = {"sample_upper_notes_trgm": "notes", "sample_upper_transcript_trgm": "transcript"}


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:
        print(f"\n  pg_trgm is not available ({exc}): the sample search stays without its trigram indexes.")
        return
    quote = schema_editor.quote_name
    table = quote(apps.get_model("rca", "ModerationSample")._meta.db_table)
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {quote(name)} ON {table} USING gin (upper({quote(column)}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("rca", "0009_quality_rollup_in_doubt")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
