"""`config.database`: the fast `timestamptz` loader reads date-times exactly as Django's own loader does."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader

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
