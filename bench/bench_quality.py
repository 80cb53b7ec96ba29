"""Benchmark of the quality endpoints on the benchmark dataset (bench/dataset.py): `GET /api/v1/quality/metrics/`
grouped by week and policy over the dataset's 90 days (target: median under 300 ms at 1,000,000 audits), other
groupings, the change explainer, and the full rebuild of the rollups they read.

The rollups are built once (`manage.py rebuild_quality_rollups`, timed here) when the dataset has none, or again with
`--rebuild`; the dataset itself is never rebuilt by this script (other benchmarks share it).

    .venv/bin/python -m bench.bench_quality            # rca_bench: 1,000,000 samples, 100,000 cases
    .venv/bin/python -m bench.bench_quality --smoke    # rca_bench_smoke_quality: 20,000 samples, 2,000 cases
"""

import argparse
import os
import sys
import time

from bench.dataset import DEFAULT_URL, FULL_CASES, FULL_SAMPLES, ensure_dataset, smoke_database_url
from bench.http_timing import median_get

TARGET_MS = 300.0
TARGETED = "metrics by week and policy"


def _slices(body) -> int:
    """Rows of a metrics answer: its list, or its `slices` (the changes endpoint)."""
    return len(body) if isinstance(body, list) else len((body or {}).get("slices", []))


def run(database_url: str, *, samples: int, cases: int, repeat: int, rebuild: bool) -> dict[str, float]:
    ensure_dataset(database_url, samples=samples, cases=cases)
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.auth.models import User
    from django.db.models import Max, Min
    from rest_framework.test import APIClient

    from rca.models import QualityRollup
    from rca.quality.rollups import quality_rollups_rebuild

    if rebuild or not QualityRollup.objects.exists():
        started = time.perf_counter()
        rows = quality_rollups_rebuild()
        print(f"rollups rebuilt: {rows:,} rows in {time.perf_counter() - started:.1f}s", flush=True)
    days = QualityRollup.objects.aggregate(first=Min("day"), last=Max("day"))
    start, end = days["first"], days["last"]
    span = f"start={start}&end={end}"
    half = start + (end - start) / 2
    periods = f"a_start={start}&a_end={half}&b_start={half + timedelta(days=1)}&b_end={end}"

    manager = User.objects.get(username="bench_manager")
    lead = User.objects.filter(username__startswith="bench_lead_").first()
    manager_api, lead_api = APIClient(), APIClient()
    manager_api.force_authenticate(manager)
    lead_api.force_authenticate(lead)

    metrics = "/api/v1/quality/metrics/"
    measured = [
        (TARGETED, manager_api, f"{metrics}?group_by=policy&period=week&{span}"),
        ("metrics by week, policy and source", manager_api, f"{metrics}?group_by=policy,decision_source&period=week"),
        (
            "metrics by day and source, unweighted",
            manager_api,
            f"{metrics}?group_by=decision_source&period=day&weighted=false",
        ),
        ("metrics by month and market", manager_api, f"{metrics}?group_by=market&period=month"),
        ("metrics by week and auditor (lead)", lead_api, f"{metrics}?group_by=auditor&period=week"),
        ("metrics by week and policy as CSV", manager_api, f"{metrics}?group_by=policy&period=week&format=csv"),
        ("changes by market", manager_api, f"/api/v1/quality/changes/?dimension=market&{periods}"),
        ("changes by queue", manager_api, f"/api/v1/quality/changes/?dimension=queue&{periods}"),
    ]
    # Every metrics query covers the dataset's days.
    measured = [(name, client, f"{url}&{span}" if url.startswith(metrics) and span not in url else url)
                for name, client, url in measured]  # fmt: skip
    results: dict[str, float] = {}
    for name, client, url in measured:
        median, queries, rows = median_get(client, url, repeat, rows=_slices)
        results[name] = median
        target = f"(target < {TARGET_MS:.0f} ms)" if name == TARGETED else ""
        print(f"{name:40s} rows={rows:5d} queries={queries:2d}  median {median:8.1f} ms {target}", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny dataset in its own database, a few repeats")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the rollups first (timed)")
    args = parser.parse_args(argv)
    if args.smoke:
        url = smoke_database_url("rca_bench_smoke_quality", args.database_url)
        run(url, samples=20_000, cases=2_000, repeat=args.repeat or 3, rebuild=True)
        return 0
    results = run(
        args.database_url, samples=FULL_SAMPLES, cases=FULL_CASES, repeat=args.repeat or 20, rebuild=args.rebuild
    )
    return 0 if results[TARGETED] < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
