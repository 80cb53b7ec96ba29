"""Import jobs: a large sample file imported by Celery workers in parallel, one chunk (a byte range) at a time.

The life of a job: `queued -> running -> succeeded | failed`.

- `import_job_request` checks the file (readable, a usable CSV header) and creates a queued job, then enqueues
  `rca.importing.tasks.plan_import_job` after commit, by name (this module does not import the tasks);
- `import_job_plan` cuts the file into chunks (`rca.importing.chunks`) and moves the job to running (guarded: a plan
  redelivered after its worker died plans nothing twice); the task then enqueues one `import_chunk` task per chunk;
- `import_chunk_run` imports one chunk in ONE transaction: its rows (validated and upserted by `external_id` as by
  `import_samples`), its counts and its state commit together or not at all. A chunk done is never imported again
  (its row is locked, then checked), so a redelivered or resumed chunk counts nothing twice, and a chunk whose worker
  died left nothing behind to undo. The job's counts are the sums over its chunks done, refreshed after each chunk
  commits and never lowered: no chunk transaction writes the job's row, so parallel chunks never wait for each other
  (the row would stay locked until a chunk's deferred foreign-key checks ran at its commit);
- the quality rollups: each chunk marks the days of decision it changed (in its transaction) and leaves their rebuild
  to the job, which rebuilds them all once, when its last chunk is done (`import_job_settle`);
- `import_chunk_failed` records a failed attempt (the task retries it, with Celery's retry, up to
  `IMPORT_CHUNK_MAX_RETRIES` times); `import_job_settle` finishes the job once no chunk is pending or running;
- `import_job_resume` sends again the chunks not done (after a worker stopped, or a chunk failed for good).

Unlike the single-process command, an external_id repeated in two chunks is not reported as superseded: chunks run in
any order, so which record wins is not defined (`created + updated + rejected` still equals the records read). A file
with repeated ids whose order matters goes through `import_samples`.
"""

import logging
from dataclasses import asdict
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Sum, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from rca.choices import FileFormat, ImportChunkStatus, ImportJobStatus
from rca.importing.chunks import ChunkPlan, open_chunk, plan_chunks
from rca.importing.readers import ImportFileError, guess_format, open_sample_file
from rca.importing.services import Rejection, import_rows
from rca.models import ImportChunk, ImportJob
from rca.quality.rollups import quality_rollups_refresh

logger = logging.getLogger(__name__)

PLAN_TASK = "rca.importing.tasks.plan_import_job"
CHUNK_TASK = "rca.importing.tasks.import_chunk"
UNFINISHED = (ImportChunkStatus.PENDING, ImportChunkStatus.RUNNING)


# ---------------------------------------------------------------------------------------------------------------------
# Request and plan
# ---------------------------------------------------------------------------------------------------------------------


def import_source_path(relative: str) -> Path:
    """The file `relative` names inside `IMPORT_SOURCE_DIR` (the API's only source); `ValidationError` on `path` when
    that directory is not set, or the path leaves it (absolute, `..`, a link pointing out) or names no file."""
    if not settings.IMPORT_SOURCE_DIR:
        raise ValidationError({"path": "Imports by path are off on this server: IMPORT_SOURCE_DIR is not set."})
    root = Path(settings.IMPORT_SOURCE_DIR).resolve()
    candidate = Path(relative)
    if candidate.is_absolute() or not relative.strip():
        raise ValidationError({"path": "Give the file's path relative to the import directory (IMPORT_SOURCE_DIR)."})
    resolved = (root / candidate).resolve()
    if not resolved.is_relative_to(root):
        raise ValidationError({"path": "The path leads out of the import directory (IMPORT_SOURCE_DIR)."})
    if not resolved.is_file():
        raise ValidationError({"path": f"No file {relative} in the import directory."})
    return resolved


@transaction.atomic
def import_job_request(
    *, path: str | Path, file_format: FileFormat | str | None = None, actor: User | None = None,
    chunk_bytes: int | None = None,
) -> ImportJob:  # fmt: skip
    """Check the file and create a queued job for it; its plan task is enqueued once the transaction commits.

    `path` is read by the workers as given (made absolute here): they must see the same file system. Raises
    `ValidationError` (on `path` or `format`) when the format cannot be told or the file cannot be read at all (missing,
    empty, unusable CSV header); nothing is created then.
    """
    path = Path(path).absolute()
    chunk_bytes = chunk_bytes or settings.IMPORT_CHUNK_BYTES
    if chunk_bytes < 1:
        raise ValidationError({"chunk_bytes": "Must be at least 1."})
    try:
        file_format = FileFormat(file_format) if file_format else guess_format(path)
        with open_sample_file(path, file_format):  # reads the CSV header, or up to the first JSON line
            pass
        size = path.stat().st_size
    except ImportFileError as exc:
        raise ValidationError({"format" if "format" in str(exc) else "path": str(exc)}) from exc
    except OSError as exc:
        raise ValidationError({"path": f"Cannot read {path}: {exc.strerror or exc}."}) from exc
    job = ImportJob.objects.create(
        source_path=str(path), file_format=file_format, file_size=size, chunk_bytes=chunk_bytes, requested_by=actor
    )
    transaction.on_commit(lambda: _enqueue(PLAN_TASK, job.pk))
    return job


