"""Fault drills of the detection pipeline on real Celery worker subprocesses and a private Redis:

- a worker SIGKILLed in the middle of a run: the partition it held (`acks_late`) is redelivered to the next worker,
  and the run ends with exactly the cases of an undisturbed run;
- two runs at once on two workers: no duplicate pattern or case.

PostgreSQL only (the worker is another process: it must share the test database). Each drill takes about a minute.
"""

import re
import time
from datetime import timedelta
from functools import cache

import pytest
from celery import Celery
from django.db import connection
from django.utils import timezone

from cases.models import Case
from rca.choices import DetectionRunStatus
from rca.detection_runs import detection_run_create, detection_run_execute
from rca.importing import import_records
from rca.models import DetectionRun, ErrorPattern
from rca.synthetic import AUDITOR_PLANTED, PLANTED, generate_audits
from tests.hardening.services import WorkerProcess, drill_database_url, eventually
from tests.services import require_postgres

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

NOW = timezone.now().replace(microsecond=0)
RUN_TIMEOUT = 240
PARTITION_RECEIVED = re.compile(r"Task rca\.tasks\.analyse_partition\[[0-9a-f-]+\] received")
DISPATCHED = re.compile(r"Task rca\.tasks\.run_detection\[[0-9a-f-]+\] succeeded")
PATTERNS = len(PLANTED) + len(AUDITOR_PLANTED)  # of the decisions, and audit-driven


@cache
def _audits():
    return generate_audits(seed=1, days=12, audits_per_day=1800, end=NOW - timedelta(days=2))


@pytest.fixture
def audits(seeded):
    require_postgres()
    result = import_records(_audits().records)
    assert result.rejected == []
    return _audits()


def _snapshot() -> list[tuple]:
    """The cases detection opened, independent of ids: pattern fingerprint, title, severity, status, samples.

    (A fingerprint names its text topic by id: both runs start from `_reset_detection_outputs`, so ids match.)"""
    return sorted(
        (
            case.pattern.fingerprint,
            case.title,
            case.severity,
            case.status,
            tuple(sorted(case.samples.values_list("external_id", flat=True))),
        )
        for case in Case.objects.select_related("pattern")
    )


def _reset_detection_outputs() -> None:
    """Back to the state before any run: no topic, pattern or case (TRUNCATE: the timeline refuses row deletes)."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE rca_texttopic, rca_errorpattern, cases_case RESTART IDENTITY CASCADE")


def _enqueue(redis_url: str, run_id: int) -> None:
    client = Celery("drill-client", broker=redis_url)
    client.send_task("rca.tasks.run_detection", args=[run_id])


def _finished(run: DetectionRun) -> bool:
    run.refresh_from_db()
    return run.status not in (DetectionRunStatus.QUEUED, DetectionRunStatus.RUNNING)


def test_worker_killed_mid_run_is_redelivered_and_opens_the_cases_of_an_undisturbed_run(
    audits, private_redis, tmp_path
):
    _reset_detection_outputs()
    reference = detection_run_execute(run=detection_run_create(actor=None))
    expected = _snapshot()
    _reset_detection_outputs()
    database_url = drill_database_url()
    first = WorkerProcess(database_url=database_url, redis_url=private_redis.url, log=tmp_path / "first.log")
    second = WorkerProcess(
        database_url=database_url, redis_url=private_redis.url, log=tmp_path / "second.log", name="b"
    )
    run = detection_run_create(actor=None)
    first.start()
    try:
        _enqueue(private_redis.url, run.pk)
        # Kill once the chord is fully dispatched (run_detection done) and a partition is in the worker's hands: the
        # drill is about the partitions (a kill inside run_detection's own dispatch is a known gap, see
        # docs/reliability.md).
        assert eventually(
            lambda: DISPATCHED.search(first.output()) and PARTITION_RECEIVED.search(first.output()),
            timeout=120,
            interval=0.02,
        ), first.output()
        first.kill()
        killed_while = DetectionRun.objects.get(pk=run.pk).status
        second.start()
        assert eventually(lambda: _finished(run), timeout=RUN_TIMEOUT), (
            f"run {run.status}\n{first.summary()}\n{second.summary()}"
        )
    finally:
        first.kill()
        second.stop()

    assert reference.status == DetectionRunStatus.SUCCEEDED and reference.cases_opened == PATTERNS
    assert killed_while == DetectionRunStatus.RUNNING
    assert PARTITION_RECEIVED.search(second.output())
    assert run.status == DetectionRunStatus.SUCCEEDED, run.error
    assert _snapshot() == expected
    assert run.cases_opened == reference.cases_opened


def test_two_runs_at_once_on_two_workers_open_no_duplicate(audits, private_redis, tmp_path):
    database_url = drill_database_url()
    workers = [
        WorkerProcess(database_url=database_url, redis_url=private_redis.url, log=tmp_path / f"w{n}.log", name=f"w{n}")
        for n in range(2)
    ]
    runs = [detection_run_create(actor=None) for _ in range(2)]
    for worker in workers:
        worker.start()
    try:
        for run in runs:
            _enqueue(private_redis.url, run.pk)
        started = time.monotonic()
        assert eventually(lambda: all(_finished(run) for run in runs), timeout=RUN_TIMEOUT), "\n".join(
            worker.summary() for worker in workers
        )
    finally:
        for worker in workers:
            worker.stop()

    assert [run.status for run in runs] == [DetectionRunStatus.SUCCEEDED] * 2, [run.error for run in runs]
    assert ErrorPattern.objects.count() == PATTERNS
    assert Case.objects.count() == PATTERNS
    assert Case.objects.values("pattern").distinct().count() == PATTERNS
    assert sum(run.cases_opened for run in runs) == PATTERNS
    assert time.monotonic() - started < RUN_TIMEOUT
