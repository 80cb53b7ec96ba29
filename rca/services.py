"""Writes of the rca app's analysis side: detection runs, and the patterns, topics and cases a run produces.

A run goes `queued -> running -> succeeded | failed | skipped`:

- `detection_run_request` creates a queued run and enqueues `rca.tasks.run_detection` after commit (the API calls it);
- `detection_run_start` moves it to running (guarded update: a run starts once; a start redelivered while it runs gets
  the same partitions again), reads the window's traffic cube once and saves it for the partitions
  (`rca.detection.cube_store`), and returns its partitions;
- `detection_partition_analyse` loads the cube, reads one partition's errors and analyses them; it writes nothing, so
  it may run twice;
- `detection_run_finish` writes the results under a lock (PostgreSQL advisory lock, or a Redis lock), so that two runs
  finishing at once open no duplicate case: patterns are found or created by fingerprint (unique), aliases and sample
  overlap keep a pattern's identity, and `cases.services.case_record_pattern` opens, feeds or reopens its case;
- `detection_run_execute` does all of it inline (the management command, tests, eager mode).
"""

import contextlib
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from time import perf_counter

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from cases.choices import Severity
from cases.services import case_record_pattern
from rca.choices import DetectionRunStatus, PatternStatus
from rca.detection import reader
from rca.detection.analysis import analyse_partition
from rca.detection.cube_store import cube_forget, cube_load, cube_save
from rca.detection.frame import encode_cube
from rca.detection.params import DetectionParams, params_from_settings
from rca.detection.partitions import plan_partitions, stake_label
from rca.detection.text import term_similarity
from rca.fingerprints import pattern_fingerprint, pattern_name
from rca.models import (
    DetectionRun,
    ErrorPattern,
    ModerationSample,
    PatternFingerprint,
    PatternSample,
    PolicyLabel,
    TextTopic,
)

MAX_WINDOW_DAYS = 365
LOCK_NAME = "rca.detection.write"
LOCK_WAIT_SECONDS = 300


class DetectionLockBusy(Exception):
    """Another run held the detection write lock for longer than `LOCK_WAIT_SECONDS`."""


# REQUEST AND START
# ------------------------------------------------------------------------------


def detection_run_create(*, actor: User | None, window_days: int | None = None) -> DetectionRun:
    """A queued run with the thresholds of the settings (and `window_days`, 1-365, when given). Enqueues nothing."""
    if window_days is not None and not (isinstance(window_days, int) and 1 <= window_days <= MAX_WINDOW_DAYS):
        raise ValidationError({"window_days": f"Must be a whole number of days from 1 to {MAX_WINDOW_DAYS}."})
    params = params_from_settings(window_days=window_days)
    return DetectionRun.objects.create(
        status=DetectionRunStatus.QUEUED, requested_by=actor, parameters=params.as_dict()
    )


@transaction.atomic
def detection_run_request(*, actor: User | None, window_days: int | None = None) -> DetectionRun:
    """Create a queued run and enqueue `rca.tasks.run_detection` for it once the transaction commits."""
    from rca import tasks

    run = detection_run_create(actor=actor, window_days=window_days)
    transaction.on_commit(lambda: tasks.run_detection.delay(run.pk))
    return run


def detection_run_start(*, run_id: int, now: datetime | None = None) -> list[str] | None:
    """Move a queued run to running, fix its window, and return its partitions.

    Idempotent, so that the start task can be redelivered after its worker died: a run already running gets its
    partitions again (same window); a run that has finished returns None (nothing to do).
    """
    now = now or timezone.now()
    run = DetectionRun.objects.get(pk=run_id)
    params = DetectionParams.from_dict(run.parameters)
    started = DetectionRun.objects.filter(pk=run_id, status=DetectionRunStatus.QUEUED).update(
        status=DetectionRunStatus.RUNNING,
        started_at=now,
        window_start=now - timedelta(days=params.window_days),
        window_end=now,
    )
    if started != 1 and not DetectionRun.objects.filter(pk=run_id, status=DetectionRunStatus.RUNNING).exists():
        return None
    # The traffic cube is every partition's denominator: group the window once here, not once per partition.
    try:
        run = DetectionRun.objects.get(pk=run_id)
        read_started = perf_counter()
        cube = encode_cube(reader.read_cube(run.window_start, run.window_end))
        cube_save(run_id=run_id, cube=cube)
        DetectionRun.objects.filter(pk=run_id).update(timings={"read_cube": perf_counter() - read_started})
    except Exception as exc:
        detection_run_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        raise
    return list(plan_partitions(reader.read_label_areas()))


