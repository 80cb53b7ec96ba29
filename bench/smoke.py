"""Run every benchmark script (`bench/bench_*.py`) once at smoke size, so CI proves they still work.

Each script takes `--smoke` for a run of a few seconds; full-size runs are for `docs/performance.md`, not CI. The smoke
databases (`rca_bench_smoke_*`) are dropped first, so every smoke run starts from the migrations of this checkout: a
database left by an older checkout may hold tables under migration names that no longer exist.
"""

import subprocess
import sys
import time
from pathlib import Path

import psycopg

from bench.databases import DEFAULT_URL, conninfo, drop_database, smoke_database_url

SMOKE_PREFIX = "rca_bench_smoke_"


def drop_smoke_databases() -> None:
    """Drop every `rca_bench_smoke_*` database on the smoke runs' PostgreSQL server (none when it does not answer)."""
    server = smoke_database_url("postgres", DEFAULT_URL)
    try:
        with psycopg.connect(conninfo(server), autocommit=True) as conn:
            names = [
                row[0]
                for row in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{SMOKE_PREFIX}%"])
            ]
    except psycopg.OperationalError:
        return
    for name in names:
        drop_database(smoke_database_url(name, DEFAULT_URL))
        print(f"bench smoke: dropped {name}", flush=True)


def main() -> int:
    scripts = sorted(Path(__file__).parent.glob("bench_*.py"))
    failures = 0
    drop_smoke_databases()
    for script in scripts:
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", f"bench.{script.stem}", "--smoke"], check=False)
        status = "ok" if result.returncode == 0 else f"FAILED ({result.returncode})"
        print(f"bench smoke {script.stem}: {status} in {time.perf_counter() - started:.1f}s", flush=True)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
