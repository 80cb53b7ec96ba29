"""Scale benchmark (issue 20): N audits over 21 days with the synthetic generator's planted patterns, imported over 1
and over 2 Celery workers into a table that already holds N audits, then detection with 1 and 2 workers, the samples
explorer's common queries and the case board; then retention's speed.

The table is first filled (`COPY`) with N older audits: the same traffic shifted 21 days back, ids prefixed `h`, so
outside the detection window. The file (`JSON Lines`, ~520 bytes an audit) is written a day at a time. A measured
import: `celery -A config worker --concurrency 1` subprocesses on Redis (`--redis-url`, default db 8), then
`manage.py import_samples_parallel FILE` (wall time from its start to the job's end), with the peak RSS of each worker
and of the command. Before each import the table goes back to the N older audits (a copy kept in `bench_history`).
Detection: `bench.bench_detection_speed.measured_run` (14-day window, the default). The explorer queries (the samples
API, 200 rows, as a quality lead, and the explorer page) and the board (`/cases/`) are medians of warm requests,
in-process. Targets: >= 60,000 rows/s with 2 workers, < 500 MB a process, explorer and API < 300 ms median.

    .venv/bin/python -m bench.bench_scale --rows 10000000 --database rca_bench_scale     # ~40+ minutes
    .venv/bin/python -m bench.bench_scale --smoke     # 6,000 audits, eager (no worker), a few seconds
"""

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.bench_detection_speed import (
    DEFAULT_REDIS,
    PeakRss,
    _django,
    measured_run,
    start_workers,
    stop_workers,
    wait_ready,
)
from bench.bench_import import BackendCpu
from bench.databases import DEFAULT_URL, conninfo, migrate, open_database, smoke_database_url
from bench.scale_data import build, count_rows, read_truth, reset_table, scored_detection, write_truth

ROOT = Path(__file__).resolve().parent.parent
TARGET_ROWS_S, TARGET_PEAK_MB, TARGET_MS, TARGET_DETECTION_S = 60_000, 500, 300.0, 30.0
WINDOW_DAYS = 14
QUERIES = {
    "market=ID": "market=ID",
    "decision_label=hate_speech&market=BR": "decision_label=hate_speech&market=BR",
    "q=slang": "q=slang",
    "q=zzzqqq (no match)": "q=zzzqqq",
    "case=<a detected case>": "case={case}",
}


# MEASURED STEPS
# ------------------------------------------------------------------------------


