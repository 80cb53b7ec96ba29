"""Write batches on background threads, so that the database works while the importer reads and validates.

The importer's own CPU (parsing, validation) and the database's (index upkeep, constraint checks) then overlap: on a
two-core machine that nearly halves an import's wall time. Each worker thread has its own database connection, and
each batch is still one transaction of `write_batch`.
"""

from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.db import connection, connections

from rca.importing.writer import write_batch

DEFAULT_WORKERS = 2


def can_write_in_background() -> bool:
    """PostgreSQL, and no transaction open by the caller: a batch written on another connection would escape it."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


class BackgroundBatchWriter:
    """At most `workers` batches in flight, each on one of `workers` threads; results are handed to `on_written` in
    submission order, from the caller's thread.

    Order: batches without a common external_id commute; a batch that repeats an id of an earlier one is submitted
    with `after_in_flight=True` and waits until everything before it has committed, so the last record still wins.
    Errors: the first failed batch's error is raised (from `submit` or `finish`) once the other batches in flight have
    finished; every batch is whole or absent, so re-running the import completes it.
    """

    def __init__(
        self,
        on_written: Callable[[tuple[int, int]], None],
        *,
        workers: int = DEFAULT_WORKERS,
        mark_rollups: bool = True,
    ) -> None:
        # One single-thread executor a worker: each thread keeps (and finally closes) its own connection.
        self._threads = [
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"sample-import-writer-{n}") for n in range(workers)
        ]
        self._submitted = 0
        self._in_flight: deque[Future[tuple[int, int]]] = deque()
        self._on_written = on_written
        self._mark_rollups = mark_rollups

    def submit(self, records: Sequence[dict[str, Any]], *, after_in_flight: bool = False) -> None:
        """Start writing `records`, first waiting for the oldest batch when all workers are busy (or for every batch
        in flight when `after_in_flight`)."""
        self._collect(keep=0 if after_in_flight else len(self._threads) - 1)
        thread = self._threads[self._submitted % len(self._threads)]
        self._submitted += 1
        self._in_flight.append(thread.submit(write_batch, records, mark_rollups=self._mark_rollups))

    def finish(self) -> None:
        """Wait for every batch in flight."""
        self._collect(keep=0)

    def close(self) -> None:
        """Wait for the threads' last batches, close their connections and stop them."""
        for thread in self._threads:
            thread.submit(connections.close_all).result()
            thread.shutdown()

    def _collect(self, *, keep: int) -> None:
        error: BaseException | None = None
        while len(self._in_flight) > keep:
            try:
                result = self._in_flight.popleft().result()
            except BaseException as exc:  # re-raised below, once the other batches in flight are done
                error = error or exc
                keep = 0
                continue
            self._on_written(result)
        if error is not None:
            raise error
