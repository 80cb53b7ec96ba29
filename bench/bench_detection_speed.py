"""Detection speed: one full run over 1,000,000 audits (21 days, ~8% misclassified) on PostgreSQL, with 1 and with 2
real Celery workers, against the floor of reading the window's columns once with `COPY ... TO STDOUT`.

The dataset lives in its own database (`rca_bench_detect`, on the server of `DATABASE_URL`, default
postgres://postgres@127.0.0.1:5432): rows from `rca.synthetic` (planted patterns, decoys, noise at 5.8%) written with
`COPY`, built once and reused while the sample count matches. Before each measured run the detection results
(runs, patterns, topics, cases) are truncated, so every run is a first run that opens a case per planted pattern.

A measured run: `celery -A config worker --concurrency 1` subprocesses (1, then 2 of them) on Redis db 8
(`--redis-url`), a run requested as the API requests it (`detection_run_request`), wall time from the request to
`DetectionRun.status == succeeded`, and each worker's peak RSS (`VmHWM` of the worker and its pool child, polled from
/proc). Targets: under 30 s and under 1.5 GB per worker with 1 worker; within 5x of the `COPY` floor.

    .venv/bin/python -m bench.bench_detection_speed            # full size (builds the dataset on first use)
    .venv/bin/python -m bench.bench_detection_speed --smoke    # tiny dataset in rca_bench_smoke_detect, inline run

`--smoke` runs the pipeline inline (no worker) on ~10,000 audits in its own database, or in a SQLite file when no
PostgreSQL server answers; it exits 0 when the run succeeds and finds patterns.
"""

import argparse
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.dataset import DEFAULT_URL, conninfo, migrate, open_database, smoke_database_url
from rca.sample_fields import COPY_COLUMNS, TIMESTAMP_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REDIS = "redis://127.0.0.1:6379/8"
FULL_SAMPLES, FULL_DAYS = 1_000_000, 21
SMOKE_SAMPLES, SMOKE_DAYS = 10_500, 7
NOISE_RATE = 0.058  # with the planted patterns: ~8% misclassified
CHUNK_DAYS = 7  # generate a week at a time: a million dicts at once would take ~2 GB
TARGET_SECONDS, TARGET_PEAK_MB, TARGET_FLOOR_RATIO = 30.0, 1536, 5.0
RESULT_TABLES = (
    "cases_case", "rca_patternsample", "rca_patternfingerprint", "rca_errorpattern", "rca_texttopic",
    "rca_detectionrun",
)  # fmt: skip
SAMPLE_COLUMNS = (*COPY_COLUMNS, *TIMESTAMP_COLUMNS)  # the order of `_row`'s values: the model's
CUBE_SELECT = "market, language, decision_source, model_version, queue, content_type, tags"
ERROR_SELECT = (
    "id, audited_at, content_id, moderator_id, market, language, decision_source, model_version, queue, "
    "content_type, tags, decision_label_id, audit_label_id, notes, transcript"
)


# DATABASE
# ------------------------------------------------------------------------------


def _row(record: dict, now: datetime) -> tuple:
    decision, audit = record["decision_label"], record["audit_label"]
    if decision == audit:
        outcome = "correct"
    elif audit == "none":
        outcome = "false_positive"
    elif decision == "none":
        outcome = "false_negative"
    else:
        outcome = "wrong_policy"
    tags = f";{';'.join(record['tags'])};" if record["tags"] else ""
    return (
        record["external_id"], record["content_id"], record["content_type"], record["surface"], record["market"],
        record["language"], record["queue"], record["decision_source"], record["model_version"],
        record["moderator_id"], decision, audit, outcome, record["model_score"], record["decided_at"],
        record["audited_at"], record["auditor_id"], record["notes"], record["transcript"], tags,
        record.get("weight", 1.0), now, now,
    )  # fmt: skip


def _chunks(samples: int, days: int, end: datetime):
    """Generated records, a week at a time (decoys in the first week only); each chunk has its own seed."""
    from rca.synthetic import generate_audits

    per_day = math.ceil(samples / days)
    done = 0
    for index, chunk_end_day in enumerate(range(days, 0, -CHUNK_DAYS)):
        chunk_days = min(CHUNK_DAYS, chunk_end_day)
        chunk_end = end - timedelta(days=days - chunk_end_day)
        data = generate_audits(
            seed=1000 + index, days=chunk_days, audits_per_day=per_day, end=chunk_end, noise_rate=NOISE_RATE,
            decoys=index == 0,
        )  # fmt: skip
        yield data.records
        done += len(data.records)


