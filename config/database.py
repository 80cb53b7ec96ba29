"""PostgreSQL connection details with psycopg 3: faster `timestamptz` loading, and a cursor psycopg may prepare.

Date-times: Django loads `timestamptz` through its own subclass of psycopg's pure-Python loader (to put the value in the
connection's time zone), so psycopg-binary's C parser is never used for date-times: about 10 µs a value, 5 ms for a
page of 200 samples with four date-times each (Django ticket #36960). `use_fast_timestamptz_loader` registers a
loader that does what Django's does (the value in the connection's time zone, its `tzinfo` replaced as Django does
when it differs) but parses with psycopg's optimised loader. With the pure-Python psycopg it changes nothing.

Prepared statements: Django binds values on the client and never lets psycopg prepare a statement (so that poolers
keep working), and PostgreSQL plans every statement it gets. For a big statement the plan costs as much as the answer:
0.5-0.8 ms of the case list page's 1-2 ms (docs/performance.md, "API"). `preparable_cursor` is a Django cursor over
psycopg's server-binding cursor, which prepares a statement once the same text has run `prepare_threshold` times on
the connection (the `DATABASE_PREPARE_THRESHOLD` setting); later runs skip the planning.
"""

from functools import lru_cache

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper


@lru_cache
def _loader_class(timezone):
    from psycopg import adapters
    from psycopg.pq import Format
    from psycopg.types.datetime import TimestamptzLoader

    optimised = adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)

    class FastTimestamptzLoader(TimestamptzLoader):
        # Django's PostgreSQL backend reads `timezone` off the connection's loader to decide whether a cursor needs
        # its own (see DatabaseWrapper.create_cursor); the same attribute keeps that check working.
        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._parse = optimised(oid, context).load

        def load(self, data):
            value = self._parse(data)
            return value if value.tzinfo is self.timezone else value.replace(tzinfo=self.timezone)

    FastTimestamptzLoader.timezone = timezone
    return FastTimestamptzLoader


def use_fast_timestamptz_loader(sender, connection: BaseDatabaseWrapper, **kwargs) -> None:
    """`connection_created` receiver: register the loader on a new psycopg 3 connection to PostgreSQL."""
    if connection.vendor != "postgresql":
        return
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    if is_psycopg3:
        connection.connection.adapters.register_loader("timestamptz", _loader_class(connection.timezone))


def preparable_cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor of a PostgreSQL connection (psycopg 3) whose statements psycopg prepares after `prepare_threshold`
    runs of the same text (never when the setting is off). Run a statement with its values written in
    (`connection.ops.compose_sql`), not as parameters: each text is then planned for its own values, once per
    connection. Queries go through Django's wrapper as any other (errors, execute wrappers, query logging)."""
    from psycopg import Cursor

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = Cursor(connection.connection)
    return connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)
