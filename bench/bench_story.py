"""Time of a case story's figures on the benchmark dataset (1,000,000 samples, 100,000 cases): computing them (the
task's work, `cases.story.compute`) and reading them back (the room's share: the stored figures' texts, the chart and
the markers, `cases.story.display`).

Nothing is written: the figures are computed and timed, never stored.

    .venv/bin/python -m bench.bench_story                  # full size, database rca_bench
    .venv/bin/python -m bench.bench_story --as-is          # the database as it is (no migration, no dataset check)
    .venv/bin/python -m bench.bench_story --smoke          # a few seconds on rca_bench_smoke_story
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta

from bench.dataset import DEFAULT_URL, FULL_CASES, FULL_SAMPLES, ensure_dataset, smoke_database_url

SMOKE_SAMPLES, SMOKE_CASES = 5_000, 500
# A pattern-sized slice of the dataset's biggest comparable traffic (decision "none": half of all audits).
BIG_SLICE = {"population": {"decision_label": "none", "market": "ID"}, "audit_label": "violent_extremism"}
# The worst case: a market's every error, against all traffic (a lead's measure with no decision label).
MARKET_WIDE = {"population": {"market": "ID"}}


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.pop("TEST_DATABASE_NAME", None)
    import django

    django.setup()


def _time(function, runs: int) -> tuple[float, float, object]:
    """(median ms, max ms, last result) of `runs` calls after one warm-up."""
    result = function()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), max(timings), result


def run(database_url: str, *, samples: int, cases: int, runs: int, setup: bool = True) -> list[dict]:
    if setup:
        ensure_dataset(database_url, samples=samples, cases=cases)
    _setup_django(database_url)
    from django.utils import timezone

    from cases.measure.definition import measure_from_dict
    from cases.models import Case
    from cases.story.compute import case_story_compute, story_compute
    from cases.story.display import story_view
    from cases.story.trend import case_markers

    now = timezone.now()
    big = measure_from_dict(BIG_SLICE)
    biggest = Case.objects.select_related("pattern").order_by("-sample_count", "id").first()
    results = []
    median, worst, figures = _time(lambda: story_compute(big, now=now, first_error=now - timedelta(days=40)), runs)
    slice_audits = figures["header"]["slice"]["audits"]
    results.append({"what": f"compute: big slice ({slice_audits:,} audits in 14 days)", "median": median, "max": worst})
    biggest.measure = MARKET_WIDE  # in memory only: the case as a lead who measured the whole market would have it
    median, worst, wide = _time(lambda: case_story_compute(biggest, now=now), runs)
    what = f"compute: case measuring a market ({wide['header']['slice']['audits']:,} audits in 14 days)"
    results.append({"what": what, "median": median, "max": worst})
    median, worst, _view = _time(lambda: story_view(figures, case_markers(biggest)), runs)
    results.append({"what": "read: texts, chart and markers of stored figures", "median": median, "max": worst})
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny dataset, a few runs: proves the script works")
    parser.add_argument("--as-is", action="store_true", help="no migration nor dataset check (reads only)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    if args.smoke:
        url, samples, cases, runs = (
            smoke_database_url("rca_bench_smoke_story", DEFAULT_URL),
            SMOKE_SAMPLES,
            SMOKE_CASES,
            2,
        )
    else:
        url, samples, cases, runs = args.database_url, FULL_SAMPLES, FULL_CASES, args.runs
    results = run(url, samples=samples, cases=cases, runs=runs, setup=not args.as_is)
    print(f"{'story figures':<56} {'median ms':>10} {'max ms':>8}")
    for row in results:
        print(f"{row['what']:<56} {row['median']:>10.1f} {row['max']:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
