"""Import benchmark: `import_samples` on a generated file: first import (all creates), re-import of the same
file (all updates, nothing to rewrite), re-import of the same samples with every record changed. Each of them keeps
the quality rollups current (rca/quality/rollups.py); what that costs is measured against a first import with
`--no-rollups` into a fresh database (target: at most 15% more time).

Creates its own PostgreSQL database (`rca_bench_import`, or `rca_bench_smoke_import` for `--smoke`) on the server of
`DATABASE_URL` (default postgres://postgres@127.0.0.1:5432), migrates it with `manage.py migrate`, generates the rows
with `bench.gen_samples`, runs `manage.py import_samples` in a subprocess and measures its rows/s and peak RSS
(`os.wait4` rusage of that child only). Then a baseline: a per-row `ModerationSample.objects.create` loop.

    .venv/bin/python -m bench.bench_import               # 1,000,000 rows (targets: >= 25,000 rows/s and < 500 MB
                                                         # first import, >= 15,000 rows/s re-import)
    .venv/bin/python -m bench.bench_import --smoke       # 3,000 rows, a few seconds; exits 0 when it works

`--smoke` falls back to a SQLite file when no PostgreSQL server answers, so that it never fails for lack of one.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.databases import DEFAULT_URL, drop_database, open_database, smoke_database_url

ROOT = Path(__file__).resolve().parent.parent
TARGET_CREATE_ROWS_S = 25_000
TARGET_UPDATE_ROWS_S = 15_000
TARGET_PEAK_MB = 500
WRITER_CONNECTIONS = 2  # rca.importing.background.DEFAULT_WORKERS (not imported: this process runs without Django)
COUNTS = re.compile(r"created: (\d+), updated: (\d+), rejected: (\d+)")
ROLLUPS = re.compile(r"quality rollups: (\d+) days of decisions rebuilt in ([\d.]+)s")
TARGET_ROLLUP_OVERHEAD = 0.15


@dataclass
class Run:
    rows: int
    seconds: float
    peak_mb: float
    counts: tuple[int, int, int]
    client_cpu: float  # seconds of CPU of the import process (user + system)
    database_cpu: float  # seconds of CPU of its PostgreSQL backends (0 when not measurable)
    rollup_seconds: float = 0.0  # of `seconds`, the rebuild of the quality rollups at the end

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds

    @property
    def idle_machine_estimate(self) -> float:
        """Rows/s if the run had both cores to itself, at the CPU cost measured: bound by the importer's own thread,
        by its writer connections' backends, or by both sides' CPU shared by 2 cores."""
        busiest = max(
            self.client_cpu, self.database_cpu / WRITER_CONNECTIONS, (self.client_cpu + self.database_cpu) / 2
        )
        return self.rows / busiest if busiest else 0.0


class BackendCpu:
    """CPU seconds used by the PostgreSQL backends serving one database, sampled from /proc while they live."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> "BackendCpu":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def seconds(self) -> float:
        return sum(self.seen.values())

    def _poll(self) -> None:
        import psycopg

        parts = urlsplit(self.url)
        if not parts.scheme.startswith("postgres") or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            return
        admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
        with psycopg.connect(admin, autocommit=True) as conn:
            while not self._stop.wait(0.2):
                pids = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", [parts.path.lstrip("/")]
                ).fetchall()
                for (pid,) in pids:
                    try:
                        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    except OSError:
                        continue
                    self.seen[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------------------------------------------------


def django_env(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base", "LOG_LEVEL": "WARNING"}


# ---------------------------------------------------------------------------------------------------------------------
# Measured runs
# ---------------------------------------------------------------------------------------------------------------------


def run_import(path: Path, rows: int, env: dict[str, str], rejects: Path, *, rollups: bool = True) -> Run:
    """`manage.py import_samples` in a child process: wall time, and the peak RSS of that child alone."""
    command = [sys.executable, "manage.py", "import_samples", str(path), "--rejects", str(rejects)]
    if not rollups:
        command.append("--no-rollups")
    with BackendCpu(env["DATABASE_URL"]) as backends:
        started = time.perf_counter()
        child = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        output = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    child.stdout.close()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"import_samples failed (exit {child.returncode}): {output}")
    match = COUNTS.search(output)
    if match is None:
        raise SystemExit(f"import_samples printed no counts: {output!r}")
    counts = tuple(int(n) for n in match.groups())
    rollup = ROLLUPS.search(output)
    return Run(
        rows,
        seconds,
        usage.ru_maxrss / 1024,
        counts,
        usage.ru_utime + usage.ru_stime,
        backends.seconds,
        float(rollup.group(2)) if rollup else 0.0,
    )


def run_baseline(rows: int, env: dict[str, str]) -> float:
    """Rows/s of a per-row `ModerationSample.objects.create` loop, in a child process on the benchmark database."""
    command = [sys.executable, "-m", "bench.bench_import", "--baseline-worker", str(rows)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"baseline failed: {result.stderr[-2000:]}")
    return float(result.stdout.strip().splitlines()[-1])


def baseline_worker(rows: int) -> None:
    """The baseline's child: validated records written one `create()` (one INSERT, one commit) at a time."""
    import django

    django.setup()
    from bench.gen_samples import sample_records
    from rca.importing.validation import RecordValidator, active_label_codes
    from rca.models import ModerationSample

    validate = RecordValidator(active_label_codes())
    records = [validate(record)[0] for record in sample_records(rows, seed=99, prefix="baseline")]
    started = time.perf_counter()
    for record in records:
        ModerationSample.objects.create(**record)
    print(rows / (time.perf_counter() - started))


# ---------------------------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark of manage.py import_samples.")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=20_000)
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    parser.add_argument("--smoke", action="store_true", help="3,000 rows: proves the benchmark works, in seconds")
    parser.add_argument("--keep-db", action="store_true", help="leave the benchmark database in place")
    parser.add_argument("--database-name", help="the database to create and drop (default rca_bench_import)")
    parser.add_argument("--baseline-worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.baseline_worker:
        baseline_worker(args.baseline_worker)
        return 0
    if args.smoke:
        args.rows, args.baseline_rows = 3_000, 300

    with tempfile.TemporaryDirectory(prefix="bench_import_") as workdir:
        name = args.database_name or ("rca_bench_smoke_import" if args.smoke else "rca_bench_import")
        url = smoke_database_url(name, DEFAULT_URL)
        on_postgres = open_database(url, fresh=True)
        if not on_postgres:
            if not args.smoke:
                print("The full benchmark needs PostgreSQL.", file=sys.stderr)
                return 2
            url = f"sqlite:///{workdir}/bench.sqlite3"
        env = django_env(url)
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)

        from bench.gen_samples import write_samples

        path = Path(workdir) / f"samples.{args.format}"
        started = time.perf_counter()
        write_samples(path, args.rows, file_format=args.format, seed=1)
        generated = time.perf_counter() - started
        size_mb = path.stat().st_size / 2**20
        print(f"generated {args.rows:,} rows ({size_mb:.0f} MB {args.format}) in {generated:.1f}s", flush=True)

        revised = Path(workdir) / f"revised.{args.format}"
        write_samples(revised, args.rows, file_format=args.format, seed=1, revision=1)

        rejects = Path(workdir) / "rejects.csv"
        # The reference: the same first import without the quality rollups, into a database of its own.
        plain = run_import(path, args.rows, env, rejects, rollups=False)
        if on_postgres:
            open_database(url, fresh=True)
        else:
            Path(f"{workdir}/bench.sqlite3").unlink()
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        first = run_import(path, args.rows, env, rejects)
        again = run_import(path, args.rows, env, rejects)
        changed = run_import(revised, args.rows, env, rejects)
        baseline = run_baseline(args.baseline_rows, env)
        if on_postgres and not args.keep_db:
            drop_database(url)

    print(f"database: {'PostgreSQL' if on_postgres else 'SQLite (PostgreSQL not reachable)'}")
    runs = (
        ("first import, --no-rollups", plain, TARGET_CREATE_ROWS_S),
        ("first import", first, TARGET_CREATE_ROWS_S),
        ("re-import, same file", again, TARGET_UPDATE_ROWS_S),
        ("re-import, every row changed", changed, TARGET_UPDATE_ROWS_S),
    )
    for label, run, target in runs:
        print(
            f"{label}: {run.rows:,} rows in {run.seconds:.1f}s = {run.rows_per_second:,.0f} rows/s "
            f"(target >= {target:,}), peak RSS {run.peak_mb:.0f} MB, created/updated/rejected {run.counts}"
        )
        print(
            f"  CPU: import process {run.client_cpu / run.rows * 1e6:.1f} us/row, PostgreSQL "
            f"{run.database_cpu / run.rows * 1e6:.1f} us/row -> {run.idle_machine_estimate:,.0f} rows/s on an idle "
            "2-core machine"
        )
    print(f"baseline: per-row create() {baseline:,.0f} rows/s on {args.baseline_rows:,} rows; first import is "
          f"{first.rows_per_second / baseline:.1f}x faster")  # fmt: skip
    overhead = first.seconds / plain.seconds - 1
    cpu_overhead = (first.client_cpu + first.database_cpu) / (plain.client_cpu + plain.database_cpu) - 1
    print(
        f"quality rollups: first import {first.seconds:.1f}s against {plain.seconds:.1f}s with --no-rollups: "
        f"{overhead:+.1%} time (target <= +{TARGET_ROLLUP_OVERHEAD:.0%}), {cpu_overhead:+.1%} CPU "
        f"(the rebuild at the end: {first.rollup_seconds:.1f}s; re-import of the same file "
        f"{again.rollup_seconds:.1f}s, every row changed {changed.rollup_seconds:.1f}s)"
    )

    expected = ((args.rows, 0, 0), (0, args.rows, 0), (0, args.rows, 0))
    if plain.counts != first.counts or (first.counts, again.counts, changed.counts) != expected:
        print(f"WRONG COUNTS: expected {expected}, got {(first.counts, again.counts, changed.counts)}", file=sys.stderr)
        return 1
    if not args.smoke:
        met = (
            first.rows_per_second >= TARGET_CREATE_ROWS_S
            and first.peak_mb < TARGET_PEAK_MB
            and again.rows_per_second >= TARGET_UPDATE_ROWS_S
            and changed.rows_per_second >= TARGET_UPDATE_ROWS_S
            and overhead <= TARGET_ROLLUP_OVERHEAD
        )
        print("targets: " + ("met" if met else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
