"""Thin Celery tasks of import jobs (`rca.importing.jobs`): plan a job, then import its chunks on any worker.

`plan_import_job` cuts the file and sends one `import_chunk` per chunk; both are `acks_late` (a task redelivered after
its worker died does its work again, and the services make that harmless: a planned job is not planned twice, a chunk
done is not imported twice). A chunk that fails is rolled back whole and retried with Celery's retry, with a backoff,
up to `IMPORT_CHUNK_MAX_RETRIES` times; then it is marked failed and the job fails once every chunk has finished.

Registered in every process by `rca.tasks` (which `rca.apps.RcaConfig.ready` imports); the services send them by name.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection

from rca.importing.jobs import (
    CHUNK_TASK,
    PLAN_TASK,
    import_chunk_failed,
    import_chunk_run,
    import_job_plan,
)

logger = logging.getLogger(__name__)


@shared_task(name=PLAN_TASK, acks_late=True, time_limit=1800, soft_time_limit=1700,
             autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=3)  # fmt: skip
def plan_import_job(job_id: int) -> int:
    """Cut job `job_id`'s file into chunks and send a task for each; returns how many were sent."""
    chunk_ids = import_job_plan(job_id=job_id)
    for chunk_id in chunk_ids:
        import_chunk.delay(chunk_id)
    return len(chunk_ids)


@shared_task(bind=True, name=CHUNK_TASK, acks_late=True, time_limit=900, soft_time_limit=840)
def import_chunk(self, chunk_id: int) -> dict:
    """Import chunk `chunk_id` in one transaction; retried on any error (the chunk is whole or absent).

    On a worker a retry goes back through the broker after a backoff; run eagerly (no broker: the newcomer's setup,
    tests), the attempts follow each other at once, as eager Celery cannot retry.
    """
    attempt = self.request.retries
    while True:
        try:
            chunk = import_chunk_run(chunk_id=chunk_id)
            break
        except Exception as exc:
            final = attempt >= settings.IMPORT_CHUNK_MAX_RETRIES
            try:
                import_chunk_failed(chunk_id=chunk_id, error=f"{type(exc).__name__}: {exc}".strip(), final=final)
            except DatabaseError:
                connection.close()  # a broken connection: the next attempt opens a new one
            if final:
                logger.exception("Import chunk %s failed after %s attempts", chunk_id, attempt + 1)
                return {"chunk": chunk_id, "status": "failed"}
            if not self.request.is_eager:
                countdown = settings.IMPORT_CHUNK_RETRY_SECONDS * 2**attempt
                raise self.retry(exc=exc, countdown=countdown, max_retries=settings.IMPORT_CHUNK_MAX_RETRIES) from exc
            attempt += 1
    if chunk is None:
        return {"chunk": chunk_id, "status": "already done"}
    return {"chunk": chunk_id, "status": chunk.status, "created": chunk.created, "updated": chunk.updated,
            "rejected": chunk.rejected}  # fmt: skip
