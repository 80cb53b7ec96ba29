"""Upsert one batch of validated samples by `external_id`, in its own transaction.

On PostgreSQL the batch goes through `COPY` into a temporary staging table, then one
`INSERT ... SELECT ... ON CONFLICT (external_id) DO UPDATE ... RETURNING (xmax = 0)` that also tells created from
updated rows. Elsewhere (SQLite, the newcomer default) it is `bulk_create(update_conflicts=True)` after a look-up of
the rows that already exist. Either way a batch is written whole or not at all, so a crash leaves whole batches only
and running the import again finishes the job without duplicates.

Each batch also marks, in its transaction, the days of decision whose quality rollups it made stale
(`rca.quality.rollups.quality_rollups_mark`): the day of every created or changed sample, and the former day of a
changed sample whose decision moved. On PostgreSQL the upsert returns them (the former decision time is read by a
subquery of its `RETURNING`, which sees the statement's starting snapshot, for updated rows only).

New rows get `imported_at = updated_at = now`. `updated` counts the records whose sample already existed, which now
holds the record's values: a changed sample keeps its `imported_at` and gets a new `updated_at`; a record equal to its
sample is not rewritten at all (no dead tuple, no index entries, `updated_at` kept), so re-importing the same file
costs reads, not writes.
"""

from collections.abc import Sequence
from functools import cache
from operator import itemgetter
from typing import Any

from django.db import connection, transaction

from rca.models import ModerationSample
from rca.quality.rollups import day_sql, decision_day, quality_rollups_mark
from rca.sample_fields import COPY_COLUMNS, SAMPLE_FIELDS, Kind
from rca.verdicts.services import resolutions_reapply

# The clean record's keys (see validation.py), in the staging table's column order. The writer adds the
# TIMESTAMP_COLUMNS (imported_at, updated_at) itself.
COLUMNS = COPY_COLUMNS
# PostgreSQL types of the staging table's columns (binary COPY sends each value in its column's type).
_SQL_TYPES = {Kind.NUMBER: "float8", Kind.WEIGHT: "float8", Kind.DATETIME: "timestamptz"}
_COPY_TYPES = [_SQL_TYPES.get(field.kind, "text") for field in SAMPLE_FIELDS]
_row_values = itemgetter(*COLUMNS)
_FIELDS_BY_ATTNAME = {field.attname: field for field in ModerationSample._meta.concrete_fields}
# Field names (not attnames) for bulk_create: everything but the key, and updated_at (auto_now) with it.
UPDATE_FIELDS = [_FIELDS_BY_ATTNAME[name].name for name in COLUMNS if name != "external_id"] + ["updated_at"]
_SQLITE_IN_CHUNK = 900
_DECIDED_AT = COLUMNS.index("decided_at")


def write_batch(records: Sequence[dict[str, Any]], *, mark_rollups: bool = True) -> tuple[int, int]:
    """Upsert `records` (clean, with distinct external_ids) in one transaction; returns `(created, updated)`. A sample
    whose verdict a second review resolved keeps its final label (`resolutions_reapply`: one cheap query when there is
    no resolution at all).

    `mark_rollups=False` leaves the quality rollups' marks out (an import whose caller rebuilds them itself)."""
    if not records:
        return 0, 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            created, updated, days = _write_postgresql(records, with_days=mark_rollups)
        else:
            created, updated, days = _write_with_orm(records)
        resolutions_reapply([record["external_id"] for record in records])
        if mark_rollups:
            quality_rollups_mark(days)
    return created, updated


# ---------------------------------------------------------------------------------------------------------------------
# PostgreSQL: COPY + INSERT ... ON CONFLICT
# ---------------------------------------------------------------------------------------------------------------------