def build_dataset(url: str, samples: int, days: int) -> tuple[int, int, float]:
    """Fill the samples table with `samples` generated audits unless it already holds that many (then reuse).

    Returns (samples, misclassified, seconds spent building; 0 when reused).
    """
    import psycopg

    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        have = conn.execute("SELECT count(*) FROM rca_moderationsample").fetchone()[0]
        per_day = math.ceil(samples / days)
        expected = per_day * days  # plus the decoys, a few hundred
        if not (expected <= have <= expected + 1000):
            started = time.perf_counter()
            conn.execute(f"TRUNCATE {', '.join(RESULT_TABLES)}, rca_samplereveal, rca_moderationsample CASCADE")
            now = datetime.now(UTC)
            with conn.cursor() as cursor:
                for records in _chunks(samples, days, now):
                    with cursor.copy(f"COPY rca_moderationsample ({', '.join(SAMPLE_COLUMNS)}) FROM STDIN") as copy:
                        for record in records:
                            copy.write_row(_row(record, now))
                    print(f"  loaded {len(records):,} audits", flush=True)
            conn.execute("VACUUM ANALYZE rca_moderationsample")
            built = time.perf_counter() - started
        else:
            built = 0.0
        total, errors = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE outcome <> 'correct') FROM rca_moderationsample"
        ).fetchone()
    return total, errors, built


def reset_results(url: str) -> None:
    import psycopg

    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute(f"TRUNCATE {', '.join(RESULT_TABLES)} CASCADE")


def window_days(url: str) -> int:
    """Days from the oldest audit to now, so that the run's window holds the whole dataset however old it is."""
    import psycopg

    with psycopg.connect(conninfo(url)) as conn:
        oldest = conn.execute("SELECT min(audited_at) FROM rca_moderationsample").fetchone()[0]
    return min(365, (datetime.now(UTC) - oldest).days + 1)


def copy_floor(url: str, days: int) -> float:
    """Seconds to read the window's columns once: every audit's slice columns and every error's analysed columns."""
    import psycopg

    start = datetime.now(UTC) - timedelta(days=days)
    window = f"FROM rca_moderationsample WHERE audited_at >= '{start.isoformat()}'"
    started = time.perf_counter()
    with psycopg.connect(conninfo(url)) as conn, conn.cursor() as cursor:
        for statement in (
            f"COPY (SELECT {CUBE_SELECT} {window}) TO STDOUT",
            f"COPY (SELECT {ERROR_SELECT} {window} AND outcome <> 'correct') TO STDOUT",
        ):
            with cursor.copy(statement) as copy:
                for _ in copy:
                    pass
    return time.perf_counter() - started


# WORKERS
# ------------------------------------------------------------------------------


