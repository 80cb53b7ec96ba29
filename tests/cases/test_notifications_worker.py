"""Notifications through a real Celery worker on Redis: the `on_commit` hook of a service enqueues the task, the worker
creates the notification and sends the email; a failed email is retried by Celery and still sent once; a redelivered
task changes nothing. Skipped without Redis (failed with REQUIRE_SERVICES=1)."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import Activity, Notification, NotificationDigest
from cases.tasks import notify_activity, send_daily_reminders
from tests.cases.test_notifications import FailingOnceEmailBackend
from tests.factories import ActionItemFactory, CaseFactory, UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _eventually(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _people():
    lead = UserFactory(username="lead1", email="lead1@example.com", role="quality_lead")
    owner = UserFactory(username="lead2", email="lead2@example.com", role="quality_lead")
    return lead, owner


def test_case_assign_is_notified_and_emailed_by_a_real_worker(celery_worker, mailoutbox):
    lead, owner = _people()
    case = CaseFactory()

    services.case_assign(case=case, owner=owner, actor=lead)

    assert _eventually(lambda: Notification.objects.filter(recipient=owner, emailed_at__isnull=False).exists())
    assert [message.to for message in mailoutbox] == [["lead2@example.com"]]


def test_worker_retries_a_failed_email_and_a_redelivered_task_sends_nothing(celery_worker, mailoutbox, settings):
    settings.EMAIL_BACKEND = "tests.cases.test_notifications.FailingOnceEmailBackend"
    lead, owner = _people()
    case = CaseFactory()
    FailingOnceEmailBackend.arm()

    services.case_assign(case=case, owner=owner, actor=lead)
    assert _eventually(lambda: Notification.objects.filter(emailed_at__isnull=False).exists())
    activity = Activity.objects.get(case=case, verb="assigned")
    redelivered = notify_activity.delay(activity.pk).get(timeout=30)

    assert FailingOnceEmailBackend.armed is False  # the first attempt failed
    assert redelivered == 0
    assert Notification.objects.count() == 1
    assert len(mailoutbox) == 1


def test_daily_reminders_fan_out_one_digest_per_user_on_a_real_worker(celery_worker, mailoutbox):
    alice = UserFactory(username="alice", email="alice@example.com", role="partner")
    case = CaseFactory()
    ActionItemFactory(case=case, owner=alice, title="Soon", due_at=timezone.now() + timedelta(days=1))
    ActionItemFactory(case=case, owner=alice, title="Late", due_at=timezone.now() - timedelta(days=1))

    queued = send_daily_reminders.delay().get(timeout=30)
    assert _eventually(lambda: NotificationDigest.objects.filter(sent_at__isnull=False).exists())
    again = send_daily_reminders.delay().get(timeout=30)

    assert (queued, again) == (1, 0)
    assert [message.to for message in mailoutbox] == [["alice@example.com"]]
    assert NotificationDigest.objects.get().notification_count == 2
