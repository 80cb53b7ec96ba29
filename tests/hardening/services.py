"""Processes of the fault drills: a private throwaway Redis (never the shared one), a Celery worker subprocess, and
the environment that points a subprocess at this test's database.

The shared Redis on 6379 and the shared PostgreSQL server are never stopped or flushed: "Redis down" stops the
private Redis started here, and "connection dropped" terminates only the drill's own backend.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection

from tests.services import _missing, require_postgres

ROOT = Path(__file__).resolve().parents[2]
FIRST_PORT = 6391


def eventually(predicate: Callable[[], bool], timeout: float = 60.0, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def _free_port(start: int) -> int:
    for port in range(start, start + 50):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port for a private Redis")


class PrivateRedis:
    """A throwaway `redis-server` on its own port. With `persistent=True` it keeps an append-only file in a temporary
    directory, so that messages queued before a stop are there after a restart (as a production Redis should)."""

    def __init__(self, *, persistent: bool = False) -> None:
        if not shutil.which("redis-server"):
            _missing("redis-server is not installed: `apt-get install -y redis-server` to run the fault drills.")
        self.port = _free_port(FIRST_PORT)
        self.directory = tempfile.mkdtemp(prefix="rca-drill-redis-")
        self.persistent = persistent
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=2)

    def up(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.persistent else ["--appendonly", "no"]
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--dir",
                self.directory,
                *persistence,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert eventually(self.up, timeout=10), "the private Redis did not start"

    def stop(self) -> None:
        """SIGTERM: Redis flushes its append-only file and exits, as in an orderly outage or a restart."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def drill_database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test database), for subprocesses."""
    require_postgres()
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    return f"postgres://{user}{password}@{host}/{connection.settings_dict['NAME']}"


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "COV_"))}
    env.update({"PYTHONUNBUFFERED": "1", "CONN_MAX_AGE": "0", **extra})
    return env


class WorkerProcess:
    """`celery -A config worker` in its own process group (so that SIGKILL takes the pool's children too)."""

    def __init__(
        self, *, database_url: str, redis_url: str, log: Path, concurrency: int = 1, name: str = "drill"
    ) -> None:
        self.log = log
        self.command = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel", "INFO", "--pool", "prefork",
            "--concurrency", str(concurrency), "--hostname", f"{name}@%h", "--without-gossip", "--without-mingle",
            "--without-heartbeat",
        ]  # fmt: skip
        self.env = subprocess_env(
            DJANGO_SETTINGS_MODULE="tests.hardening.drill_settings",
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            CELERY_TASK_ALWAYS_EAGER="0",
        )
        self.process: subprocess.Popen | None = None
        self._file = None

    def start(self) -> None:
        self._file = open(self.log, "ab")  # noqa: SIM115 - kept open for the life of the process
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=self._file, stderr=subprocess.STDOUT, start_new_session=True
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def summary(self, limit: int = 60) -> str:
        """The log's last `limit` lines cut at 200 characters (a task's result can be a page long): what a failed
        drill prints, so that the order of received/succeeded/restored tasks is readable."""
        lines = [line[:200] for line in self.output().splitlines() if line.strip()]
        return f"--- {self.log.name}\n" + "\n".join(lines[-limit:])

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children), as a machine dying would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        if self._file is not None:
            self._file.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._file is not None:
            self._file.close()


class WebProcess:
    """The app under gunicorn (one worker, a few threads) on a free loopback port, in the drills' settings."""

    def __init__(self, *, database_url: str, redis_url: str, log: Path) -> None:
        self.port = _free_port(18400)
        self.log = log
        self.env = subprocess_env(
            DJANGO_SETTINGS_MODULE="tests.hardening.drill_settings",
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            CELERY_TASK_ALWAYS_EAGER="0",
        )
        self.process: subprocess.Popen | None = None
        self._file = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._file = open(self.log, "ab")  # noqa: SIM115 - kept open for the life of the process
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self._file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def answers() -> bool:
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", self.port)) == 0

        assert eventually(answers, timeout=60), self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if self._file is not None:
            self._file.close()