def measured_import(path: Path, workers: int, env: dict[str, str]) -> dict:
    """`import_samples_parallel` over `workers` fresh workers (none: eager, inline): seconds, counts, peak RSS."""
    import redis

    pool = []
    if workers:
        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
        pool = start_workers(workers, env)
    try:
        if workers:
            wait_ready(workers)
        peaks = [PeakRss(worker.pid) for worker in pool]
        cpu_before = sum(_tree_cpu(worker.pid) for worker in pool)
        started = time.perf_counter()
        command = [sys.executable, "manage.py", "import_samples_parallel", str(path)]
        with BackendCpu(env["DATABASE_URL"]) as backends:
            child = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            own_peak = PeakRss(child.pid)
            output, errors = child.communicate()
            seconds = time.perf_counter() - started
        workers_cpu = sum(_tree_cpu(worker.pid) for worker in pool) - cpu_before
        peaks_mb = [peak.stop() for peak in peaks]
        command_mb = own_peak.stop()
    finally:
        stop_workers(pool)
    if child.returncode != 0:
        raise SystemExit(f"import_samples_parallel failed ({child.returncode}): {output} {errors[-2000:]}")
    counts = dict(part.split(": ") for part in output.strip().splitlines()[-1].split(", "))
    return {"seconds": seconds, "counts": counts, "workers_mb": peaks_mb, "command_mb": command_mb,
            "workers_cpu": workers_cpu, "postgres_cpu": backends.seconds}  # fmt: skip


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its children, from /proc."""
    total, pids = 0.0, [pid]
    while pids:
        current = pids.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            pids.extend(int(child) for child in Path(f"/proc/{current}/task/{current}/children").read_text().split())
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def measured_reads(repeat: int) -> dict[str, float]:
    """Median ms of each explorer query (API and page) and of the board, as a quality lead, after one warm-up."""
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from rest_framework.test import APIClient

    from cases.models import Case
    from config.api.authentication import token_for

    lead, _ = User.objects.get_or_create(username="bench_scale_lead")
    lead.groups.add(Group.objects.get(name="quality_lead"))
    api, page = APIClient(), Client()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(lead)[0].key}")
    page.force_login(lead)
    case = Case.objects.filter(pattern__isnull=False).order_by("pk").first()
    urls = {}
    for name, query in QUERIES.items():
        query = query.format(case=case.pk if case else 0)
        urls[f"API {name}"] = (api, f"/api/v1/samples/?page_size=200&{query}")
        urls[f"explorer page {name}"] = (page, f"/samples/?{query}")
    urls["board /cases/"] = (page, "/cases/")
    medians = {}
    for name, (client, url) in urls.items():
        timings = []
        for attempt in range(repeat + 1):
            started = time.perf_counter()
            response = client.get(url)
            if attempt:
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        medians[name] = statistics.median(timings)
        print(f"  {name:52s} median {medians[name]:8.1f} ms", flush=True)
    return medians


def measured_retention(days: int) -> dict:
    """`samples_drop_old` as if the clock were further on, so that the older half of the older audits is past the
    retention: its speed (the detected cases keep their samples)."""
    from django.conf import settings
    from django.utils import timezone

    from rca.retention import samples_drop_old

    now = timezone.now() + timedelta(days=settings.SAMPLE_RETENTION_DAYS - days - days // 2)
    started = time.perf_counter()
    result = samples_drop_old(now=now, archive_dir="")
    return {"seconds": time.perf_counter() - started, "deleted": result.deleted, "batches": result.batches}


# MAIN
# ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=21)
    parser.add_argument("--database", default="rca_bench_scale")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--import-workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--detect-workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=7, help="timed requests per query")
    parser.add_argument("--workdir", help="where the file goes (default: a temporary directory)")
    parser.add_argument("--smoke", action="store_true", help="6,000 audits over 7 days, eager, a few seconds")
    parser.add_argument("--only-retention", action="store_true", help="the retention step alone, on the database as is")
    parser.add_argument(
        "--reuse", type=Path, help="a file of an earlier run whose database still holds its older audits"
    )
    parser.add_argument(
        "--skip-import", action="store_true",
        help="with --reuse: no import; detection and the reads on the database as an earlier run left it",
    )  # fmt: skip
    parser.add_argument(
        "--write-truth", action="store_true",
        help="with --reuse: write the planted truth of a file built before it was kept (~10 min at 10M), then stop",
    )  # fmt: skip
    parser.add_argument("--no-retention", action="store_true", help="leave out the retention step (~20 min at 10M)")
    args = parser.parse_args(argv)
    if args.write_truth and args.reuse:
        write_truth(args.reuse, args.rows, args.days)
        return 0
    if (args.skip_import or args.write_truth) and not args.reuse:
        parser.error("--skip-import and --write-truth need --reuse FILE (the file the database was imported from)")
    if args.only_retention:
        _django(smoke_database_url(args.database, DEFAULT_URL), redis_url="")
        print(f"retention: {measured_retention(args.days)}")
        return 0
    if args.smoke:
        args.rows, args.days, args.import_workers, args.detect_workers, args.repeat = 6_000, 7, [0], [0], 2
        args.database = "rca_bench_smoke_scale"

    url = smoke_database_url(args.database, DEFAULT_URL)
    if not open_database(url, fresh=args.reuse is None):
        print("This benchmark needs PostgreSQL.", file=sys.stderr)
        return 0 if args.smoke else 2
    migrate(url)
    redis_url = "" if args.smoke else args.redis_url
    _django(url, redis_url=redis_url)
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "config.settings.base",
           "LOG_LEVEL": "WARNING"}  # fmt: skip
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"bench_scale {stamp}: {args.rows:,} audits over {args.days} days, database {args.database}", flush=True)

    with _workdir(args.workdir, args.rows) as workdir:
        path = args.reuse or Path(workdir) / "audits.jsonl"
        if args.skip_import:
            total = count_rows(url)
        elif args.reuse:  # the older audits only, as the build left them (`bench_history`)
            started = time.perf_counter()
            reset_table(url)
            built = time.perf_counter() - started
        else:
            built = build(url, path, args.rows, args.days)
        if not args.skip_import:
            total = count_rows(url)
            print(f"built in {built:.0f}s: {path.stat().st_size / 2**20:,.0f} MB file, table holds {total:,}")
        imports = {}
        for index, workers in enumerate([] if args.skip_import else args.import_workers):
            if index:
                reset_table(url)
            before = count_rows(url)
            result = imports[workers] = measured_import(path, workers, env)
            rate, cpu = total / result["seconds"], result["workers_cpu"] + result["postgres_cpu"]
            print(
                f"import, {workers or 'no (eager)'} worker(s), into {before:,} rows: {result['seconds']:.1f}s = "
                f"{rate:,.0f} rows/s; {result['counts']}; peak RSS workers "
                f"{', '.join(f'{mb:.0f} MB' for mb in result['workers_mb']) or '-'}, command "
                f"{result['command_mb']:.0f} MB; CPU a row: workers {result['workers_cpu'] / total * 1e6:.1f} us, "
                f"PostgreSQL {result['postgres_cpu'] / total * 1e6:.1f} us"
                + (f" -> {total / (cpu / 2):,.0f} rows/s if both cores were ours" if workers and cpu else ""),
                flush=True,
            )
        truth = read_truth(path)  # before a temporary directory goes
    import psycopg

    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE rca_moderationsample")

    detections = {}
    # Each count of workers on no pattern yet (every pattern new, opening its case), then the last count again: the
    # hourly run, which finds its patterns again and links only new samples. Workers 0: inline, eager (the smoke run).
    runs = [(workers, True) for workers in args.detect_workers]
    runs += [(args.detect_workers[-1], False)] if args.detect_workers and args.detect_workers[-1] else []
    for workers, first in runs:
        if workers:
            result = measured_run(workers, env, WINDOW_DAYS, url, reset=first)
            detections[workers if first else f"{workers}, again"] = result
            run, seconds, peaks = result["run"], result["seconds"], result["peak_mb"]
        else:
            from rca.detection_runs import detection_run_create, detection_run_execute

            started = time.perf_counter()
            run = detection_run_execute(run=detection_run_create(actor=None, window_days=WINDOW_DAYS))
            seconds, peaks = time.perf_counter() - started, []
        print(
            f"detection, {workers or 'inline'} worker(s){'' if first else ', again (its patterns found before)'}: "
            f"{run.status} in {seconds:.1f}s, peak RSS {', '.join(f'{mb:.0f} MB' for mb in peaks) or '-'}; "
            f"{run.samples_read:,} audits in {WINDOW_DAYS} days, {run.patterns_found} patterns ({run.patterns_new} "
            f"new), {run.cases_opened} cases opened; steps (s, partitions summed): "
            f"{', '.join(f'{step} {value:.1f}' for step, value in (run.timings or {}).items())}",
            flush=True,
        )
    score = scored_detection(truth)
    for kind, figures in (score or {}).items():
        print(
            f"detection quality, {kind} patterns: {figures['found']} found, recall {figures['recall']:.2f}, precision "
            f"{figures['precision']:.2f}, duplicates {figures['duplicates']}, decoys reported "
            f"{figures['decoys_reported']}, missed {figures['missed']}",
            flush=True,
        )
    print(f"reads on {count_rows(url):,} audits:", flush=True)
    reads = measured_reads(args.repeat)
    if not args.no_retention:
        _print_retention(args.days)

    if args.smoke:
        return 0 if run.status == "succeeded" and imports[0]["counts"]["created"] == str(total) else 1
    two = imports.get(2)
    verdicts = []
    if two:
        verdicts.append(("import >= 60k rows/s with 2 workers", total / two["seconds"] >= TARGET_ROWS_S))
    peaks = [mb for result in imports.values() for mb in (*result["workers_mb"], result["command_mb"])]
    if peaks:
        verdicts.append(("import < 500 MB a process", max(peaks) < TARGET_PEAK_MB))
    if 2 in detections:
        verdicts.append(("detection <= 30 s with 2 workers", detections[2]["seconds"] <= TARGET_DETECTION_S))
    if score:
        moderation = score["moderation"]
        verdicts.append(("detection recall 1.00", moderation["recall"] == 1.0))
        verdicts.append(("detection precision >= 0.95", moderation["precision"] >= 0.95))
    explorer = [ms for name, ms in reads.items() if not name.startswith("board")]
    verdicts.append(("explorer and API < 300 ms median", max(explorer) < TARGET_MS))
    for label, met in verdicts:
        print(f"target {label}: {'met' if met else 'NOT met'}")
    return 0


def _workdir(workdir: str | None, rows: int):
    """A temporary directory for the file, or with `--workdir` one that stays (`bench_scale_<rows>`), so that a later
    run can `--reuse` the file and its truth."""
    if not workdir:
        return tempfile.TemporaryDirectory(prefix="bench_scale_")
    kept = Path(workdir) / f"bench_scale_{rows}"
    kept.mkdir(parents=True, exist_ok=True)
    return contextlib.nullcontext(str(kept))


def _print_retention(days: int) -> None:
    dropped = measured_retention(days)
    print(
        f"retention (the older half of the {days} older days, batches of 5,000): {dropped['deleted']:,} deleted "
        f"in {dropped['seconds']:.1f}s = {dropped['deleted'] / dropped['seconds']:,.0f} rows/s, "
        f"{dropped['seconds'] / max(dropped['batches'], 1) * 1000:.0f} ms a batch on average",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
