"""Fault drill of an import job on real Celery worker subprocesses and a private Redis: the worker is SIGKILLed while
it imports a chunk (its transaction open); the chunk's message (`acks_late`) goes to the next worker, and the job ends
with every row of the file once, counted once.

PostgreSQL only (the workers are other processes: they share the test database). About half a minute.
"""

import re

import pytest
from celery import Celery

from rca.choices import ImportChunkStatus, ImportJobStatus
from rca.importing import jobs
from rca.models import ImportJob, ModerationSample
from tests.hardening.services import WorkerProcess, drill_database_url, eventually
from tests.rca.test_import_jobs import write_jsonl
from tests.services import require_postgres

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROWS = 12_000
CHUNK_RECEIVED = re.compile(r"Task rca\.importing\.tasks\.import_chunk\[[0-9a-f-]+\] received")
CHUNK_DONE = re.compile(r"Task rca\.importing\.tasks\.import_chunk\[[0-9a-f-]+\] succeeded")


def _finished(job: ImportJob) -> bool:
    job.refresh_from_db()
    return job.status not in (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING)


def test_worker_killed_mid_chunk_leaves_every_row_imported_once(seeded, private_redis, tmp_path, monkeypatch):
    require_postgres()
    source = tmp_path / "audits.jsonl"
    ids = write_jsonl(source, ROWS)
    client = Celery("drill-client", broker=private_redis.url)
    # The job's tasks go to the drill's Redis (the test process's own app points at the suite's broker).
    monkeypatch.setattr(jobs, "_enqueue", lambda name, object_id: client.send_task(name, args=[object_id]))
    database_url = drill_database_url()
    first = WorkerProcess(database_url=database_url, redis_url=private_redis.url, log=tmp_path / "first.log")
    second = WorkerProcess(
        database_url=database_url, redis_url=private_redis.url, log=tmp_path / "second.log", name="b"
    )
    first.start()
    try:
        job = jobs.import_job_request(path=source, chunk_bytes=source.stat().st_size // 6 + 1)
        # Kill once a chunk is in the worker's hands and none has finished: its transaction is open.
        assert eventually(lambda: CHUNK_RECEIVED.search(first.output()), timeout=120, interval=0.02), first.summary()
        first.kill()
        finished_before_kill = len(CHUNK_DONE.findall(first.output()))
        job.refresh_from_db()
        killed_while = job.status
        second.start()
        assert eventually(lambda: _finished(job), timeout=240), (
            f"job {job.status}\n{first.summary()}\n{second.summary()}"
        )
    finally:
        first.kill()
        second.stop()

    assert killed_while == ImportJobStatus.RUNNING
    assert finished_before_kill < job.chunks.count()  # the kill left work for the second worker
    assert CHUNK_RECEIVED.search(second.output())
    assert job.status == ImportJobStatus.SUCCEEDED, job.error
    assert set(job.chunks.values_list("status", flat=True)) == {ImportChunkStatus.DONE}
    assert (job.processed, job.created, job.updated, job.rejected) == (ROWS, ROWS, 0, 0)
    assert sorted(ModerationSample.objects.values_list("external_id", flat=True)) == sorted(ids)
