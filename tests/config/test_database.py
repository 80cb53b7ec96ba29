"""`config.database`: the fast `timestamptz` loader reads date-times exactly as Django's own loader does, and the
preparable cursor prepares what runs often, through Django's cursor wrapper."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.conf import settings
from django.db import ProgrammingError, connection, transaction
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from django.test.utils import CaptureQueriesContext

from config.database import preparable_cursor
from tests.factories import CaseFactory
from tests.services import require_postgres

pytestmark = pytest.mark.django_db


def _timestamptz_loader():
    from psycopg.pq import Format

    connection.ensure_connection()
    adapters = connection.connection.adapters
    return adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)


def test_postgresql_connections_load_timestamptz_with_the_fast_loader():
    require_postgres()
    loader = _timestamptz_loader()
    assert loader.__name__ == "FastTimestamptzLoader"
    assert loader.timezone is connection.timezone  # so Django's cursors do not register their own


def test_date_times_read_back_equal_to_what_was_written_and_to_djangos_loader():
    require_postgres()
    values = [
        datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 59, 59, tzinfo=timezone(timedelta(hours=-7))),
        datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz, %s::timestamptz, %s::timestamptz", values)
        fast = cursor.fetchone()

        class DjangoLoader(BaseTzLoader):
            timezone = connection.timezone

        cursor.cursor.adapters.register_loader("timestamptz", DjangoLoader)
        cursor.execute("SELECT %s::timestamptz, %s::timestamptz, %s::timestamptz", values)
        django = cursor.fetchone()

    assert list(fast) == values
    assert [value.tzinfo for value in fast] == [connection.timezone] * 3
    assert [(value, value.tzinfo) for value in fast] == [(value, value.tzinfo) for value in django]


def test_model_date_times_round_trip():
    opened = datetime(2026, 2, 3, 4, 5, 6, 700000, tzinfo=UTC)
    case = CaseFactory(opened_at=opened, due_at=opened + timedelta(days=7))
    case.refresh_from_db()
    assert case.opened_at == opened
    assert case.due_at == opened + timedelta(days=7)
    assert case.opened_at.utcoffset() == timedelta(0)


def _prepared_statements(text: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{text}%"])
        return [statement for (statement,) in cursor.fetchall()]


def test_preparable_cursor_prepares_a_statement_once_it_has_run_prepare_threshold_times():
    require_postgres()
    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold
    assert threshold == 5  # DATABASE_PREPARE_THRESHOLD's default
    statement = "SELECT 'prepare me', 41 + 1"

    for runs in range(1, threshold + 2):
        with preparable_cursor(connection) as cursor:
            cursor.execute(statement)
            assert cursor.fetchall() == [("prepare me", 42)]
        if runs < threshold:
            assert _prepared_statements("prepare me'") == [], runs

    assert _prepared_statements("prepare me'") == [statement]


def test_preparable_cursor_prepares_nothing_when_the_setting_is_off():
    require_postgres()
    connection.ensure_connection()
    connection.connection.prepare_threshold = None
    try:
        for _ in range(8):
            with preparable_cursor(connection) as cursor:
                cursor.execute("SELECT 'never prepared'")
    finally:
        connection.connection.prepare_threshold = settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]

    assert _prepared_statements("never prepared'") == []


def test_preparable_cursor_queries_are_logged_and_their_errors_are_djangos():
    require_postgres()
    with CaptureQueriesContext(connection) as queries, preparable_cursor(connection) as cursor:
        cursor.execute("SELECT 'logged'")

    assert [query["sql"] for query in queries.captured_queries] == ["SELECT 'logged'"]
    with pytest.raises(ProgrammingError), transaction.atomic(), preparable_cursor(connection) as cursor:
        cursor.execute("SELECT * FROM no_such_table")
