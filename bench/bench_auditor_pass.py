"""What the auditor pass costs a detection run: the same 1,000,000 audits, runs with `DETECTION_AUDITOR_PASS` off and on
in turn (so a slow spell of the VM weighs on both), on one real Celery worker; target: at most +20% (issue 18).

It reuses `bench.bench_detection_speed`'s dataset (`rca_bench_detect`: the generator's planted moderation and
auditor-driven patterns) and its measured run (request -> succeeded, fresh worker, results truncated first). The run's
parameters are taken when it is requested, in this process, so the setting is switched here.

    .venv/bin/python -m bench.bench_auditor_pass --rounds 5    # full size
    .venv/bin/python -m bench.bench_auditor_pass --smoke       # ~10,000 audits, inline runs, a few seconds
"""

import argparse
import os
import statistics
import sys
import time

from bench import bench_detection_speed as speed
from bench.dataset import DEFAULT_URL, migrate, open_database, smoke_database_url

TARGET_GROWTH = 0.20


def _smoke() -> int:
    url = smoke_database_url("rca_bench_smoke_auditor_pass", DEFAULT_URL)
    if not open_database(url):
        print("smoke: no PostgreSQL server answers; nothing to compare", flush=True)
        return 0
    migrate(url)
    speed._django(url, redis_url="")
    from django.conf import settings

    from rca.detection_runs import detection_run_create, detection_run_execute

    speed.build_dataset(url, speed.SMOKE_SAMPLES, speed.SMOKE_DAYS)
    found = {}
    for flag in (False, True):
        settings.DETECTION_AUDITOR_PASS = flag
        speed.reset_results(url)
        run = detection_run_execute(run=detection_run_create(actor=None, window_days=speed.SMOKE_DAYS + 1))
        found[flag] = (run.status, run.patterns_found)
    print(f"smoke: pass off {found[False]}, on {found[True]}", flush=True)
    return 0 if found[False][0] == found[True][0] == "succeeded" else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="runs of each, alternating")
    parser.add_argument("--samples", type=int, default=speed.FULL_SAMPLES)
    parser.add_argument("--days", type=int, default=speed.FULL_DAYS)
    parser.add_argument("--database", default="rca_bench_detect")
    parser.add_argument("--redis-url", default=speed.DEFAULT_REDIS)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    if args.smoke:
        return _smoke()
    url = smoke_database_url(args.database, DEFAULT_URL)
    if not open_database(url):
        print("The benchmark needs PostgreSQL.", file=sys.stderr)
        return 2
    migrate(url)
    speed._django(url, redis_url=args.redis_url)
    from django.conf import settings

    samples, errors, _built = speed.build_dataset(url, args.samples, args.days)
    days = speed.window_days(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": args.redis_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    seconds = {False: [], True: []}
    print(f"dataset {args.database}: {samples:,} audits, {errors:,} misclassified", flush=True)
    for index in range(args.rounds):
        for flag in (False, True) if index % 2 == 0 else (True, False):
            settings.DETECTION_AUDITOR_PASS = flag
            result = speed.measured_run(1, env, days, url)
            seconds[flag].append(result["seconds"])
            run = result["run"]
            print(
                f"round {index + 1}, pass {'on ' if flag else 'off'}: {result['seconds']:.1f}s, {run.patterns_found} "
                f"patterns, peak {max(result['peak_mb']):.0f} MB, load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            time.sleep(1)
    pairs = [on / off - 1 for off, on in zip(seconds[False], seconds[True], strict=True)]
    fastest = min(seconds[True]) / min(seconds[False]) - 1
    median = statistics.median(seconds[True]) / statistics.median(seconds[False]) - 1
    print(
        f"pass off: fastest {min(seconds[False]):.1f}s, median {statistics.median(seconds[False]):.1f}s; pass on: "
        f"fastest {min(seconds[True]):.1f}s, median {statistics.median(seconds[True]):.1f}s; growth: fastest "
        f"{fastest:+.0%}, medians {median:+.0%}, per round {', '.join(f'{pair:+.0%}' for pair in pairs)}; target "
        f"<= +{TARGET_GROWTH:.0%}: {'met' if median <= TARGET_GROWTH else 'NOT met'} (medians)",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