# ANALYSE (read-only)
# ------------------------------------------------------------------------------


def detection_partition_analyse(*, run_id: int, partition: str) -> dict:
    """Read and analyse one partition of a running run; returns JSON-ready hits, counts and timings. Writes nothing."""
    run = DetectionRun.objects.get(pk=run_id)
    params = DetectionParams.from_dict(run.parameters)
    labels = plan_partitions(reader.read_label_areas()).get(partition, [])
    started = perf_counter()
    cube = cube_load(run_id=run_id)
    if cube is None:  # expired, or saved in another process without Redis: read it again (same rows, slower)
        cube = encode_cube(reader.read_cube(run.window_start, run.window_end))
    read_cube = perf_counter() - started
    started = perf_counter()
    errors = reader.read_errors(run.window_start, run.window_end, labels) if labels else []
    read_errors = perf_counter() - started
    result = analyse_partition(cube, errors, params)
    result["partition"] = partition
    result["samples"] = cube.total
    result["timings"] = {"load_cube": read_cube, "read_errors": read_errors, **result["timings"]}
    return result


# FINISH (writes, under the lock)
# ------------------------------------------------------------------------------


@contextlib.contextmanager
def detection_lock() -> Iterator[None]:
    """Serialise the writing step of concurrent runs (call inside a transaction on PostgreSQL).

    PostgreSQL: a transaction-level advisory lock, waited for at most `LOCK_WAIT_SECONDS`. Elsewhere, with Redis: a
    Redis lock with a timeout. SQLite without Redis (the eager newcomer setup) runs one process, and SQLite itself
    serialises writers.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT_SECONDS}s'")
            try:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(LOCK_NAME.encode())])
            except Exception as exc:  # psycopg raises LockNotAvailable through Django's OperationalError
                raise DetectionLockBusy(str(exc)) from exc
        yield
        return
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        lock = client.lock(LOCK_NAME, timeout=LOCK_WAIT_SECONDS * 2, blocking_timeout=LOCK_WAIT_SECONDS)
        if not lock.acquire():
            raise DetectionLockBusy("another detection run held the Redis lock")
        try:
            yield
        finally:
            with contextlib.suppress(redis.exceptions.LockError):
                lock.release()
        return
    yield


def detection_run_finish(*, run_id: int, results: list[dict]) -> DetectionRun:
    """Write the partitions' hits as patterns and cases, and record the counts on the run (status `succeeded`).

    Idempotent: patterns are found by fingerprint (or alias, or sample overlap) before any is created, pattern samples
    and case links skip what exists, and a run that is no longer running is left alone.

    Queries: a fixed 8 per run plus a bounded number per pattern (27 for a new pattern opening its case, on PostgreSQL
    and SQLite alike), never per sample: a hit's samples travel as one array parameter and are inserted in one
    statement on PostgreSQL (tests/rca/test_detection_pipeline.py pins both). On SQLite, Django splits bulk inserts
    to stay under its 999-variable limit, so there the count grows by one per ~200 linked samples.
    """
    started = perf_counter()
    with transaction.atomic():
        run = DetectionRun.objects.select_for_update().get(pk=run_id)
        if run.status != DetectionRunStatus.RUNNING:
            return run
        with detection_lock():
            counts = _write_results(run, results)
        timings = dict.fromkeys(("read_cube", "load_cube", "read_errors", "encode", "text", "search", "cover"), 0.0)
        timings.update(run.timings or {})  # the start step's cube read
        for result in results:
            for key, value in result.get("timings", {}).items():
                timings[key] = timings.get(key, 0.0) + value
        timings["write"] = perf_counter() - started
        now = timezone.now()
        timings["total"] = (now - run.started_at).total_seconds() if run.started_at else timings["write"]
        run.samples_read = max((result.get("samples", 0) for result in results), default=0)
        run.errors_read = sum(result.get("errors", 0) for result in results)
        for field, value in counts.items():
            setattr(run, field, value)
        run.timings = {key: round(value, 4) for key, value in timings.items()}
        run.status = DetectionRunStatus.SUCCEEDED
        run.finished_at = now
        run.save()
    cube_forget(run_id=run_id)
    return run


def detection_run_fail(*, run_id: int, error: str, status: str = DetectionRunStatus.FAILED) -> None:
    """Record why a run stopped (`failed`, or `skipped` when the lock stayed busy). Only a queued/running run."""
    DetectionRun.objects.filter(pk=run_id, status__in=[DetectionRunStatus.QUEUED, DetectionRunStatus.RUNNING]).update(
        status=status, error=error[:5000], finished_at=timezone.now()
    )


def detection_runs_expire(*, now: datetime | None = None) -> list[int]:
    """Fail the runs that made no progress within `DETECTION_RUN_TIMEOUT_MINUTES`; returns their ids.

    A run still queued that long was never started (its task was lost: the broker was down when it was sent, or the
    queue was purged); a run still running that long lost the workers of its chord for good (each task has a time
    limit and a few redeliveries, far below the timeout). Either way nothing will finish it, and it would show as
    pending forever. A late finish of an expired run writes nothing (`detection_run_finish` only takes a running run).
    """
    now = now or timezone.now()
    minutes = settings.DETECTION_RUN_TIMEOUT_MINUTES
    limit = now - timedelta(minutes=minutes)
    stale = DetectionRun.objects.filter(
        Q(status=DetectionRunStatus.QUEUED, created_at__lt=limit)
        | Q(status=DetectionRunStatus.RUNNING, started_at__lt=limit)
    )
    run_ids = list(stale.values_list("pk", flat=True))
    for run_id in run_ids:
        detection_run_fail(
            run_id=run_id,
            error=f"Timed out: no result after {minutes} minutes (its worker died or its task was lost). "
            "Request a new run.",
        )
    return run_ids


def detection_run_execute(*, run: DetectionRun) -> DetectionRun:
    """Run a queued run inline, partition after partition (the command, tests and eager mode)."""
    try:
        partitions = detection_run_start(run_id=run.pk)
        if partitions is None:
            return DetectionRun.objects.get(pk=run.pk)
        results = [detection_partition_analyse(run_id=run.pk, partition=partition) for partition in partitions]
        return detection_run_finish(run_id=run.pk, results=results)
    except DetectionLockBusy as exc:
        detection_run_fail(run_id=run.pk, error=f"Skipped: {exc}", status=DetectionRunStatus.SKIPPED)
        raise
    except Exception as exc:
        detection_run_fail(run_id=run.pk, error=f"{type(exc).__name__}: {exc}")
        raise


# WRITING HITS
# ------------------------------------------------------------------------------


def _kind_key(hit: dict) -> str:
    return f"{hit['decision_label']}>{hit['audit_label']}"


class _TopicResolver:
    """Match a run's clusters to known topics of the same error kind by term similarity; create the rest."""

    def __init__(self, run: DetectionRun, threshold: float) -> None:
        self.run = run
        self.threshold = threshold
        self.known: dict[str, list[TextTopic]] = {}

    def resolve(self, kind: str, topic: dict | None) -> TextTopic | None:
        if not topic or not topic.get("terms"):
            return None
        if kind not in self.known:
            self.known[kind] = list(TextTopic.objects.filter(error_kind=kind))
        scored = [(term_similarity(topic["terms"], known.terms), known) for known in self.known[kind]]
        best_score, best = max(scored, key=lambda pair: (pair[0], -pair[1].pk), default=(0.0, None))
        if best is not None and best_score >= self.threshold:
            if best.last_seen_run_id != self.run.pk:
                best.last_seen_run = self.run
                best.save(update_fields=["last_seen_run"])
            return best
        created = TextTopic.objects.create(
            error_kind=kind, terms=topic["terms"], top_terms=topic["top_terms"], last_seen_run=self.run
        )
        self.known[kind].append(created)
        return created


