"""Every write of the webhooks: registering endpoints, and sending one delivery (webhook or chat message).

Sending (`delivery_send`) is safe to run twice at once and to retry:
- a sender first claims the delivery with a guarded update (pending, due, and not claimed by another sender whose
  claim is still running), and acts only when that update changed one row;
- every try is logged (`DeliveryAttempt`: status code or error, duration);
- a 2xx delivers it; a 5xx, a 429, a timeout or a refused connection schedules the next try after an exponential
  backoff with jitter, until `WEBHOOK_MAX_ATTEMPTS`; any other answer, or an address the SSRF check refuses, fails it
  for good;
- each failed try of an endpoint counts toward `WEBHOOK_DISABLE_AFTER_FAILURES` failures in a row, at which the
  endpoint is disabled and its owner notified (in the app and by email); a success resets the count.
"""

import json
import logging
import random
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cases.models import Notification
from cases.notifications import services as notification_services
from cases.notifications.choices import NotificationKind
from cases.notifications.signals import notifications_created
from cases.webhooks import addresses, signing, transport
from cases.webhooks.choices import DeliveryStatus, WebhookEvent
from cases.webhooks.models import Delivery, DeliveryAttempt, WebhookEndpoint

logger = logging.getLogger(__name__)
CLAIM_MARGIN_SECONDS = 30
OUTBOX_BATCH = 500


# ENDPOINTS
# ------------------------------------------------------------------------------


def endpoint_check(*, url: str, events: list[str]) -> None:
    """Refuse (ValidationError by field) a URL that fails the check without DNS, and events that are unknown,
    repeated or missing."""
    errors = {}
    try:
        addresses.check_syntax(url, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES)
    except addresses.UnsafeAddress as exc:
        errors["url"] = str(exc)
    unknown = [event for event in events if event not in WebhookEvent.values]
    if unknown or not events or len(set(events)) != len(events):
        errors["events"] = f"Pick one or more distinct events among: {', '.join(WebhookEvent.values)}."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def endpoint_create(
    *, name: str, url: str, events: list[str], owner: User | None, secret: str = "", is_active: bool = True
) -> WebhookEndpoint:
    """Register an endpoint (a random secret when none is given). The URL is checked without DNS here (scheme, no
    literal private address unless allowed); the full SSRF check runs at every delivery."""
    endpoint_check(url=url, events=events)
    endpoint = WebhookEndpoint(name=name, url=url, events=events, owner=owner, is_active=is_active)
    if secret:
        endpoint.secret = secret
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_update(*, endpoint: WebhookEndpoint, **fields) -> WebhookEndpoint:
    """Change an endpoint's name, url, events, secret, owner or `is_active`. Enabling it again clears its run of
    failures and the reason it was disabled."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint_check(url=fields.get("url", endpoint.url), events=fields.get("events", endpoint.events))
    for name, value in fields.items():
        setattr(endpoint, name, value)
    if fields.get("is_active"):
        endpoint.consecutive_failures, endpoint.disabled_at, endpoint.disabled_reason = 0, None, ""
    endpoint.save()
    return endpoint


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint and its deliveries (their log with them)."""
    endpoint.delete()


# SENDING
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str  # a DeliveryStatus, or "skipped" when another sender holds it or it is not due
    retry_in: float | None = None  # seconds until the next try, when one is scheduled


def backoff_seconds(attempt: int, *, rng: random.Random | None = None) -> float:
    """Wait after failed try number `attempt` (1-based): base * 2^(attempt - 1), capped, times a random factor in
    [0.5, 1] so that the retries of many deliveries do not hit a recovering receiver at the same instant."""
    ceiling = min(settings.WEBHOOK_RETRY_MAX_SECONDS, settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1))
    return ceiling * (rng or random).uniform(0.5, 1.0)


def _claim(delivery_id: int, now) -> Delivery | None:
    lease = timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + CLAIM_MARGIN_SECONDS)
    claimed = Delivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        pk=delivery_id,
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now,
    ).update(claimed_until=now + lease)
    if not claimed:
        return None
    return Delivery.objects.select_related("endpoint", "chat_route").get(pk=delivery_id)


def _request(delivery: Delivery) -> tuple[str, bytes, dict[str, str]]:
    if delivery.endpoint_id:
        body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
        timestamp = int(timezone.now().timestamp())
        headers = signing.signed_headers(
            delivery.endpoint.secret, timestamp, body, event=delivery.event, delivery_id=str(delivery.event_id)
        )
        return delivery.endpoint.url, body, headers
    body = json.dumps(delivery.payload).encode()
    return delivery.chat_route.url, body, {"Content-Type": "application/json", "User-Agent": "rca-webhooks/1"}


