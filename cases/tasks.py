"""Celery tasks of the case work: thin wrappers that load by id and call a service.

Notifications: `notify_activity` (enqueued by `cases.services` on commit) creates a timeline entry's notifications and
emails them; `send_daily_reminders` (beat, daily) creates the reminders and fans out one `send_digest` per user;
`take_report_snapshot` (beat, daily) stores the day's headline report figures; `notify_missed_activities` (beat, every
5 minutes) is the outbox sweep for entries whose `notify_activity` never ran. Every task is idempotent (see
`cases/notifications/services.py`), so `acks_late` and retries on transient errors are safe.
"""

import logging
from datetime import date
from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from cases.notifications import services as notification_services
from cases.reporting import snapshots

logger = logging.getLogger(__name__)
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
    sent = sum(
        notification_services.notification_email_send(notification_id=notification.pk) for notification in notifications
    )
    notification_services.activity_notified(activity_id=activity_id)
    return sent


@shared_task(name="cases.tasks.notify_missed_activities", time_limit=600, soft_time_limit=540, **_RETRYING)
def notify_missed_activities() -> list[int]:
    """Beat (`notify-missed-activities`, every 5 minutes): the outbox sweep. Notifies, here and one after the other,
    the recent timeline entries whose own `notify_activity` never ran; returns their ids. One that fails is logged
    and left for the next sweep."""
    done = []
    for activity_id in notification_services.activities_missed():
        try:
            notify_activity(activity_id)
        except TRANSIENT_ERRORS:
            logger.exception("Could not notify activity %s; the next sweep tries again", activity_id)
        else:
            done.append(activity_id)
    return done


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
