"""Which real services this run has, and how a test that needs an absent one says so.

Without `DATABASE_URL` / `REDIS_URL` the suite runs on SQLite with eager Celery and skips what needs more, telling how
to enable it. With `REQUIRE_SERVICES=1` (as in `.ci/run`) a missing service fails the test instead.
"""

import os
import shutil

import pytest
import redis
from django.conf import settings
from django.db import connection

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or next(
    (path for path in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if shutil.which(path)), ""
)


def _missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def redis_url() -> str:
    url = settings.REDIS_URL
    if not url:
        _missing("REDIS_URL is not set: export REDIS_URL=redis://127.0.0.1:6379/0 to run tests that need Redis.")
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        _missing(f"Redis at {url} is not reachable ({exc}).")
    return url


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        _missing("this test needs PostgreSQL: export DATABASE_URL=postgres://postgres@127.0.0.1:5432/rca to run it.")


def chromium_path() -> str:
    if not CHROMIUM:
        _missing("Chromium is not installed: `apt-get install -y chromium` (see README) to run browser tests.")
    return CHROMIUM