def _definition(hit: dict, topic: TextTopic | None) -> dict:
    definition = {"decision_label": hit["decision_label"], "audit_label": hit["audit_label"], **hit["conditions"]}
    if topic is not None:
        definition["text_topic"] = topic.pk
    return definition


def _find_pattern(fingerprints: list[str], hit: dict, taken: set[int]) -> ErrorPattern | None:
    """The pattern owning one of the fingerprints, else the one already holding most of the hit's samples."""
    pattern = ErrorPattern.objects.filter(fingerprint__in=fingerprints).exclude(pk__in=taken).first()
    if pattern is None:
        alias = (
            PatternFingerprint.objects.filter(fingerprint__in=fingerprints)
            .exclude(pattern_id__in=taken)
            .select_related("pattern")
            .first()
        )
        pattern = alias.pattern if alias else None
    if pattern is not None:
        return pattern
    overlap = _largest_overlap(hit["sample_ids"], taken)
    if overlap and overlap[1] * 2 >= len(hit["sample_ids"]):
        candidate = ErrorPattern.objects.get(pk=overlap[0])
        same_kind = (
            candidate.definition.get("decision_label") == hit["decision_label"]
            and candidate.definition.get("audit_label") == hit["audit_label"]
        )
        return candidate if same_kind else None
    return None


