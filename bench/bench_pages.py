"""Server time of each page on the benchmark dataset (1,000,000 samples, 100,000 cases): median under 150 ms.

Requests go through Django's test client in-process (the whole middleware stack, templates included), signed in as a
quality lead, a partner or the manager of `bench/dataset.py`. Case rooms and pattern pages are measured inside a
transaction that is rolled back, so the shared dataset is left as it was: the biggest case gets 1,000 linked samples
(errors in market ID) and a lead's measure with a text topic (its samples ranked by the topic's terms), and its story
is stored first, as detection's task would have (a warm room); the other rooms store theirs on the warm-up request.
Pattern pages are measured on 300 patterns added in the same transaction.

    .venv/bin/python -m bench.bench_pages                  # full size, database rca_bench
    .venv/bin/python -m bench.bench_pages --as-is          # the database as it is (no migration, no dataset check)
    .venv/bin/python -m bench.bench_pages --smoke          # a few seconds on rca_bench_smoke_pages
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from bench.dataset import DEFAULT_URL, FULL_CASES, FULL_SAMPLES, ensure_dataset

TARGET_MS = 150.0
SMOKE_SAMPLES, SMOKE_CASES = 5_000, 500
ROOM_SAMPLES = 1_000
ROOM_MEASURE = {
    "population": {"decision_label": "none", "market": "ID"},
    "audit_label": "bullying_harassment",
    "topic_terms": ["slang", "insult", "context"],
}


def _smoke_url() -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        base = DEFAULT_URL
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, "/rca_bench_smoke_pages", "", ""))


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.pop("TEST_DATABASE_NAME", None)
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()


def _time(client, url: str, runs: int) -> tuple[float, float, int, int]:
    """(median ms, max ms, queries, status) of `runs` GETs after one warm-up."""
    from django.db import connection

    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    response = client.get(url)
    with connection.execute_wrapper(count):
        client.get(url)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), max(timings), len(executed), response.status_code


def _add_patterns(count: int) -> int:
    """Patterns with daily counts and a few samples each (inside the caller's transaction); returns one pattern id."""
    from django.utils import timezone

    from cases.models import Case
    from rca.models import ErrorPattern, ModerationSample, PatternSample

    today = timezone.localdate()
    daily = {(today - timedelta(days=d)).isoformat(): (d * 7) % 13 for d in range(28)}
    patterns = ErrorPattern.objects.bulk_create(
        ErrorPattern(
            fingerprint=f"bench-pages:{n:06d}",
            name=f"Bench pattern {n}",
            definition={"audit_label": "bullying_harassment", "market": "ID"},
            top_terms=["slang", "insult", "battle"],
            policy_label="bullying_harassment",
            market="ID",
            support=400,
            error_count=100,
            error_rate=0.25,
            baseline_rate=0.05,
            days_seen=20,
            daily_counts=daily,
            first_seen=timezone.now() - timedelta(days=28),
            last_seen=timezone.now(),
        )
        for n in range(count)
    )
    sample_ids = list(ModerationSample.objects.order_by("-audited_at").values_list("pk", flat=True)[:2000])
    PatternSample.objects.bulk_create(
        PatternSample(pattern=pattern, sample_id=sample_ids[(i * 40 + j) % len(sample_ids)])
        for i, pattern in enumerate(patterns[:50])
        for j in range(40)
    )
    cases = list(Case.objects.filter(pattern__isnull=True).order_by("-id").values_list("pk", flat=True)[:count])
    for pattern, case_id in zip(patterns, cases, strict=False):
        Case.objects.filter(pk=case_id).update(pattern=pattern)
    return patterns[0].pk


def _big_room(case_id: int) -> int:
    """The case with `ROOM_SAMPLES` linked samples, a measure with a text topic and a stored story (inside the
    caller's transaction); returns how many samples it holds."""
    from django.db.models import Q

    from cases.models import Case, CaseSample
    from cases.story.services import case_story_refresh
    from rca.choices import Outcome
    from rca.models import ModerationSample

    case = Case.objects.get(pk=case_id)
    linked = set(CaseSample.objects.filter(case=case).values_list("sample_id", flat=True))
    more = (
        ModerationSample.objects.filter(~Q(outcome=Outcome.CORRECT), market="ID")
        .exclude(pk__in=linked)
        .order_by("-audited_at", "-id")
        .values_list("pk", flat=True)[: ROOM_SAMPLES - len(linked)]
    )
    CaseSample.objects.bulk_create(
        CaseSample(case=case, sample_id=sample_id, linked_by_id=case.owner_id) for sample_id in more
    )
    count = CaseSample.objects.filter(case=case).count()
    Case.objects.filter(pk=case.pk).update(sample_count=count, measure=ROOM_MEASURE)
    case_story_refresh(case=Case.objects.select_related("pattern").get(pk=case.pk))
    return count


def run(database_url: str, *, samples: int, cases: int, runs: int, setup: bool = True) -> list[dict]:
    if setup:
        ensure_dataset(database_url, samples=samples, cases=cases)
    _setup_django(database_url)
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.db.models import Q
    from django.test import Client
    from django.urls import reverse

    from cases.models import Case

    lead = User.objects.get(username="bench_lead_0")
    partner = User.objects.get(username="bench_partner_0")
    manager = User.objects.get(username="bench_manager")
    clients = {}
    for name, user in (("lead", lead), ("partner", partner), ("manager", manager)):
        clients[name] = Client()
        clients[name].force_login(user)
    biggest = Case.objects.order_by("-sample_count", "id").values_list("pk", flat=True).first()
    typical = Case.objects.filter(sample_count__gt=0).order_by("id").values_list("pk", flat=True).first()
    partner_case = (
        Case.objects.filter(Q(shared_teams__members=partner) | Q(action_items__owner=partner))
        .values_list("pk", flat=True)
        .first()
    )
    pages = [
        ("my work (lead)", "lead", reverse("home")),
        ("my work (partner)", "partner", reverse("home")),
        ("case board", "lead", reverse("case-list")),
        (
            "case board: investigating S1+S2",
            "lead",
            reverse("case-list") + "?status=investigating&severity=S1&severity=S2",
        ),
        ("case board: overdue, by due date", "lead", reverse("case-list") + "?overdue=true&ordering=due_at"),
        ("case board: policy + market", "lead", reverse("case-list") + "?policy=hate_speech&market=BR"),
        ("case board: page 100", "lead", reverse("case-list") + "?page=100"),
        ("case board (partner)", "partner", reverse("case-list")),
        ("samples explorer", "lead", reverse("sample-list")),
        ("samples: market + outcome", "lead", reverse("sample-list") + "?market=ID&outcome=false_negative"),
        ("samples: audit label", "lead", reverse("sample-list") + "?audit_label=hate_speech"),
        ("samples (partner)", "partner", reverse("sample-list")),
        ("settings", "partner", reverse("settings")),
    ]
    results = []
    for name, who, url in pages:
        median, worst, queries, status = _time(clients[who], url, runs)
        results.append({"page": name, "url": url, "median": median, "max": worst, "queries": queries, "status": status})
    with transaction.atomic():
        linked = _big_room(biggest)
        rooms = [
            (f"case room: {linked:,} samples, stored story", "lead", reverse("case-detail", args=[biggest])),
            ("case room: typical", "lead", reverse("case-detail", args=[typical])),
        ]
        if partner_case:
            rooms.append(("case room (partner)", "partner", reverse("case-detail", args=[partner_case])))
        for name, who, url in rooms:
            median, worst, queries, status = _time(clients[who], url, runs)
            results.append(
                {"page": name, "url": url, "median": median, "max": worst, "queries": queries, "status": status}
            )
        pattern_id = _add_patterns(300)
        for name, url in (
            ("patterns list", reverse("pattern-list")),
            ("pattern page", reverse("pattern-detail", args=[pattern_id])),
        ):
            median, worst, queries, status = _time(clients["manager"], url, runs)
            results.append(
                {"page": name, "url": url, "median": median, "max": worst, "queries": queries, "status": status}
            )
        transaction.set_rollback(True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny dataset, a few runs: proves the script works")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--as-is", action="store_true", help="no migration nor dataset check (a shared database)")
    args = parser.parse_args(argv)
    if args.smoke:
        url, samples, cases, runs = _smoke_url(), SMOKE_SAMPLES, SMOKE_CASES, 2
    else:
        url, samples, cases, runs = args.database_url, FULL_SAMPLES, FULL_CASES, args.runs
    results = run(url, samples=samples, cases=cases, runs=runs, setup=not args.as_is)
    print(f"{'page':<36} {'median ms':>10} {'max ms':>8} {'queries':>8}  status")
    failures = 0
    for row in results:
        over = row["median"] > TARGET_MS
        flag = "" if row["status"] == 200 else "  ERROR"
        flag = flag or ("  OVER TARGET" if over and not args.smoke else "")
        failures += row["status"] != 200
        print(f"{row['page']:<36} {row['median']:>10.1f} {row['max']:>8.1f} {row['queries']:>8}  {row['status']}{flag}")
    slowest = max(results, key=lambda row: row["median"])
    print(f"slowest median: {slowest['page']} {slowest['median']:.1f} ms (target {TARGET_MS:.0f} ms)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
