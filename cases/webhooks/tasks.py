"""Celery tasks of the webhooks: thin wrappers around `cases.webhooks.services`.

`deliver` (enqueued on commit by the outbox) tries one delivery and, when the service scheduled another try, retries
itself after that delay (exponential backoff with jitter, computed by the service). `send_pending_deliveries` (beat,
every minute) is the outbox sweep: it re-enqueues the deliveries whose task never ran or whose retry was lost (a
Redis restart). A delivery is claimed before it is sent, so a sweep racing a retry sends it once.
"""

from celery import shared_task
from django.db import OperationalError

from cases.webhooks import services


@shared_task(
    bind=True,
    name="cases.webhooks.tasks.deliver",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=2,
    max_retries=50,
    time_limit=120,
    soft_time_limit=100,
)
def deliver(self, delivery_id: int) -> str:
    """Try one delivery; returns its status after this try."""
    outcome = services.delivery_send(delivery_id=delivery_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in, max_retries=None)
    return outcome.status


@shared_task(name="cases.webhooks.tasks.send_pending_deliveries", time_limit=120, soft_time_limit=100)
def send_pending_deliveries() -> list[int]:
    """Beat (`send-pending-deliveries`, every minute): enqueue every delivery that is due and held by no sender."""
    due = services.deliveries_due()
    for delivery_id in due:
        deliver.delay(delivery_id)
    return due