def import_job_plan(*, job_id: int) -> list[int]:
    """Cut a queued job's file into chunks and move the job to running; returns the ids of its chunks to import.

    A job already planned returns its unfinished chunks (the plan task redelivered); a finished one, none. A file that
    cannot be read fails the job.
    """
    job = ImportJob.objects.get(pk=job_id)
    if job.status != ImportJobStatus.QUEUED:
        return _unfinished_chunk_ids(job_id) if job.status == ImportJobStatus.RUNNING else []
    try:
        plan = plan_chunks(job.source_path, job.file_format, chunk_bytes=job.chunk_bytes)
    except ImportFileError as exc:
        _fail_job(job_id, str(exc))
        return []
    with transaction.atomic():
        if not ImportJob.objects.filter(pk=job_id, status=ImportJobStatus.QUEUED).update(
            status=ImportJobStatus.RUNNING, started_at=timezone.now(), file_size=plan.size,
            header_bytes=plan.header_bytes, total=plan.lines,
        ):  # fmt: skip
            return _unfinished_chunk_ids(job_id)
        ImportChunk.objects.bulk_create(
            ImportChunk(job_id=job_id, index=index, **asdict(chunk)) for index, chunk in enumerate(plan.chunks)
        )
    if not plan.chunks:
        import_job_settle(job_id=job_id)
    return _unfinished_chunk_ids(job_id)


# ---------------------------------------------------------------------------------------------------------------------
# Chunks
# ---------------------------------------------------------------------------------------------------------------------


def import_chunk_run(*, chunk_id: int) -> ImportChunk | None:
    """Import one chunk in one transaction with its counts; returns it, or None when it was done already.

    The chunk's row is locked first (a second delivery of the same chunk waits, then finds it done). On PostgreSQL
    the transaction waits at most `IMPORT_CHUNK_LOCK_TIMEOUT_SECONDS` for any lock (rows another import is writing):
    past that it fails, and the task retries it later. Any error rolls the whole chunk back.
    """
    claimed = (
        ImportChunk.objects.filter(pk=chunk_id, status__in=(*UNFINISHED, ImportChunkStatus.FAILED))
        .update(status=ImportChunkStatus.RUNNING, attempts=F("attempts") + 1, started_at=timezone.now())
    )  # fmt: skip
    if not claimed:
        return None
    keep = settings.IMPORT_CHUNK_REJECTIONS_KEPT
    rejections: list[dict] = []

    def on_reject(rejection: Rejection) -> None:
        if len(rejections) < keep:
            rejections.append(
                {"line": rejection.position, "external_id": rejection.external_id, "errors": rejection.errors}
            )

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{int(settings.IMPORT_CHUNK_LOCK_TIMEOUT_SECONDS * 1000)}ms'")
        # of=self: the chunk's row only; locking the job's row too would run the chunks one at a time.
        chunk = ImportChunk.objects.select_for_update(of=("self",)).select_related("job").get(pk=chunk_id)
        if chunk.status == ImportChunkStatus.DONE:
            return None
        job = chunk.job
        plan = ChunkPlan(start=chunk.start, end=chunk.end, first_line=chunk.first_line, lines=chunk.lines)
        with open_chunk(job.source_path, job.file_format, header_bytes=job.header_bytes, chunk=plan) as rows:
            counts = import_rows(
                rows, textual=job.file_format == FileFormat.CSV, on_reject=on_reject, refresh_rollups=False
            )
        chunk.status = ImportChunkStatus.DONE
        chunk.created, chunk.updated, chunk.rejected = counts.created, counts.updated, counts.rejected
        chunk.rejections, chunk.error, chunk.finished_at = rejections, "", timezone.now()
        chunk.save(update_fields=["status", "created", "updated", "rejected", "rejections", "error", "finished_at"])
    import_job_settle(job_id=job.pk)
    return chunk


def import_chunk_failed(*, chunk_id: int, error: str, final: bool) -> None:
    """Record a failed attempt of a chunk (rolled back whole): pending again for its retry, or failed when `final`."""
    status = ImportChunkStatus.FAILED if final else ImportChunkStatus.PENDING
    ImportChunk.objects.filter(pk=chunk_id).exclude(status=ImportChunkStatus.DONE).update(
        status=status, error=error[:2000]
    )
    if final:
        job_id = ImportChunk.objects.filter(pk=chunk_id).values_list("job_id", flat=True).first()
        if job_id is not None:
            import_job_settle(job_id=job_id)


