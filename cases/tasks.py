"""Celery tasks of the case work: thin wrappers that load by id and call a service.

Notifications: `notify_activity` (enqueued by `cases.services` on commit) creates a timeline entry's notifications and
emails them; `send_daily_reminders` (beat, daily) creates the reminders and fans out one `send_digest` per user;
`take_report_snapshot` (beat, daily) stores the day's headline report figures. Every task is idempotent (see
`cases/notifications/services.py`), so `acks_late` and retries on transient errors are safe.
"""

from datetime import date
from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from cases.notifications import services as notification_services
from cases.reporting import snapshots

TRANSIENT_ERRORS = (SMTPException, ConnectionError, TimeoutError, OperationalError)
_RETRYING = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": False,
    "max_retries": 5,
}


@shared_task(name="cases.tasks.notify_activity", time_limit=120, soft_time_limit=100, **_RETRYING)
def notify_activity(activity_id: int) -> int:
    """Notify everyone concerned by one timeline entry and email them; returns how many emails went out now."""
    notifications = notification_services.notifications_for_activity(activity_id=activity_id)
    return sum(
        notification_services.notification_email_send(notification_id=notification.pk) for notification in notifications
    )


@shared_task(name="cases.tasks.send_digest", time_limit=120, soft_time_limit=100, **_RETRYING)
def send_digest(recipient_id: int, day: str) -> int:
    """Send one user's reminder digest for `day` (ISO date); returns how many reminders it held (0: none sent)."""
    digest = notification_services.digest_send(recipient_id=recipient_id, day=date.fromisoformat(day))
    return digest.notification_count if digest is not None and digest.sent_at is not None else 0


@shared_task(name="cases.tasks.send_daily_reminders", time_limit=600, soft_time_limit=540, **_RETRYING)
def send_daily_reminders() -> int:
    """Create today's reminders, then queue one digest per user who has reminders waiting; returns that count."""
    notification_services.reminders_create()
    day = timezone.localdate().isoformat()
    recipients = notification_services.digest_recipients()
    for recipient_id in recipients:
        send_digest.delay(recipient_id, day)
    return len(recipients)


@shared_task(name="cases.tasks.take_report_snapshot", time_limit=300, soft_time_limit=270, **_RETRYING)
def take_report_snapshot(day: str | None = None) -> int:
    """Store the headline report figures of `day` (default today) once; returns the snapshot's id."""
    snapshot = snapshots.report_snapshot_take(day=date.fromisoformat(day) if day else timezone.localdate())
    return snapshot.pk
