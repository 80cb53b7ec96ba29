"""Load benchmark: the app under gunicorn on PostgreSQL + Redis with the benchmark dataset (1,000,000 samples,
100,000 cases), driven from separate client processes on loopback with a mixed, authenticated load.

Mix (bench/load_driver.py): 70% case work reads (case board with filters, case room), 20% sample lists with filters
(page and API), 10% writes (API comments, workflow transitions remediating <-> monitoring, bulk upserts of 20 existing
samples). Quality leads, partners (board, rooms of the cases they see, comments) and the manager, with session cookies
for pages and expiring tokens for the API. Reports throughput, p50 / p95 / p99 (overall and per operation) and the
error count; target: 0 errors and p99 under 500 ms at 32 concurrent clients.

The writes leave the dataset's sample and case counts as they are (bulk upserts only update existing samples), so
`bench/dataset.py` does not rebuild it; comments and a few status moves are added to it. A private throwaway Redis is
started for the broker (never the shared one) and stopped at the end; loopback only, bounded in time and count.

    .venv/bin/python -m bench.bench_load                   # full size on rca_bench, 32 clients, 60 s
    .venv/bin/python -m bench.bench_load --smoke           # rca_bench_smoke_load, 4 clients, 3 s
"""

import argparse
import json
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.dataset import DEFAULT_URL, FULL_CASES, FULL_SAMPLES, ensure_dataset, smoke_database_url
from bench.load_driver import ClientPlan, drive

ROOT = Path(__file__).resolve().parent.parent
TARGET_P99_MS = 500.0
SMOKE_SAMPLES, SMOKE_CASES = 20_000, 2_000