def import_job_settle(*, job_id: int) -> ImportJob | None:
    """Bring the job's counts up to the sums over its chunks done, and finish a running job once none of its chunks is
    pending or running: succeeded when all are done, else failed.

    Called after each chunk commits: the last chunk to commit sees every other one finished (and counted). The counts
    never go down (an older snapshot's sums written late change nothing), and only a running job moves, so two chunks
    settling at once finish it once.
    """
    chunks = ImportChunk.objects.filter(job_id=job_id)
    sums = chunks.filter(status=ImportChunkStatus.DONE).aggregate(
        processed=Sum("lines"), created=Sum("created"), updated=Sum("updated"), rejected=Sum("rejected")
    )
    ImportJob.objects.filter(pk=job_id).update(
        **{name: Greatest(F(name), Value(total or 0)) for name, total in sums.items()}
    )
    if chunks.filter(status__in=UNFINISHED).exists():
        return None
    _refresh_rollups(job_id)
    failed = chunks.filter(status=ImportChunkStatus.FAILED).count()
    status, error = ImportJobStatus.SUCCEEDED, ""
    if failed:
        status = ImportJobStatus.FAILED
        error = f"{failed} chunk(s) failed after their retries; `import_samples_parallel --resume {job_id}` retries."
    ImportJob.objects.filter(pk=job_id, status=ImportJobStatus.RUNNING).update(
        status=status, error=error, finished_at=timezone.now()
    )
    return ImportJob.objects.get(pk=job_id)


def _refresh_rollups(job_id: int) -> None:
    """Rebuild the quality rollups of the days the job's chunks marked, once, before the job is finished (each chunk
    rebuilding its own days would rebuild a whole day of decisions per chunk, one chunk at a time under the rollups'
    lock: at 10M audits that held the workers more than the rows did). A failure leaves the marks: the beat task
    `refresh-quality-rollups` rebuilds them within minutes, and the job still finishes."""
    try:
        quality_rollups_refresh()
    except DatabaseError:
        logger.exception("Quality rollups of import job %s not rebuilt; the beat task will", job_id)


def import_job_resume(*, job_id: int) -> list[int]:
    """Send again every chunk of a job that is not done (after a worker stopped, or a chunk failed for good).

    A chunk still running on a live worker is sent too: the second delivery waits for its row and finds it done. A job
    never planned is planned again. Returns the ids of the chunks sent.
    """
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status == ImportJobStatus.QUEUED or (job.status == ImportJobStatus.FAILED and job.started_at is None):
            ImportJob.objects.filter(pk=job_id).update(status=ImportJobStatus.QUEUED, error="", finished_at=None)
            transaction.on_commit(lambda: _enqueue(PLAN_TASK, job_id))
            return []
        chunk_ids = _unfinished_chunk_ids(job_id, include_failed=True)
        ImportChunk.objects.filter(pk__in=chunk_ids).update(status=ImportChunkStatus.PENDING)
        ImportJob.objects.filter(pk=job_id).update(status=ImportJobStatus.RUNNING, error="", finished_at=None)
        transaction.on_commit(lambda: [_enqueue(CHUNK_TASK, chunk_id) for chunk_id in chunk_ids])
    if not chunk_ids:
        import_job_settle(job_id=job_id)
    return chunk_ids


# ---------------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------------


def _unfinished_chunk_ids(job_id: int, *, include_failed: bool = False) -> list[int]:
    """The chunks to send, in `spread_order`."""
    statuses = (*UNFINISHED, ImportChunkStatus.FAILED) if include_failed else UNFINISHED
    ids = ImportChunk.objects.filter(job_id=job_id, status__in=statuses).order_by("index").values_list("pk", flat=True)
    ids = list(ids)
    return [ids[position] for position in spread_order(len(ids))]


def spread_order(count: int) -> list[int]:
    """0..count-1 in bit-reversed order (0, 4, 2, 6, 1, 5, 3, 7): chunks taken at the same time by any number of
    workers lie far apart in the file. An export is usually sorted by time (and its ids often by time too), so
    neighbouring chunks would write to the same last pages of the same indexes and wait on each other's page locks."""
    bits = max(1, (count - 1).bit_length())
    return sorted(range(count), key=lambda position: int(f"{position:0{bits}b}"[::-1], 2))


def _fail_job(job_id: int, error: str) -> None:
    ImportJob.objects.filter(pk=job_id, status__in=(ImportJobStatus.QUEUED, ImportJobStatus.RUNNING)).update(
        status=ImportJobStatus.FAILED, error=error, finished_at=timezone.now()
    )


def _enqueue(task_name: str, object_id: int) -> None:
    """Send a task by name: a signature of a registered task honours eager mode (the tasks are registered in every
    process: `rca.apps.RcaConfig.ready` imports `rca.tasks`, which imports `rca.importing.tasks`)."""
    current_app.signature(task_name, args=[object_id]).delay()
