"""Timing a page or an endpoint through Django's test client: the benchmarks' one way to take a median."""

import statistics
import time
from collections.abc import Callable


def json_list_length(body) -> int:
    """Rows of a JSON answer that is a list (0 otherwise)."""
    return len(body) if isinstance(body, list) else 0


def median_get(
    client, url: str, repeat: int, *, rows: Callable[[object], int] = json_list_length
) -> tuple[float, int, int]:
    """Median milliseconds of `repeat` GETs of `url` (after one warm-up), the number of SQL queries of the warm-up,
    and its rows (`rows` of the JSON body; 0 for a non-JSON answer)."""
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    found = rows(response.json()) if response["Content-Type"].startswith("application/json") else 0
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings), len(queries), found
