"""The detection write lock: the writing steps of two runs never overlap, so two runs finishing at once open no
duplicate pattern or case.

A PostgreSQL transaction-level advisory lock when the database is PostgreSQL (released with the transaction, even if
the worker dies), else a Redis lock with a timeout when Redis is configured. SQLite without Redis (the eager newcomer
setup) runs one process, and SQLite itself serialises writers.

`exclusive_run`: the same engines, without waiting, for a long job made of many short transactions (retention).
"""

import contextlib
import zlib
from collections.abc import Iterator

from django.conf import settings
from django.db import connection

LOCK_NAME = "rca.detection.write"
LOCK_WAIT_SECONDS = 300


class DetectionLockBusy(Exception):
    """Another run held the detection write lock for longer than `LOCK_WAIT_SECONDS`."""


@contextlib.contextmanager
def detection_lock() -> Iterator[None]:
    """Hold the detection write lock for the block (call inside a transaction on PostgreSQL).

    Waits at most `LOCK_WAIT_SECONDS`, then raises `DetectionLockBusy`.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT_SECONDS}s'")
            try:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(LOCK_NAME.encode())])
            except Exception as exc:  # psycopg raises LockNotAvailable through Django's OperationalError
                raise DetectionLockBusy(str(exc)) from exc
        yield
        return
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        lock = client.lock(LOCK_NAME, timeout=LOCK_WAIT_SECONDS * 2, blocking_timeout=LOCK_WAIT_SECONDS)
        if not lock.acquire():
            raise DetectionLockBusy("another detection run held the Redis lock")
        try:
            yield
        finally:
            with contextlib.suppress(redis.exceptions.LockError):
                lock.release()
        return
    yield


@contextlib.contextmanager
def exclusive_run(name: str, *, timeout_seconds: int = 3600) -> Iterator[bool]:
    """Yield whether this process may run the job `name` now: True when it took the lock, False when another process
    holds it (never waits). A PostgreSQL session-level advisory lock (held across the job's many short transactions,
    released at the end or when the connection dies), else a Redis lock expiring after `timeout_seconds`, else (SQLite
    without Redis: one process) always True."""
    if connection.vendor == "postgresql":
        key = zlib.crc32(name.encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            (taken,) = cursor.fetchone()
        try:
            yield taken
        finally:
            if taken:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    if settings.REDIS_URL:
        import redis

        lock = redis.Redis.from_url(settings.REDIS_URL).lock(name, timeout=timeout_seconds, blocking=False)
        taken = lock.acquire()
        try:
            yield taken
        finally:
            if taken:
                with contextlib.suppress(redis.exceptions.LockError):
                    lock.release()
        return
    yield True
