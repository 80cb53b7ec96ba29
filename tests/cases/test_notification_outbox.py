"""The notification outbox: a timeline entry whose `notify_activity` never ran (the broker was down when its write
committed) is notified by the sweep, once; entries that were notified, or are too young or too old, are left alone."""

from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.utils import timezone

from cases import services
from cases.models import Activity, NotifiedActivity
from cases.notifications import services as notification_services
from cases.tasks import notify_activity, notify_missed_activities
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    return UserFactory(username="lead1", email="lead1@example.com", role="quality_lead")


@pytest.fixture
def lead2():
    return UserFactory(username="lead2", email="lead2@example.com", role="quality_lead")


def _assigned_without_its_task(lead, lead2) -> Activity:
    """An assignment whose on-commit `notify_activity` never ran (tests do not run on-commit callbacks unless asked,
    which is what a broker that refuses the task amounts to)."""
    case = CaseFactory()
    services.case_assign(case=case, owner=lead2, actor=lead)
    return Activity.objects.get(case=case, verb="assigned")


def test_the_sweep_notifies_an_entry_whose_task_never_ran_and_only_once(lead, lead2, mailoutbox):
    activity = _assigned_without_its_task(lead, lead2)
    later = activity.created_at + timedelta(minutes=10)

    assert notification_services.activities_missed(now=later) == [activity.pk]
    notify_activity.apply(args=[activity.pk]).get()  # what the sweep runs for it

    assert [message.to for message in mailoutbox] == [["lead2@example.com"]]
    assert NotifiedActivity.objects.filter(activity=activity).exists()
    assert notification_services.activities_missed(now=later) == []


def test_the_beat_task_sweeps_and_a_second_sweep_sends_nothing(lead, lead2, mailoutbox, monkeypatch):
    activity = _assigned_without_its_task(lead, lead2)
    later = activity.created_at + timedelta(minutes=10)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert notify_missed_activities.apply().get() == [activity.pk]
    assert notify_missed_activities.apply().get() == []
    assert len(mailoutbox) == 1


def test_entries_notified_by_their_own_task_are_not_swept(lead, lead2, django_capture_on_commit_callbacks):
    case = CaseFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_assign(case=case, owner=lead2, actor=lead)
    activity = Activity.objects.get(case=case, verb="assigned")

    assert notification_services.activities_missed(now=activity.created_at + timedelta(minutes=10)) == []


def test_young_old_and_silent_entries_are_not_swept(lead, lead2):
    activity = _assigned_without_its_task(lead, lead2)
    services.case_update(case=activity.case, actor=lead, title="Renamed")  # an edit notifies nobody

    assert notification_services.activities_missed(now=activity.created_at + timedelta(minutes=1)) == []  # grace
    assert notification_services.activities_missed(now=activity.created_at + timedelta(days=2)) == []  # window
    assert notification_services.activities_missed(now=activity.created_at + timedelta(minutes=10)) == [activity.pk]


def test_an_entry_that_fails_is_left_for_the_next_sweep(lead, lead2, mailoutbox, monkeypatch):
    activity = _assigned_without_its_task(lead, lead2)
    later = activity.created_at + timedelta(minutes=10)
    monkeypatch.setattr(timezone, "now", lambda: later)
    real_send = notification_services.notification_email_send

    def refused(**kwargs):
        raise SMTPException("421 service not available")

    monkeypatch.setattr(notification_services, "notification_email_send", refused)
    assert notify_missed_activities.apply().get() == []
    assert not NotifiedActivity.objects.filter(activity=activity).exists()

    monkeypatch.setattr(notification_services, "notification_email_send", real_send)
    assert notify_missed_activities.apply().get() == [activity.pk]
    assert len(mailoutbox) == 1
