"""The daily report snapshot: stored once per day, unchanged by later edits or by a rerun, and scheduled by beat."""

from datetime import date

import pytest
from django.conf import settings

from cases.models import Case, ReportSnapshot
from cases.reporting.snapshots import report_snapshot_take, snapshot_trend
from cases.tasks import take_report_snapshot
from tests.factories import CaseFactory


@pytest.mark.django_db
def test_take_report_snapshot_stores_the_headline_figures_of_the_day():
    CaseFactory.create_batch(3)
    CaseFactory(closed=True)

    snapshot_id = take_report_snapshot.apply(args=["2026-11-25"]).get()

    snapshot = ReportSnapshot.objects.get(pk=snapshot_id)
    assert snapshot.date == date(2026, 11, 25)
    assert (snapshot.figures["opened"], snapshot.figures["closed"], snapshot.figures["open"]) == (4, 1, 3)
    assert snapshot.figures["open_by_severity"]["S3"] == 3


@pytest.mark.django_db
def test_report_snapshot_of_a_day_survives_later_edits_and_reruns():
    CaseFactory.create_batch(2)
    first = report_snapshot_take(day=date(2026, 11, 25))
    Case.objects.all().delete()

    again = report_snapshot_take(day=date(2026, 11, 25))

    assert again.pk == first.pk
    assert again.figures["opened"] == 2
    assert ReportSnapshot.objects.count() == 1


@pytest.mark.django_db
def test_snapshot_trend_lists_the_latest_days_oldest_first():
    for day in (3, 1, 2):
        ReportSnapshot.objects.create(date=date(2026, 11, day), figures={})

    assert [snapshot.date.day for snapshot in snapshot_trend(limit=2)] == [2, 3]


def test_beat_schedules_the_daily_reminders_and_snapshot():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {"cases.tasks.send_daily_reminders", "cases.tasks.take_report_snapshot"} <= tasks
