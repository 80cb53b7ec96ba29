"""Faster `timestamptz` loading for PostgreSQL with psycopg 3 (the one database speed-up the API keeps).

Django loads `timestamptz` through its own subclass of psycopg's pure-Python loader (to put the value in the
connection's time zone), so psycopg-binary's C parser is never used for date-times: about 10 µs a value (Django
ticket #36960), several milliseconds for a page of 200 samples with four date-times each (docs/performance.md,
"Speed-ups kept"). `use_fast_timestamptz_loader` registers a loader that does what Django's does (the value in the
connection's time zone, its `tzinfo` replaced as Django does when it differs) but parses with psycopg's optimised
loader. With the pure-Python psycopg it changes nothing. tests/config/test_database.py compares it with Django's.

It is a `connection_created` receiver, connected in `rca.apps.RcaConfig.ready`.
"""

from functools import lru_cache

from django.db.backends.base.base import BaseDatabaseWrapper


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
