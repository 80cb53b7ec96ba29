"""The life of a detection run: `queued -> running -> succeeded | failed | skipped`.

- `detection_run_request` creates a queued run and enqueues the task `rca.tasks.run_detection` after commit (the API
  calls it), by name: this module does not import `rca.tasks` (which imports it);
- `detection_run_start` moves it to running (guarded update: a run starts once; a start redelivered while it runs gets
  the same partitions again), reads the window's traffic cube once and saves it for the partitions
  (`rca.detection.cube_store`), runs the auditor pass (`rca.detection.auditors`) and saves its result, and returns its
  partitions: the auditor pass's (`AUDIT_QUALITY`) first, then one per policy area;
- `detection_partition_analyse` loads the cube, reads one partition's errors, leaves out those the auditor pass
  claimed (auditor patterns win: an error is never in two patterns) and analyses them; the `AUDIT_QUALITY` partition
  returns the auditor pass's result. It writes nothing, so it may run twice;
- `detection_run_finish` writes the results under the detection write lock (`rca.locks`), so that two runs finishing
  at once open no duplicate case (`rca.pattern_writes`), and records the counts and timings on the run;
- `detection_run_fail` and `detection_runs_expire` close the runs that stopped or that nothing will finish;
- `detection_run_execute` does all of it inline (the management command, tests, eager mode).
"""

from dataclasses import replace
from datetime import datetime, timedelta
from time import perf_counter

from celery import current_app
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rca.choices import DetectionRunStatus
from rca.detection import reader
from rca.detection.analysis import find_patterns
from rca.detection.auditors import AuditorPass, claimed_ids
from rca.detection.cube_store import auditor_result_load, auditor_result_save, cube_forget, cube_load, cube_save
from rca.detection.frame import encode_cube
from rca.detection.params import DetectionParams, params_from_settings
from rca.detection.partitions import AUDIT_QUALITY, plan_partitions
from rca.detection.results import PartitionResult
from rca.locks import DetectionLockBusy, detection_lock
from rca.models import DetectionRun
from rca.pattern_writes import patterns_record_hits

MAX_WINDOW_DAYS = 365
RUN_TASK = "rca.tasks.run_detection"
TIMED_STEPS = ("read_cube", "auditors", "load_cube", "read_errors", "encode", "text", "search", "cover")


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
    run = detection_run_create(actor=actor, window_days=window_days)
    transaction.on_commit(lambda: _enqueue_run(run.pk))
    return run


def _enqueue_run(run_id: int) -> None:
    """Send the run task by name (this module must not import `rca.tasks`, which imports it).

    A signature of a registered task honours eager mode (`send_task` would always go to the broker); the task is
    registered in every process when Django starts (`rca.apps.RcaConfig.ready`).
    """
    current_app.signature(RUN_TASK, args=[run_id]).delay()


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
        read_cube = perf_counter() - read_started
        auditors_started = perf_counter()
        auditor_result_save(run_id=run_id, result=replace(_auditor_pass(run), timings={}))  # timed here, whole
        timings = {"read_cube": read_cube, "auditors": perf_counter() - auditors_started}
        DetectionRun.objects.filter(pk=run_id).update(timings=timings)
    except Exception as exc:
        detection_run_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        raise
    return [AUDIT_QUALITY, *plan_partitions(reader.read_label_areas())]


def _auditor_pass(run: DetectionRun) -> PartitionResult:
    """The auditor pass over the run's window: the auditor cube, then the overturns of its candidates only (nothing
    when the run's parameters turn it off: `DETECTION_AUDITOR_PASS`)."""
    params = DetectionParams.from_dict(run.parameters)
    if not params.auditor_pass:
        return PartitionResult()
    auditors = AuditorPass(reader.read_auditor_cube(run.window_start, run.window_end), params)
    return auditors.find(reader.read_auditor_errors(run.window_start, run.window_end, auditors.auditors))


def _auditor_result(run: DetectionRun) -> PartitionResult:
    """The auditor pass's result saved by the start step, or the pass again when it is gone (same rows, slower)."""
    return auditor_result_load(run_id=run.pk) or _auditor_pass(run)


# ANALYSE (read-only)
# ------------------------------------------------------------------------------


def detection_partition_analyse(*, run_id: int, partition: str) -> PartitionResult:
    """Read and analyse one partition of a running run; returns its hits, counts and timings. Writes nothing.

    The `AUDIT_QUALITY` partition is the auditor pass (run by the start step); the others leave out its errors."""
    run = DetectionRun.objects.get(pk=run_id)
    if partition == AUDIT_QUALITY:
        return _auditor_result(run)
    params = DetectionParams.from_dict(run.parameters)
    labels = plan_partitions(reader.read_label_areas()).get(partition, [])
    started = perf_counter()
    cube = cube_load(run_id=run_id)
    if cube is None:  # expired, or saved in another process without Redis: read it again (same rows, slower)
        cube = encode_cube(reader.read_cube(run.window_start, run.window_end))
    load_cube = perf_counter() - started
    started = perf_counter()
    errors = reader.read_errors(run.window_start, run.window_end, labels) if labels else []
    claimed = claimed_ids(_auditor_result(run)) if errors else frozenset()
    if claimed:
        errors = [row for row in errors if row.sample_id not in claimed]
    read_errors = perf_counter() - started
    result = find_patterns(cube, errors, params)
    return result.placed(
        partition=partition, samples=cube.total, timings={"load_cube": load_cube, "read_errors": read_errors}
    )


# FINISH (writes, under the lock)
# ------------------------------------------------------------------------------


def detection_run_finish(*, run_id: int, results: list[PartitionResult]) -> DetectionRun:
    """Write the partitions' hits as patterns and cases, and record the counts on the run (status `succeeded`).

    Idempotent: patterns are found by fingerprint (or alias, or sample overlap) before any is created, pattern samples
    and case links skip what exists, and a run that is no longer running is left alone.

    Queries: a fixed 8 per run (6 on SQLite) plus a bounded number per pattern (28 for a new pattern opening its case
    on PostgreSQL, 30 on SQLite), never per sample: a hit's samples travel as one array parameter and are inserted in
    one statement on PostgreSQL (tests/rca/test_detection_pipeline.py pins both). On SQLite, Django splits bulk
    inserts to stay under its 999-variable limit, so there the count grows by one per ~200 linked samples.
    """
    started = perf_counter()
    with transaction.atomic():
        run = DetectionRun.objects.select_for_update().get(pk=run_id)
        if run.status != DetectionRunStatus.RUNNING:
            return run
        with detection_lock():
            counts = patterns_record_hits(run=run, results=results)
        timings = dict.fromkeys(TIMED_STEPS, 0.0)
        timings.update(run.timings or {})  # the start step's cube read
        for result in results:
            for key, value in result.timings.items():
                timings[key] = timings.get(key, 0.0) + value
        timings["write"] = perf_counter() - started
        now = timezone.now()
        timings["total"] = (now - run.started_at).total_seconds() if run.started_at else timings["write"]
        run.samples_read = max((result.samples for result in results), default=0)
        run.errors_read = sum(result.errors for result in results)
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


# INLINE
# ------------------------------------------------------------------------------


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