def delivery_send(*, delivery_id: int) -> Outcome:
    """Try one delivery now (when it is pending, due and not held by another sender); log the try and schedule the
    next one or settle it. See the module docstring for what each answer does."""
    now = timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return Outcome("skipped")
    target_active = delivery.endpoint.is_active if delivery.endpoint_id else delivery.chat_route.is_active
    if not target_active:
        return _settle(delivery, succeeded=False, retryable=False, error="The endpoint or route is disabled.")
    url, body, headers = _request(delivery)
    try:
        target = addresses.resolve_target(url, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES)
    except addresses.UnsafeAddress as exc:
        return _settle(delivery, succeeded=False, retryable=False, error=f"Refused: {exc}")
    try:
        answer = transport.post(target, body, headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    except OSError as exc:
        return _settle(delivery, succeeded=False, retryable=True, error=f"No answer: {exc}"[:500])
    code = answer.status
    return _settle(
        delivery,
        succeeded=200 <= code < 300,
        retryable=code >= 500 or code == 429,
        status_code=code,
        duration_ms=answer.duration_ms,
        error="" if 200 <= code < 300 else f"HTTP {code}: {answer.body[:200]}",
    )


@transaction.atomic
def _settle(
    delivery: Delivery,
    *,
    succeeded: bool,
    retryable: bool,
    error: str = "",
    status_code: int | None = None,
    duration_ms: int = 0,
) -> Outcome:
    attempt = delivery.attempts + 1
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=attempt,
        status_code=status_code,
        duration_ms=duration_ms,
        error=error[:500],
        succeeded=succeeded,
    )
    now = timezone.now()
    fields = {"attempts": attempt, "claimed_until": None, "last_status_code": status_code, "last_error": error[:500]}
    retry_in = None
    if succeeded:
        fields.update(status=DeliveryStatus.DELIVERED, delivered_at=now)
    elif retryable and attempt < settings.WEBHOOK_MAX_ATTEMPTS:
        retry_in = backoff_seconds(attempt)
        fields["next_attempt_at"] = now + timedelta(seconds=retry_in)
    else:
        fields["status"] = DeliveryStatus.FAILED
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
    if delivery.endpoint_id:
        _count_on_endpoint(delivery.endpoint_id, succeeded=succeeded, last_error=error)
    return Outcome(fields.get("status", DeliveryStatus.PENDING), retry_in)


def _count_on_endpoint(endpoint_id: int, *, succeeded: bool, last_error: str) -> None:
    endpoints = WebhookEndpoint.objects.filter(pk=endpoint_id)
    if succeeded:
        endpoints.exclude(consecutive_failures=0).update(consecutive_failures=0)
        return
    endpoints.update(consecutive_failures=F("consecutive_failures") + 1)
    threshold = settings.WEBHOOK_DISABLE_AFTER_FAILURES
    reason = f"Disabled after {threshold} failed deliveries in a row; the last: {last_error}"[:300]
    disabled = endpoints.filter(is_active=True, consecutive_failures__gte=threshold).update(
        is_active=False, disabled_at=timezone.now(), disabled_reason=reason
    )
    if disabled:
        endpoint = WebhookEndpoint.objects.select_related("owner").get(pk=endpoint_id)
        _notify_owner_disabled(endpoint)


def _notify_owner_disabled(endpoint: WebhookEndpoint) -> None:
    """An in-app notification to the endpoint's owner (also emailed, and posted to their chat routes, once the
    transaction commits)."""
    owner = endpoint.owner
    if owner is None or not owner.is_active:
        logger.warning("Webhook endpoint %s was disabled and has no active owner to notify", endpoint.pk)
        return
    key = f"webhook_disabled:{endpoint.pk}:{endpoint.disabled_at.isoformat()}"
    notification = Notification.objects.create(
        recipient=owner,
        kind=NotificationKind.WEBHOOK_DISABLED,
        message=f"Webhook endpoint “{endpoint.name}” was disabled after repeated failed deliveries"[:500],
        url=f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/",
        idempotency_key=key,
    )
    notifications_created.send(sender=Notification, keys=[key])
    transaction.on_commit(
        lambda: notification_services.notification_email_send(notification_id=notification.pk), robust=True
    )


def deliveries_due(*, now=None) -> list[int]:
    """Pending deliveries due for longer than `WEBHOOK_OUTBOX_GRACE_SECONDS` and held by no sender, oldest first (at
    most `OUTBOX_BATCH`): their task was never enqueued (the broker was down), was lost, or its retry was."""
    now = now or timezone.now()
    due = Delivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now - timedelta(seconds=settings.WEBHOOK_OUTBOX_GRACE_SECONDS),
    )
    return list(due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:OUTBOX_BATCH])
