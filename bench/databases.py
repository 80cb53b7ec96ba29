"""The benchmarks' PostgreSQL databases: their URLs, create / drop, migrate. Each benchmark works in a database of
its own, on the server of `DATABASE_URL` (default postgres://postgres@127.0.0.1:5432)."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rca_bench"


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def smoke_database_url(name: str, fallback_url: str) -> str:
    """The PostgreSQL URL of a smoke run's own database `name`: on the server of `DATABASE_URL` (as CI sets it) when
    that is PostgreSQL, else on the server of `fallback_url`."""
    base = os.environ.get("DATABASE_URL") or fallback_url
    return _with_database(base if base.startswith(("postgres://", "postgresql://")) else DEFAULT_URL, name)


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def conninfo(url: str) -> str:
    """`url` as psycopg takes it."""
    return url.replace("postgres://", "postgresql://", 1)


def create_database(url: str) -> bool:
    """Create the database named in `url` unless it exists; returns whether it was created."""
    name = database_name(url)
    with psycopg.connect(conninfo(_with_database(url, "postgres")), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return not exists


def open_database(url: str, *, fresh: bool = False) -> bool:
    """Create the database of `url` unless it exists (drop it first when `fresh`); False when no PostgreSQL server
    answers, so that a smoke run can fall back to SQLite."""
    try:
        if fresh:
            drop_database(url)
        create_database(url)
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable ({exc})", file=sys.stderr)
        return False
    return True


def drop_database(url: str) -> None:
    with psycopg.connect(conninfo(_with_database(url, "postgres")), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database_name(url))))


def migrate(url: str) -> None:
    """Apply the project's migrations to the database (a subprocess, so this works whatever Django this process has)."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    env.pop("TEST_DATABASE_NAME", None)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"], check=True, env=env, cwd=ROOT
    )
