"""Webhook deliveries to a real HTTP receiver on 127.0.0.1 (private addresses allowed in these tests only): signed so
that the recipe of docs/webhooks.md verifies them, retried with backoff on a 5xx, an endpoint disabled (and its owner
notified) after failures in a row, and a loopback URL refused by default."""

import json
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cases import services
from cases.models import Notification
from cases.notifications.choices import NotificationKind
from cases.webhooks import services as webhook_services
from cases.webhooks.choices import DeliveryStatus, WebhookEvent
from cases.webhooks.models import Delivery, WebhookEndpoint
from cases.webhooks.tasks import deliver
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db
DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


@pytest.fixture
def loopback_allowed(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    return settings


@pytest.fixture
def lead():
    return UserFactory(username="lead1", email="lead1@example.com", role="quality_lead")


def _endpoint(url: str, owner, *events: str) -> WebhookEndpoint:
    return webhook_services.endpoint_create(
        name="receiver", url=url, events=list(events) or [WebhookEvent.CASE_ASSIGNED], owner=owner
    )


def _documented_recipe():
    """The `verify_rca_webhook` function exactly as docs/webhooks.md prints it."""
    block = re.search(r"```python\n(.*?def verify_rca_webhook.*?)```", DOC.read_text(), re.DOTALL).group(1)
    namespace: dict = {}
    exec(block, namespace)  # the documentation's own code, run as a receiver would
    return namespace["verify_rca_webhook"]


def test_a_signed_delivery_verifies_with_the_documented_recipe(
    loopback_allowed, lead, webhook_receiver, django_capture_on_commit_callbacks
):
    endpoint = _endpoint(webhook_receiver.url, lead)
    owner = UserFactory(username="lead2", role="quality_lead")

    with django_capture_on_commit_callbacks(execute=True):
        services.case_assign(case=CaseFactory(), owner=owner, actor=lead)

    assert webhook_receiver.wait_for(1)
    received = webhook_receiver.requests[0]
    verify = _documented_recipe()
    assert verify(endpoint.secret, received.headers, received.body) is True
    assert verify(endpoint.secret, received.headers, received.body + b" ") is False
    assert verify("another-secret-entirely", received.headers, received.body) is False
    body = json.loads(received.body)
    assert body["type"] == "case.assigned" and body["data"]["owner"] == "lead2"
    assert received.headers["X-RCA-Delivery"] == body["id"]
    assert body["data"]["case"]["url"].startswith("http")
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_an_event_nobody_subscribed_to_writes_no_delivery(loopback_allowed, lead, webhook_receiver):
    _endpoint(webhook_receiver.url, lead, WebhookEvent.CASE_OPENED)

    services.case_assign(case=CaseFactory(), owner=UserFactory(role="quality_lead"), actor=lead)

    assert Delivery.objects.count() == 0


def test_a_500_is_retried_after_a_backoff_with_jitter_and_then_delivered(loopback_allowed, lead, webhook_receiver):
    loopback_allowed.WEBHOOK_RETRY_BASE_SECONDS = 30
    webhook_receiver.answers = [500, 503]
    _endpoint(webhook_receiver.url, lead)
    services.case_assign(case=CaseFactory(), owner=UserFactory(role="quality_lead"), actor=lead)
    delivery = Delivery.objects.get()

    first = webhook_services.delivery_send(delivery_id=delivery.pk)
    too_soon = webhook_services.delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    second = webhook_services.delivery_send(delivery_id=delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    third = webhook_services.delivery_send(delivery_id=delivery.pk)

    assert 15 <= first.retry_in <= 30  # 30 s * 2^0, times a factor in [0.5, 1]
    assert 30 <= second.retry_in <= 60  # 30 s * 2^1
    assert too_soon.status == "skipped"  # not due yet: nothing sent
    assert third.status == DeliveryStatus.DELIVERED
    assert [attempt.status_code for attempt in delivery.attempt_log.all()] == [500, 503, 200]
    assert len(webhook_receiver.requests) == 3
    assert WebhookEndpoint.objects.get().consecutive_failures == 0


def test_backoff_grows_exponentially_is_jittered_and_capped(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS, settings.WEBHOOK_RETRY_MAX_SECONDS = 10, 100
    waits = {attempt: [webhook_services.backoff_seconds(attempt) for _ in range(50)] for attempt in (1, 2, 3, 8)}

    assert all(5 <= wait <= 10 for wait in waits[1]) and all(10 <= wait <= 20 for wait in waits[2])
    assert all(20 <= wait <= 40 for wait in waits[3]) and all(50 <= wait <= 100 for wait in waits[8])
    assert len(set(waits[1])) > 1  # jitter


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_a_500_with_backoff_and_then_delivers(loopback_allowed, webhook_receiver, celery_worker):
    loopback_allowed.WEBHOOK_RETRY_BASE_SECONDS = 1.0
    webhook_receiver.answers = [500]
    lead = UserFactory(username="lead1", role="quality_lead")
    _endpoint(webhook_receiver.url, lead)

    services.case_assign(case=CaseFactory(), owner=UserFactory(role="quality_lead"), actor=lead)

    assert webhook_receiver.wait_for(2, timeout=30)
    delivery = Delivery.objects.get()
    deadline = time.monotonic() + 10
    while delivery.status != DeliveryStatus.DELIVERED and time.monotonic() < deadline:
        time.sleep(0.1)
        delivery.refresh_from_db()
    first, second = webhook_receiver.requests
    assert 0.5 <= second.at - first.at < 5  # the backoff: 1 s * [0.5, 1], then the worker's own latency
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [attempt.status_code for attempt in delivery.attempt_log.all()] == [500, 200]


def test_an_endpoint_that_keeps_failing_is_disabled_and_its_owner_notified(
    loopback_allowed, lead, webhook_receiver, mailoutbox, django_capture_on_commit_callbacks
):
    loopback_allowed.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    loopback_allowed.WEBHOOK_RETRY_BASE_SECONDS = 0
    webhook_receiver.answers = [500] * 10
    _endpoint(webhook_receiver.url, lead)
    services.case_assign(case=CaseFactory(), owner=UserFactory(role="quality_lead"), actor=lead)
    delivery = Delivery.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        outcomes = [webhook_services.delivery_send(delivery_id=delivery.pk) for _ in range(4)]

    endpoint = WebhookEndpoint.objects.get()
    assert [outcome.status for outcome in outcomes] == ["pending", "pending", "pending", DeliveryStatus.FAILED]
    assert len(webhook_receiver.requests) == 3  # nothing is sent once it is disabled
    assert endpoint.is_active is False and endpoint.disabled_at is not None
    assert "3 failed deliveries in a row" in endpoint.disabled_reason
    notice = Notification.objects.get(recipient=lead, kind=NotificationKind.WEBHOOK_DISABLED)
    assert "receiver" in notice.message
    assert [message.to for message in mailoutbox] == [["lead1@example.com"]]


def test_enabling_an_endpoint_again_clears_its_failures(loopback_allowed, lead, webhook_receiver):
    endpoint = _endpoint(webhook_receiver.url, lead)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False, consecutive_failures=20, disabled_at=timezone.now(), disabled_reason="x"
    )

    endpoint = webhook_services.endpoint_update(endpoint=endpoint, is_active=True)

    assert (endpoint.is_active, endpoint.consecutive_failures, endpoint.disabled_at) == (True, 0, None)


def test_a_loopback_url_is_refused_by_default(settings, lead, webhook_receiver):
    assert settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES is False
    with pytest.raises(Exception, match="private, loopback or reserved"):
        _endpoint(webhook_receiver.url, lead)
    # Registered while allowed (or pointed by DNS at a private address later): refused at delivery, never sent.
    WebhookEndpoint.objects.create(name="sneaky", url=webhook_receiver.url, events=[WebhookEvent.CASE_ASSIGNED])
    services.case_assign(case=CaseFactory(), owner=UserFactory(role="quality_lead"), actor=lead)
    delivery = Delivery.objects.get()

    outcome = deliver.apply(args=[delivery.pk]).get()

    delivery.refresh_from_db()
    assert outcome == DeliveryStatus.FAILED
    assert delivery.last_error.startswith("Refused: 127.0.0.1 resolves to a private, loopback or reserved address")
    time.sleep(0.2)
    assert webhook_receiver.requests == []


def test_the_sweep_leaves_young_deliveries_to_their_task(loopback_allowed, lead, webhook_receiver):
    _endpoint(webhook_receiver.url, lead)
    services.case_assign(case=CaseFactory(), owner=UserFactory(role="quality_lead"), actor=lead)
    delivery = Delivery.objects.get()

    assert webhook_services.deliveries_due(now=delivery.next_attempt_at + timedelta(seconds=10)) == []
    assert webhook_services.deliveries_due(now=delivery.next_attempt_at + timedelta(minutes=5)) == [delivery.pk]