def _free_port(start: int) -> int:
    for port in range(start, start + 100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free loopback port")


def _wait_port(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


class _Process:
    """A child process in its own group, ended by its id (never by name)."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path) -> None:
        self.log = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)
        self.log.close()


def _plans(database_url: str, clients: int) -> list[ClientPlan]:
    """Sessions and tokens for the dataset's users, and each client's cases (disjoint transition sets)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    from cases.models import Case
    from cases.permissions import visible_cases
    from config.api.authentication import token_for
    from rca.models import ModerationSample

    remediating = list(
        Case.objects.filter(status__in=["remediating", "monitoring"])
        .order_by("pk")
        .values_list("pk", "status")[: clients * 4]
    )
    all_cases = list(Case.objects.order_by("-pk").values_list("pk", flat=True)[:5000])
    columns = (
        "external_id",
        "content_id",
        "content_type",
        "market",
        "language",
        "decision_source",
        "model_version",
        "decision_label_id",
        "audit_label_id",
        "decided_at",
        "audited_at",
        "notes",
        "queue",
    )
    plans = []
    for index in range(clients):
        kind = index % 10  # 7 of 10 clients are quality leads, 2 partners, 1 the manager
        if kind < 7:
            user = User.objects.get(username=f"bench_lead_{index % 40}")
        elif kind < 9:
            user = User.objects.get(username=f"bench_partner_{index % 60}")
        else:
            user = User.objects.get(username="bench_manager")
        browser = Client()
        browser.force_login(user)
        token, _ = token_for(user)
        is_lead = kind < 7
        readable = (
            all_cases
            if kind != 7 and kind != 8
            else list(visible_cases(user).order_by("-pk").values_list("pk", flat=True)[:500])
        )
        plan = ClientPlan(
            index=index,
            session_cookie=browser.cookies[settings.SESSION_COOKIE_NAME].value,
            token=token.key,
            readable_cases=readable or all_cases,
            is_lead=is_lead,
        )
        if is_lead:
            plan.transition_cases = dict(remediating[index * 4 : index * 4 + 4]) or dict(remediating[:1])
            samples = ModerationSample.objects.order_by("pk").values(*columns)[index * 100 : index * 100 + 100]
            plan.bulk_records = [_as_record(row) for row in samples]
        plans.append(plan)
    return plans


def _as_record(row: dict) -> dict:
    record = {key.removesuffix("_id") if key.endswith("label_id") else key: value for key, value in row.items()}
    record["decided_at"] = record["decided_at"].isoformat()
    record["audited_at"] = record["audited_at"].isoformat()
    return {key: value for key, value in record.items() if value not in ("", None)}


def _warm_up(port: int, plan: ClientPlan, rounds: int) -> None:
    """Each gunicorn worker loads the URLconf and the views' imports on its first requests (seconds): do that first,
    with a few requests of every kind, so that the measured window holds no cold start."""
    from bench.load_driver import MIX, _Client

    client = _Client("127.0.0.1", port, plan, seed=12345)
    for _ in range(rounds):
        for op in MIX:
            if op in client.ops:
                client.one_of(op)
    client.conn.close()


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else 0.0


def _summary(rows: list[tuple], duration: float) -> dict:
    latencies = [row[3] for row in rows]
    errors = [row for row in rows if row[1] != row[2]]
    per_op = {}
    for op in sorted({row[0] for row in rows}):
        op_ms = [row[3] for row in rows if row[0] == op]
        per_op[op] = {
            "count": len(op_ms),
            "p50": round(_percentile(op_ms, 0.50), 1),
            "p95": round(_percentile(op_ms, 0.95), 1),
            "p99": round(_percentile(op_ms, 0.99), 1),
            "errors": sum(1 for row in errors if row[0] == op),
        }
    return {
        "requests": len(rows),
        "throughput_rps": round(len(rows) / duration, 1),
        "p50_ms": round(_percentile(latencies, 0.50), 1),
        "p95_ms": round(_percentile(latencies, 0.95), 1),
        "p99_ms": round(_percentile(latencies, 0.99), 1),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else 0.0,
        "errors": len(errors),
        "error_samples": sorted({f"{row[0]}:{row[1]}{':' + row[4] if row[4] else ''}" for row in errors})[:10],
        "per_operation": per_op,
    }


def run(
    database_url: str,
    *,
    samples: int,
    cases: int,
    clients: int,
    duration: float,
    warmup: float,
    workers: int,
    threads: int,
    max_requests: int,
    drivers: int,
) -> dict:
    ensure_dataset(database_url, samples=samples, cases=cases)
    load_before = os.getloadavg()
    plans = _plans(database_url, clients)
    scratch = Path(tempfile.mkdtemp(prefix="rca-bench-load-"))
    processes: list[_Process] = []
    env = {key: value for key, value in os.environ.items() if key not in ("TEST_DATABASE_NAME",)}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=database_url,
        DEBUG="false",
        API_TOKEN_THROTTLE_RATE="100000000/min",
        CONN_MAX_AGE="600",
        LOG_LEVEL="WARNING",
    )
    try:
        if shutil.which("redis-server"):
            redis_port = _free_port(6392)
            processes.append(
                _Process(
                    [
                        "redis-server",
                        "--port",
                        str(redis_port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                    ],
                    env,
                    scratch / "redis.log",
                )
            )
            assert _wait_port(redis_port, 10), "the private Redis did not start"
            env.update(REDIS_URL=f"redis://127.0.0.1:{redis_port}/0", CELERY_TASK_ALWAYS_EAGER="false")
        else:
            env.pop("REDIS_URL", None)
        port = _free_port(18500)
        processes.append(
            _Process(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(workers),
                    "--worker-class",
                    "gthread",
                    "--threads",
                    str(threads),
                    "--timeout",
                    "60",
                    "--preload",
                    "--backlog",
                    "256",
                ],
                env,
                scratch / "gunicorn.log",
            )
        )
        assert _wait_port(port, 60), (scratch / "gunicorn.log").read_text()
        _warm_up(port, plans[0], rounds=workers * 3)
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        shares = [plans[n::drivers] for n in range(drivers)]
        children = [
            context.Process(target=drive, args=("127.0.0.1", port, share, warmup, duration, max_requests, queue))
            for share in shares
            if share
        ]
        for child in children:
            child.start()
        rows = [row for _ in children for row in queue.get(timeout=warmup + duration + 120)]
        for child in children:
            child.join(timeout=30)
    finally:
        for process in reversed(processes):
            process.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    summary = _summary(rows, duration)
    summary.update(
        clients=clients,
        duration_s=duration,
        gunicorn=f"{workers} gthread workers x {threads} threads",
        loadavg_before=[round(value, 2) for value in load_before],
        loadavg_after=[round(value, 2) for value in os.getloadavg()],
        samples=samples,
        cases=cases,
    )
    return summary


def _print(summary: dict) -> None:
    print(
        f"{summary['clients']} clients, {summary['duration_s']:.0f} s, {summary['gunicorn']}: "
        f"{summary['requests']} requests, {summary['throughput_rps']} req/s, p50 {summary['p50_ms']} ms, "
        f"p95 {summary['p95_ms']} ms, p99 {summary['p99_ms']} ms, errors {summary['errors']} "
        f"(target: 0 errors, p99 < {TARGET_P99_MS:.0f} ms)",
        flush=True,
    )
    for op, figures in summary["per_operation"].items():
        print(
            f"  {op:13s} n={figures['count']:6d}  p50 {figures['p50']:7.1f}  p95 {figures['p95']:7.1f}  "
            f"p99 {figures['p99']:7.1f}  errors {figures['errors']}"
        )
    if summary["error_samples"]:
        print(f"  errors: {', '.join(summary['error_samples'])}")
    print(f"  load average before {summary['loadavg_before']}, after {summary['loadavg_after']}")
    print(json.dumps(summary))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny dataset in its own database, 4 clients, 3 s")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds (after the warm-up)")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--drivers", type=int, default=4, help="client processes")
    parser.add_argument("--max-requests", type=int, default=100_000, help="cap per client")
    args = parser.parse_args(argv)
    if args.smoke:
        url = smoke_database_url("rca_bench_smoke_load", args.database_url)
        summary = run(
            url,
            samples=SMOKE_SAMPLES,
            cases=SMOKE_CASES,
            clients=4,
            duration=3.0,
            warmup=1.0,
            workers=2,
            threads=2,
            max_requests=2_000,
            drivers=2,
        )
        _print(summary)
        return 0 if summary["errors"] == 0 and summary["requests"] > 0 else 1
    summary = run(
        args.database_url,
        samples=FULL_SAMPLES,
        cases=FULL_CASES,
        clients=args.clients,
        duration=args.duration,
        warmup=args.warmup,
        workers=args.workers,
        threads=args.threads,
        max_requests=args.max_requests,
        drivers=args.drivers,
    )
    _print(summary)
    return 0 if summary["errors"] == 0 and summary["p99_ms"] < TARGET_P99_MS else 1


if __name__ == "__main__":
    sys.exit(main())
