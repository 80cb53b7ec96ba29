"""The markets and languages seen in the samples, for the pages' filter selects (samples explorer, case board,
reports), read cheaply and cached.

On the 1M-sample bench (`rca_bench`, PostgreSQL 15, 2 cores) a plain `SELECT DISTINCT market` reads the whole
`(market, audited_at)` index (165-280 ms) and `DISTINCT language`, which has no index, the whole table (200-250 ms).
Markets are read instead by a skip scan written as a recursive CTE: one index probe per market (`MIN(market) WHERE
market > previous`), 1.1 ms for the 12 markets. Languages keep the plain `DISTINCT`. Both lists are
cached together for `CACHE_SECONDS` in Django's cache, so the cost is paid once in that time, whatever the traffic; a
market or language imported since appears when the entry expires.

The lists are reference data (codes), the same for every user: a partner's select offers every market even though
its samples explorer only shows the samples of its cases.
"""

from django.core.cache import cache
from django.db import connection

from rca.models import ModerationSample

CACHE_KEY = "rca:sample-values:v1"
CACHE_SECONDS = 300


def _markets_by_skip_scan() -> list[str]:
    table = connection.ops.quote_name(ModerationSample._meta.db_table)
    column = connection.ops.quote_name(ModerationSample._meta.get_field("market").column)
    sql = (
        f"WITH RECURSIVE seen(value) AS ("
        f" SELECT MIN({column}) FROM {table}"
        f" UNION ALL"
        f" SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > seen.value)"
        f" FROM seen WHERE seen.value IS NOT NULL"
        f") SELECT value FROM seen WHERE value IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [value for (value,) in cursor.fetchall() if value]


def _languages() -> list[str]:
    values = ModerationSample.objects.order_by().values_list("language", flat=True).distinct()
    return sorted(value for value in values if value)


def read_sample_values() -> dict[str, list[str]]:
    """The distinct markets and languages of the samples, sorted, read from the database (uncached)."""
    return {"market": _markets_by_skip_scan(), "language": _languages()}


def known_sample_values() -> dict[str, list[str]]:
    """`{"market": [...], "language": [...]}`, from the cache when fresh (see the module's docstring)."""
    values = cache.get(CACHE_KEY)
    if values is None:
        values = read_sample_values()
        cache.set(CACHE_KEY, values, CACHE_SECONDS)
    return values