@cache
def _postgresql_statements(*, with_days: bool) -> tuple[str, str, str, str]:
    """The staging table's statements and the upsert; `with_days`: the upsert also returns the decision days it
    changed (for the quality rollups), else just the count of created rows."""
    quote = connection.ops.quote_name
    table = quote(ModerationSample._meta.db_table)
    staging = "rca_import_staging_v1"
    columns = [_FIELDS_BY_ATTNAME[name].column for name in COLUMNS]
    column_list = ", ".join(quote(column) for column in columns)
    staging_columns = ", ".join(
        f"{quote(column)} {sql_type}" for column, sql_type in zip(columns, _COPY_TYPES, strict=True)
    )
    # ON COMMIT DROP cleans up after a top-level batch; IF NOT EXISTS + TRUNCATE cover a batch nested in an outer
    # transaction (a test, a caller's atomic block) where the table of the previous batch still exists.
    create = f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ({staging_columns}) ON COMMIT DROP"
    truncate = f"TRUNCATE {staging}"
    # Binary COPY: no text rendering of datetimes and floats on either side (a third less CPU than text COPY).
    copy = f"COPY {staging} ({column_list}) FROM STDIN (FORMAT BINARY)"
    payload = [quote(column) for column in columns if column != "external_id"]
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in payload)
    existing_values = ", ".join(f"{table}.{column}" for column in payload)
    new_values = ", ".join(f"EXCLUDED.{column}" for column in payload)
    if with_days:
        returning = (
            f" RETURNING (xmax = 0) AS created, decided_at,"
            f" CASE WHEN xmax <> 0 THEN (SELECT former.decided_at FROM {table} AS former"
            f" WHERE former.external_id = {table}.external_id) END AS former_decided_at"
            f") SELECT (SELECT count(*) FROM upserted WHERE created),"
            f" ARRAY(SELECT {day_sql('decided_at')[0]} FROM upserted UNION"
            f" SELECT {day_sql('former_decided_at')[0]} FROM upserted WHERE former_decided_at IS NOT NULL)"
        )
    else:
        returning = " RETURNING (xmax = 0) AS created) SELECT count(*) FILTER (WHERE created), NULL FROM upserted"
    upsert = (
        f"WITH upserted AS ("
        f" INSERT INTO {table} ({column_list}, imported_at, updated_at)"
        # statement_timestamp(), not now(): the time of this batch even inside a caller's longer transaction.
        # ORDER BY: concurrent imports lock the ids in the same order, so they cannot deadlock.
        f" SELECT {column_list}, statement_timestamp(), statement_timestamp() FROM {staging} ORDER BY external_id"
        f" ON CONFLICT (external_id) DO UPDATE SET {updates}, updated_at = EXCLUDED.updated_at"
        # A record equal to its sample rewrites nothing (no dead tuple, no index entries, updated_at kept): the row is
        # still locked, and the record counts as updated (see write_batch).
        f" WHERE ({existing_values}) IS DISTINCT FROM ({new_values})"
        f"{returning}"
    )
    return create, truncate, copy, upsert


def _write_postgresql(records: Sequence[dict[str, Any]], *, with_days: bool) -> tuple[int, int, list]:
    create, truncate, copy_sql, upsert = _postgresql_statements(with_days=with_days)
    with connection.cursor() as cursor:
        cursor.execute(create)
        cursor.execute(truncate)
        # The raw psycopg cursor's COPY: wrapped so that its errors are Django's (a dropped connection is then the
        # `DatabaseError` the command reports, not a psycopg traceback).
        with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
            copy.set_types(_COPY_TYPES)
            write_row = copy.write_row
            for record in records:
                write_row(_row_values(record))
        day_params = day_sql("decided_at")[1] if with_days else []
        cursor.execute(upsert, [*day_params, *day_params])
        created, days = cursor.fetchone()
    return created, len(records) - created, days or []


# ---------------------------------------------------------------------------------------------------------------------
# Any other database: bulk_create with update_conflicts
# ---------------------------------------------------------------------------------------------------------------------


def _write_with_orm(records: Sequence[dict[str, Any]]) -> tuple[int, int, set]:
    external_ids = [record["external_id"] for record in records]
    existing: dict[str, tuple[Any, ...]] = {}
    for start in range(0, len(external_ids), _SQLITE_IN_CHUNK):
        chunk = external_ids[start : start + _SQLITE_IN_CHUNK]
        for values in ModerationSample.objects.filter(external_id__in=chunk).values_list(*COLUMNS):
            existing[values[0]] = values
    # As on PostgreSQL, a record equal to its sample rewrites nothing (and keeps its updated_at).
    changed = [record for record in records if existing.get(record["external_id"]) != _row_values(record)]
    ModerationSample.objects.bulk_create(
        [ModerationSample(**record) for record in changed],
        update_conflicts=True,
        unique_fields=["external_id"],
        update_fields=UPDATE_FIELDS,
    )
    days = {decision_day(record["decided_at"]) for record in changed}
    days |= {
        decision_day(existing[record["external_id"]][_DECIDED_AT])
        for record in changed
        if record["external_id"] in existing
    }
    return len(records) - len(existing), len(existing), days
