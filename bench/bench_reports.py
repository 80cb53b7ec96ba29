"""Benchmark of the managers' reports on the benchmark dataset (bench/dataset.py): the closure report endpoint for each
grouping (target: median under 300 ms with 100,000 cases), the remediation report endpoint and the dashboard page.

    .venv/bin/python -m bench.bench_reports            # rca_bench: 1,000,000 samples, 100,000 cases
    .venv/bin/python -m bench.bench_reports --smoke    # rca_bench_smoke_reports: 20,000 samples, 2,000 cases
"""

import argparse
import os
import sys

from bench.dataset import DEFAULT_URL, FULL_CASES, FULL_SAMPLES, ensure_dataset, smoke_database_url
from bench.http_timing import median_get

TARGET_MS = 300.0
GROUPINGS = ("owner", "team", "severity", "policy", "month")
TARGETED = {grouping: f"closure group_by={grouping}" for grouping in GROUPINGS}


def run(database_url: str, *, samples: int, cases: int, repeat: int) -> dict[str, float]:
    ensure_dataset(database_url, samples=samples, cases=cases)
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client
    from rest_framework.test import APIClient

    manager = User.objects.get(username="bench_manager")
    api = APIClient()
    api.force_authenticate(manager)
    pages = Client()
    pages.force_login(manager)

    results: dict[str, float] = {}
    measured = [(name, api, f"/api/v1/reports/closure/?group_by={group}") for group, name in TARGETED.items()]
    measured += [
        ("closure group_by=team, period 90 days", api, "/api/v1/reports/closure/?group_by=team&period=90"),
        ("closure group_by=owner as CSV", api, "/api/v1/reports/closure/?group_by=owner&format=csv"),
        ("remediation (latest fixes, up to 500)", api, "/api/v1/reports/remediation/"),
        ("dashboard page /reports/", pages, "/reports/"),
    ]
    for name, client, url in measured:
        median, queries, rows = median_get(client, url, repeat)
        results[name] = median
        target = f"(target < {TARGET_MS:.0f} ms)" if name in TARGETED.values() else ""
        print(f"{name:40s} rows={rows:4d} queries={queries:2d}  median {median:8.1f} ms {target}", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny dataset in its own database, a few repeats")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--repeat", type=int, default=None)
    args = parser.parse_args(argv)
    if args.smoke:
        url = smoke_database_url("rca_bench_smoke_reports", args.database_url)
        run(url, samples=20_000, cases=2_000, repeat=args.repeat or 3)
        return 0
    results = run(args.database_url, samples=FULL_SAMPLES, cases=FULL_CASES, repeat=args.repeat or 20)
    closure = [results[name] for name in TARGETED.values()]
    return 0 if all(ms < TARGET_MS for ms in closure) else 1


if __name__ == "__main__":
    sys.exit(main())
