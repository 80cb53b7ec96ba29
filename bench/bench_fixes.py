"""Benchmark of verified fixes on the benchmark dataset (bench/dataset.py): the remediation report with 500 cases with
fixes (target: median under 1 s), and the time of computing one fix verdict on 1,000,000 samples.

Setup, idempotent: the first `--fixes` monitoring and closed cases (by id) get a measure ("missed <the case's policy
label> in <its market>": decisions `none` in the market, errors on the label; only where the case has none) and one
fix, effective 7 to 27 days before the newest audit, whose verdict is computed and stored as the hourly task would
(`cases.fixes.services.fix_verdict_refresh`, as of the newest audit). A second run finds them and computes nothing.

    .venv/bin/python -m bench.bench_fixes            # rca_bench: 1,000,000 samples, 100,000 cases, 500 fixes
    .venv/bin/python -m bench.bench_fixes --smoke    # rca_bench_smoke_fixes: 20,000 samples, 2,000 cases, 50 fixes
"""

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from datetime import timedelta

from bench.dataset import DEFAULT_URL, FULL_CASES, FULL_SAMPLES, ensure_dataset, smoke_database_url
from bench.http_timing import median_get

TARGET_MS = 1000.0
FULL_FIXES = 500
REPORT_URL = "/api/v1/reports/remediation/"


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.pop("TEST_DATABASE_NAME", None)
    import logging
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # the verdicts' notifications, run inline


def ensure_fixes(count: int) -> tuple[int, float]:
    """Give `count` monitoring or closed cases a measure and a fix with a stored verdict (see the module docstring);
    returns (verdicts computed now, seconds spent computing them)."""
    from django.contrib.auth.models import User
    from django.db.models import Max

    from cases.choices import CaseStatus
    from cases.fixes.models import Fix
    from cases.fixes.services import fix_verdict_refresh
    from cases.models import Case
    from rca.models import ModerationSample

    newest = ModerationSample.objects.aggregate(newest=Max("audited_at"))["newest"]
    lead = User.objects.filter(username__startswith="bench_lead").order_by("pk").first()
    cases = list(Case.objects.filter(status__in=(CaseStatus.MONITORING, CaseStatus.CLOSED)).order_by("pk")[:count])
    for case in cases:
        if not case.measure:
            population = {"decision_label": "none", "market": case.market}
            case.measure = {"population": population, "audit_label": case.policy_label}
            case.save(update_fields=["measure"])
    with_fix = set(Fix.objects.filter(case__in=cases).values_list("case_id", flat=True))
    Fix.objects.bulk_create(
        Fix(
            case=case,
            effective_at=newest - timedelta(days=7 + case.pk % 21),
            description="Benchmark fix",
            recorded_by=lead,
        )
        for case in cases
        if case.pk not in with_fix
    )
    pending = list(Fix.objects.filter(case__in=cases, verdict_at__isnull=True).order_by("pk"))
    started = time.perf_counter()
    for index, fix in enumerate(pending, 1):
        fix_verdict_refresh(fix, now=newest)
        if index % 50 == 0:
            print(f"  verdicts computed: {index} of {len(pending)}", flush=True)
    return len(pending), time.perf_counter() - started


def time_one_verdict(repeat: int) -> tuple[float, str]:
    """Median milliseconds of computing one verdict (`fix_verdict`, the database's part included), not stored."""
    from cases.fixes.models import Fix
    from cases.fixes.verdict import VerdictParams, fix_verdict
    from cases.measure.definition import case_measure

    fix = Fix.objects.filter(description="Benchmark fix").select_related("case").order_by("pk").first()
    measure = case_measure(fix.case)
    now = fix.verdict_at
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        verdict, _figures = fix_verdict(measure, fix_at=fix.effective_at, now=now, params=VerdictParams.from_settings())
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), verdict


def run(database_url: str, *, samples: int, cases: int, fixes: int, repeat: int) -> float:
    ensure_dataset(database_url, samples=samples, cases=cases)
    _setup_django(database_url)
    from django.contrib.auth.models import User
    from rest_framework.test import APIClient

    from cases.fixes.models import Fix

    computed, seconds = ensure_fixes(fixes)
    mix = Counter(Fix.objects.filter(description="Benchmark fix").values_list("verdict", flat=True))
    print(f"fixes: {sum(mix.values())} with stored verdicts {dict(sorted(mix.items()))}", flush=True)
    if computed:
        print(f"setup: {computed} verdicts computed in {seconds:.1f}s ({seconds / computed * 1000:.0f} ms each)")
    verdict_ms, verdict = time_one_verdict(repeat)
    print(f"{'one verdict (fix_verdict, not stored)':45s} median {verdict_ms:8.1f} ms ({verdict})", flush=True)

    api = APIClient()
    api.force_authenticate(User.objects.get(username="bench_manager"))
    results = {}
    for name, url in (
        (f"remediation report, {fixes} fixes (JSON)", REPORT_URL),
        (f"remediation report, {fixes} fixes (CSV)", f"{REPORT_URL}?format=csv"),
        ("remediation report, not holding only", f"{REPORT_URL}?verdict=not_holding"),
    ):
        median, queries, rows = median_get(api, url, repeat)
        results[name] = median
        print(f"{name:45s} rows={rows:4d} queries={queries:2d}  median {median:8.1f} ms", flush=True)
    # Closed cases without a fix record: computed on the fly (a figure to watch, no target).
    median, queries, rows = median_get(api, f"{REPORT_URL}?basis=closing", min(repeat, 3))
    print(f"{'closings without a fix, computed now':45s} rows={rows:4d} queries={queries:2d}  median {median:8.1f} ms")
    return results[f"remediation report, {fixes} fixes (JSON)"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny dataset in its own database, a few repeats")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--fixes", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=None)
    args = parser.parse_args(argv)
    if args.smoke:
        url = smoke_database_url("rca_bench_smoke_fixes", args.database_url)
        run(url, samples=20_000, cases=2_000, fixes=args.fixes or 50, repeat=args.repeat or 3)
        return 0
    fixes = args.fixes or FULL_FIXES
    median = run(args.database_url, samples=FULL_SAMPLES, cases=FULL_CASES, fixes=fixes, repeat=args.repeat or 9)
    print(f"target: median under {TARGET_MS:.0f} ms: {'met' if median < TARGET_MS else 'NOT MET'}")
    return 0 if median < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