class PeakRss:
    """The highest VmHWM (peak RSS) of a process and its children, polled from /proc while it lives."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        pids, seen = [self.pid], []
        while pids:
            pid = pids.pop()
            seen.append(pid)
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            pids.extend(int(child) for child in children)
        return seen

    def _poll(self) -> None:
        while not self._stop.wait(0.1):
            for pid in self._tree():
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            self.peak_kb = max(self.peak_kb, int(line.split()[1]))
                except OSError:
                    continue

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024


def start_workers(count: int, env: dict[str, str]) -> list[subprocess.Popen]:
    workers = []
    for index in range(count):
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", "1", "--pool", "prefork",
            "-n", f"bench-detect-{index}@%h", "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
            "--without-heartbeat",
        ]  # fmt: skip
        workers.append(subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True))
    return workers


def wait_ready(count: int, timeout: float = 60) -> None:
    from config.celery_app import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0) or []
        if len([reply for reply in replies if any(name.startswith("bench-detect-") for name in reply)]) >= count:
            return
    raise SystemExit(f"{count} worker(s) did not answer a ping within {timeout:.0f}s")


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        with_suppressed = worker.poll() is None
        if with_suppressed:
            os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def measured_run(count: int, env: dict[str, str], days: int, url: str, *, reset: bool = True) -> dict:
    """One run on `count` fresh workers: wall seconds from the request to success, peak RSS per worker, the run.
    `reset`: with no pattern nor case yet (every pattern found is new and opens its case); else after the runs before
    (the hourly run: patterns found again, new samples only)."""
    import redis

    from rca.choices import DetectionRunStatus
    from rca.detection_runs import detection_run_request
    from rca.models import DetectionRun

    if reset:
        reset_results(url)
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    workers = start_workers(count, env)
    try:
        wait_ready(count)
        peaks = [PeakRss(worker.pid) for worker in workers]
        started = time.perf_counter()
        run = detection_run_request(actor=None, window_days=days)
        while True:
            run.refresh_from_db()
            if run.status in (DetectionRunStatus.SUCCEEDED, DetectionRunStatus.FAILED, DetectionRunStatus.SKIPPED):
                break
            if time.perf_counter() - started > 900:
                raise SystemExit(f"run {run.pk} still {run.status} after 900 s")
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        peak_mb = [peak.stop() for peak in peaks]
    finally:
        stop_workers(workers)
    if run.status != DetectionRunStatus.SUCCEEDED:
        raise SystemExit(f"run {run.pk} {run.status}: {run.error}")
    run = DetectionRun.objects.get(pk=run.pk)
    return {"seconds": seconds, "peak_mb": peak_mb, "run": run}


# SMOKE
# ------------------------------------------------------------------------------


def smoke() -> int:
    """~10,000 audits in `rca_bench_smoke_detect` (or a SQLite file), one inline run; 0 when it finds patterns."""
    with tempfile.TemporaryDirectory(prefix="bench_detect_") as workdir:
        url = smoke_database_url("rca_bench_smoke_detect", DEFAULT_URL)
        on_postgres = open_database(url)
        if not on_postgres:
            url = f"sqlite:///{workdir}/smoke.sqlite3"
        migrate(url)
        _django(url, redis_url="")
        from rca.detection_runs import detection_run_create, detection_run_execute
        from rca.importing import import_records
        from rca.synthetic import generate_audits

        started = time.perf_counter()
        if on_postgres:
            samples, errors, _ = build_dataset(url, SMOKE_SAMPLES, SMOKE_DAYS)
            reset_results(url)
        else:
            data = generate_audits(seed=1, days=SMOKE_DAYS, audits_per_day=SMOKE_SAMPLES // SMOKE_DAYS)
            import_records(data.records)
            samples = len(data.records)
            errors = sum(r["decision_label"] != r["audit_label"] for r in data.records)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        run = detection_run_execute(run=detection_run_create(actor=None, window_days=SMOKE_DAYS + 1))
        seconds = time.perf_counter() - started
    print(
        f"smoke ({'PostgreSQL' if on_postgres else 'SQLite'}): {samples:,} audits, {errors:,} misclassified "
        f"(ready in {loaded:.1f}s); inline run {run.status} in {seconds:.1f}s, {run.patterns_found} patterns, "
        f"{run.cases_opened} cases opened"
    )
    return 0 if run.status == "succeeded" and run.patterns_found > 0 else 1


def _django(url: str, *, redis_url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = redis_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


# MAIN
# ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=FULL_SAMPLES)
    parser.add_argument("--days", type=int, default=FULL_DAYS)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to measure, in order")
    parser.add_argument("--database", default="rca_bench_detect")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--smoke", action="store_true", help="tiny dataset, inline run, a few seconds")
    args = parser.parse_args(argv)
    if args.smoke:
        return smoke()

    url = smoke_database_url(args.database, DEFAULT_URL)
    if not open_database(url):
        print("The full benchmark needs PostgreSQL.", file=sys.stderr)
        return 2
    migrate(url)
    _django(url, redis_url=args.redis_url)
    samples, errors, built = build_dataset(url, args.samples, args.days)
    print(f"dataset {args.database}: {samples:,} audits, {errors:,} misclassified ({errors / samples:.1%})"
          + (f", built in {built:.0f}s" if built else ", reused"), flush=True)  # fmt: skip
    days = window_days(url)
    floor = min(copy_floor(url, days) for _ in range(3))
    print(f"floor: COPY of the window's columns (all audits' slice columns + errors' columns) {floor:.2f}s", flush=True)

    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": args.redis_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    met = True
    for count in args.workers:
        result = measured_run(count, env, days, url)
        run, seconds, peaks = result["run"], result["seconds"], result["peak_mb"]
        timings = ", ".join(f"{key} {value:.2f}" for key, value in run.timings.items())
        print(
            f"{count} worker(s): {seconds:.1f}s request -> succeeded ({seconds / floor:.1f}x the floor), peak RSS per "
            f"worker {', '.join(f'{mb:.0f} MB' for mb in peaks)}; {run.samples_read:,} audits, {run.errors_read:,} "
            f"errors, {run.patterns_found} patterns, {run.cases_opened} cases opened; timings (summed over "
            f"partitions): {timings}",
            flush=True,
        )
        if count == 1:
            met &= seconds < TARGET_SECONDS and max(peaks) < TARGET_PEAK_MB
            verdicts = (
                f"< {TARGET_SECONDS:.0f}s " + ("met" if seconds < TARGET_SECONDS else "MISSED"),
                f"< {TARGET_PEAK_MB} MB " + ("met" if max(peaks) < TARGET_PEAK_MB else "MISSED"),
                f"<= {TARGET_FLOOR_RATIO:.0f}x floor " + ("met" if seconds <= TARGET_FLOOR_RATIO * floor else "missed"),
            )
            print("  targets (1 worker): " + ", ".join(verdicts))
    print("targets: " + ("met" if met else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