def _largest_overlap(sample_ids: list[int], taken: set[int]) -> tuple[int, int] | None:
    """(pattern id, shared samples) of the pattern outside `taken` holding most of `sample_ids`, or None.

    On PostgreSQL the ids travel as one array parameter: a pattern can hold tens of thousands of samples, and an
    `IN (...)` list of that size costs more to build in Python than the query costs to run.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT pattern_id, count(*) FROM {PatternSample._meta.db_table} "
                "WHERE sample_id = ANY(%s) AND NOT (pattern_id = ANY(%s)) "
                "GROUP BY pattern_id ORDER BY count(*) DESC, pattern_id LIMIT 1",
                [list(sample_ids), sorted(taken)],
            )
            row = cursor.fetchone()
        return (row[0], row[1]) if row else None
    row = (
        PatternSample.objects.filter(sample_id__in=sample_ids)
        .exclude(pattern_id__in=taken)
        .values("pattern_id")
        .annotate(shared=Count("id"))
        .order_by("-shared", "pattern_id")
        .first()
    )
    return (row["pattern_id"], row["shared"]) if row else None


def _add_pattern_samples(pattern: ErrorPattern, sample_ids: list[int], run: DetectionRun) -> None:
    """Record the hit's samples on the pattern (existing pairs skipped): one statement, whatever the count."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {PatternSample._meta.db_table} (pattern_id, sample_id, run_id) "
                "SELECT %s, sample_id, %s FROM unnest(%s::bigint[]) AS sample_id ON CONFLICT DO NOTHING",
                [pattern.pk, run.pk, list(sample_ids)],
            )
        return
    PatternSample.objects.bulk_create(
        [PatternSample(pattern=pattern, sample_id=sample_id, run=run) for sample_id in sample_ids],
        ignore_conflicts=True,
    )


def _case_samples(sample_ids: list[int]) -> list[ModerationSample]:
    """The hit's samples (id and external id only) for its case, by id; one array parameter on PostgreSQL."""
    if connection.vendor == "postgresql":
        table = ModerationSample._meta.db_table
        query = f"SELECT id, external_id FROM {table} WHERE id = ANY(%s) ORDER BY id"
        return list(ModerationSample.objects.raw(query, [list(sample_ids)]))
    return list(ModerationSample.objects.filter(pk__in=sample_ids).only("id", "external_id").order_by("id"))


def severity_for(*, severity_weight: int, error_count: int, lift: float) -> str:
    """S1-S4 from the label's severity weight (0-5), one step up for a large pattern (>= 200 errors or lift >= 20)."""
    points = severity_weight + (1 if error_count >= 200 or lift >= 20 else 0)
    if points >= 6:
        return Severity.S1
    if points >= 4:
        return Severity.S2
    if points >= 2:
        return Severity.S3
    return Severity.S4


