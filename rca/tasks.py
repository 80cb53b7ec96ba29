"""Thin Celery tasks around `rca.detection_runs`: a run fans out as a chord, one task per partition, then one write
step.

`run_detection` (beat: `detect-patterns-hourly`) starts a run (`acks_late`: a start redelivered after its worker died
fans the same partitions out again; a finished run is left alone), `analyse_partition` reads and analyses one partition
(read-only, so `acks_late` is safe: a redelivered partition just computes again), and `finish_detection` writes the
results under the detection lock (idempotent: fingerprints, guarded status). Tasks take ids and primitives only; a
partition's result travels to the write step as JSON (`PartitionResult.to_dict()` / `from_dict()`).
In eager mode (no Redis) the chord runs inline, with the same code.

`refresh_quality_rollups` (beat: `refresh-quality-rollups`) rebuilds the quality rollups of days an import marked
but did not rebuild (it stopped half-way); imports rebuild their own days as they finish.

No module of the app imports this one (Celery's autodiscovery does): `rca.detection_runs` enqueues `run_detection` by
name.
"""

from celery import chord, group, shared_task
from django.db import InterfaceError, OperationalError

from rca.choices import DetectionRunStatus
from rca.detection.results import PartitionResult
from rca.detection_runs import (
    detection_partition_analyse,
    detection_run_create,
    detection_run_fail,
    detection_run_finish,
    detection_run_start,
    detection_runs_expire,
)
from rca.importing import tasks as import_tasks  # noqa: F401 (registers the import jobs' tasks in every process)
from rca.locks import DetectionLockBusy
from rca.quality.rollups import quality_rollups_refresh
from rca.retention import samples_drop_old

TRANSIENT = (OperationalError, InterfaceError, ConnectionError)


@shared_task(name="rca.tasks.run_detection", acks_late=True, time_limit=120, soft_time_limit=100,
             autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)  # fmt: skip
def run_detection(run_id: int | None = None) -> int:
    """Start run `run_id` (or a new run with the settings' window) and fan its partitions out; returns the run id."""
    if run_id is None:
        run_id = detection_run_create(actor=None).pk
    partitions = detection_run_start(run_id=run_id)
    if partitions is None:
        return run_id
    if not partitions:
        detection_run_finish(run_id=run_id, results=[])
        return run_id
    header = group(analyse_partition.s(run_id, partition) for partition in partitions)
    chord(header, finish_detection.s(run_id)).on_error(fail_detection.s(run_id)).apply_async()
    return run_id


@shared_task(name="rca.tasks.analyse_partition", acks_late=True, time_limit=600, soft_time_limit=540,
             autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)  # fmt: skip
def analyse_partition(run_id: int, partition: str) -> dict:
    """Analyse one partition of run `run_id`; returns its `PartitionResult` as JSON."""
    return detection_partition_analyse(run_id=run_id, partition=partition).to_dict()


@shared_task(name="rca.tasks.finish_detection", acks_late=True, time_limit=900, soft_time_limit=840,
             autoretry_for=(*TRANSIENT, DetectionLockBusy), retry_backoff=True, max_retries=3)  # fmt: skip
def finish_detection(results: list[dict], run_id: int) -> dict:
    """Chord callback: write the partitions' results of run `run_id`."""
    run = detection_run_finish(run_id=run_id, results=[PartitionResult.from_dict(result) for result in results])
    return {"run": run.pk, "status": run.status, "patterns_found": run.patterns_found}


@shared_task(name="rca.tasks.fail_detection", time_limit=60)
def fail_detection(request, exc, traceback, run_id: int) -> None:
    """Error callback of the chord: record the failure on the run."""
    detection_run_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}", status=DetectionRunStatus.FAILED)


@shared_task(name="rca.tasks.expire_detection_runs", time_limit=60)
def expire_detection_runs() -> list[int]:
    """Beat (`expire-detection-runs`): fail the runs stuck queued or running past the timeout."""
    return detection_runs_expire()


@shared_task(name="rca.tasks.refresh_quality_rollups", time_limit=900, soft_time_limit=840,
             autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)  # fmt: skip
def refresh_quality_rollups() -> int:
    """Beat (`refresh-quality-rollups`): rebuild the rollups of the marked days; returns how many days."""
    return quality_rollups_refresh()


@shared_task(name="rca.tasks.drop_old_samples", time_limit=3600, soft_time_limit=3300)
def drop_old_samples() -> dict:
    """Beat (`drop-old-samples`): retention (`rca.retention`) for at most 50 minutes; the next run goes on."""
    result = samples_drop_old(max_seconds=3000)
    return {"deleted": result.deleted, "complete": result.complete, "skipped": result.skipped,
            "archive": result.archive_path}  # fmt: skip
