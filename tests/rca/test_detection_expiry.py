"""Runs that nothing will finish (task lost while queued, workers gone while running) are failed after the timeout,
and a late finish of an expired run writes nothing."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from cases.models import Case
from rca.choices import DetectionRunStatus
from rca.detection.params import DetectionParams
from rca.detection.results import PartitionResult
from rca.detection_runs import detection_run_finish, detection_runs_expire
from rca.models import DetectionRun
from rca.tasks import expire_detection_runs
from tests.factories import DetectionRunFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _run(status: str, *, created_minutes_ago: int, started_minutes_ago: int | None = None) -> DetectionRun:
    run = DetectionRunFactory(
        status=status,
        parameters=DetectionParams().as_dict(),
        started_at=None if started_minutes_ago is None else NOW - timedelta(minutes=started_minutes_ago),
    )
    DetectionRun.objects.filter(pk=run.pk).update(created_at=NOW - timedelta(minutes=created_minutes_ago))
    return run


@override_settings(DETECTION_RUN_TIMEOUT_MINUTES=60)
def test_only_runs_stuck_past_the_timeout_are_failed_with_a_reason():
    lost = _run(DetectionRunStatus.QUEUED, created_minutes_ago=61)
    waiting = _run(DetectionRunStatus.QUEUED, created_minutes_ago=5)
    orphaned = _run(DetectionRunStatus.RUNNING, created_minutes_ago=200, started_minutes_ago=90)
    working = _run(DetectionRunStatus.RUNNING, created_minutes_ago=200, started_minutes_ago=10)
    done = _run(DetectionRunStatus.SUCCEEDED, created_minutes_ago=500, started_minutes_ago=499)

    expired = detection_runs_expire(now=NOW)

    assert sorted(expired) == sorted([lost.pk, orphaned.pk])
    statuses = dict(DetectionRun.objects.values_list("pk", "status"))
    assert statuses == {
        lost.pk: DetectionRunStatus.FAILED,
        waiting.pk: DetectionRunStatus.QUEUED,
        orphaned.pk: DetectionRunStatus.FAILED,
        working.pk: DetectionRunStatus.RUNNING,
        done.pk: DetectionRunStatus.SUCCEEDED,
    }
    orphaned.refresh_from_db()
    assert orphaned.error.startswith("Timed out: no result after 60 minutes")
    assert orphaned.finished_at is not None


def test_a_late_finish_of_an_expired_run_writes_nothing():
    run = _run(DetectionRunStatus.RUNNING, created_minutes_ago=300, started_minutes_ago=300)
    detection_runs_expire()
    result = PartitionResult(partition="safety_civility")

    finished = detection_run_finish(run_id=run.pk, results=[result])

    assert finished.status == DetectionRunStatus.FAILED
    assert not Case.objects.exists()


def test_the_beat_task_expires_runs():
    run = _run(DetectionRunStatus.QUEUED, created_minutes_ago=24 * 60)

    assert expire_detection_runs.apply().get() == [run.pk]