def _merge_daily(previous: dict, current: dict) -> dict:
    merged = dict(previous or {})
    merged.update(current)
    return dict(sorted(merged.items()))


def _write_results(run: DetectionRun, results: list[dict]) -> dict[str, int]:
    params = DetectionParams.from_dict(run.parameters)
    topics = _TopicResolver(run, params.topic_match_similarity)
    labels = {label.code: label for label in PolicyLabel.objects.all()}
    counts = dict.fromkeys(("patterns_found", "patterns_new", "cases_opened", "cases_updated", "cases_reopened"), 0)
    taken: set[int] = set()
    partitions = [result["partition"] for result in results if "partition" in result]
    hits = sorted((hit for result in results for hit in result["hits"]), key=lambda hit: -hit["score"])
    for hit in hits:
        kind = _kind_key(hit)
        topic = topics.resolve(kind, hit["topic"])
        definition = _definition(hit, topic)
        fingerprint = pattern_fingerprint(definition)
        aliases = [
            pattern_fingerprint(_definition(hit, topics.resolve(kind, merged)))
            for merged in hit["merged_topics"]
            if merged
        ]
        pattern = _find_pattern([fingerprint, *aliases], hit, taken)
        created = False
        if pattern is None:
            name = pattern_name(definition, hit["topic"]["top_terms"] if hit["topic"] else [])
            pattern, created = ErrorPattern.objects.get_or_create(
                fingerprint=fingerprint, defaults={"name": name, "definition": definition}
            )
        taken.add(pattern.pk)
        for alias in {fingerprint, *aliases} - {pattern.fingerprint}:
            PatternFingerprint.objects.get_or_create(fingerprint=alias, defaults={"pattern": pattern})
        _update_pattern(pattern, hit, run, labels)
        _add_pattern_samples(pattern, hit["sample_ids"], run)
        label = labels.get(pattern.policy_label)
        severity = severity_for(
            severity_weight=label.severity_weight if label else 1, error_count=pattern.error_count, lift=pattern.lift
        )
        samples = _case_samples(hit["sample_ids"])
        _case, outcome = case_record_pattern(pattern=pattern, samples=samples, severity=severity)
        counts["patterns_found"] += 1
        counts["patterns_new"] += int(created)
        if outcome in ("opened", "updated", "reopened"):
            counts[f"cases_{outcome}"] += 1
    # Patterns of the analysed partitions that this run did not find are no longer significant.
    stale = ErrorPattern.objects.filter(status=PatternStatus.ACTIVE, policy_area__in=partitions).exclude(pk__in=taken)
    stale.update(status=PatternStatus.DORMANT, updated_at=timezone.now())
    return counts


def _update_pattern(pattern: ErrorPattern, hit: dict, run: DetectionRun, labels: dict[str, PolicyLabel]) -> None:
    stake = stake_label(hit["decision_label"], hit["audit_label"])
    label = labels.get(stake)
    first_seen = datetime.fromisoformat(hit["first_seen"])
    last_seen = datetime.fromisoformat(hit["last_seen"])
    daily = _merge_daily(pattern.daily_counts, hit["daily_counts"])
    top_terms = hit["topic"]["top_terms"] if hit["topic"] else []
    pattern.name = pattern_name(pattern.definition, top_terms)
    pattern.status = PatternStatus.ACTIVE
    pattern.top_terms = top_terms
    pattern.policy_area = label.area if label else ""
    pattern.policy_label = stake
    pattern.market = str(hit["conditions"].get("market", ""))[:2]
    pattern.support = hit["support"]
    pattern.error_count = hit["error_count"]
    pattern.error_rate = hit["error_rate"]
    pattern.baseline_rate = hit["baseline_rate"]
    pattern.lift = min(hit["lift"], 1e9)
    pattern.first_seen = min(first_seen, pattern.first_seen) if pattern.first_seen else first_seen
    pattern.last_seen = max(last_seen, pattern.last_seen) if pattern.last_seen else last_seen
    pattern.daily_counts = daily
    pattern.days_seen = len(daily)
    pattern.last_run = run
    pattern.save()
