"""Fault drill: a webhook event happens while Redis (the Celery broker) is down. The web app (gunicorn, its own
process) records the event and its delivery row in one transaction; enqueueing the delivery fails and is logged.
When Redis is back, the beat task `send-pending-deliveries` (sent here by name, as beat sends it) finds the row and
a worker delivers it to a real receiver on 127.0.0.1, once."""

import json
import time

import pytest
import requests
from celery import Celery

from cases.webhooks.choices import DeliveryStatus, WebhookEvent
from cases.webhooks.models import Delivery, WebhookEndpoint
from config.api.authentication import token_for
from tests.cases.webhook_receiver import start_receiver
from tests.factories import CaseFactory, UserFactory
from tests.hardening.services import WebProcess, WorkerProcess, drill_database_url, eventually
from tests.services import require_postgres

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_delivery_queued_while_redis_is_down_is_sent_after_it_returns(seeded, persistent_redis, tmp_path):
    require_postgres()
    receiver = start_receiver()
    lead = UserFactory(username="outage_lead", role="quality_lead")
    case = CaseFactory(title="Outage webhook case")
    WebhookEndpoint.objects.create(name="receiver", url=receiver.url, events=[WebhookEvent.CASE_TRANSITIONED])
    token, _ = token_for(lead)
    database_url = drill_database_url()
    web = WebProcess(database_url=database_url, redis_url=persistent_redis.url, log=tmp_path / "web.log")
    worker = WorkerProcess(database_url=database_url, redis_url=persistent_redis.url, log=tmp_path / "worker.log")
    worker.env.update(WEBHOOKS_ALLOW_PRIVATE_ADDRESSES="1", WEBHOOK_OUTBOX_GRACE_SECONDS="0")
    beat = Celery(broker=persistent_redis.url)
    web.start()
    try:
        persistent_redis.stop()
        started = time.monotonic()
        during = requests.post(
            f"{web.base}/api/v1/cases/{case.pk}/transition/",
            json={"to": "triage"},
            headers={"Authorization": f"Token {token.key}"},
            timeout=10,
        )
        outage_seconds = time.monotonic() - started
        pending_in_outage = list(Delivery.objects.values_list("status", flat=True))

        persistent_redis.start()
        worker.start()
        beat.send_task("cases.webhooks.tasks.send_pending_deliveries")
        delivered = eventually(lambda: len(receiver.requests) >= 1, timeout=60)
        settled = eventually(
            lambda: Delivery.objects.filter(status=DeliveryStatus.DELIVERED).exists(), timeout=10, interval=0.1
        )
        beat.send_task("cases.webhooks.tasks.send_pending_deliveries")  # a second sweep sends nothing more
        eventually(lambda: len(receiver.requests) > 1, timeout=3)
    finally:
        worker.stop()
        web.stop()
        receiver.server.shutdown()
        receiver.server.server_close()
        beat.close()

    # The write answers within the drills' 10 s: sending each of its tasks gives up quickly (the publish and result
    # backend retry policies in config/settings/base.py; ~40 s with Celery's defaults), and the delivery waits in the
    # outbox.
    assert during.status_code == 200 and outage_seconds < 10, (outage_seconds, during.text[:300])
    assert pending_in_outage == [DeliveryStatus.PENDING]
    assert delivered and settled, worker.output()[-3000:]
    assert len(receiver.requests) == 1
    body = json.loads(receiver.requests[0].body)
    assert body["type"] == "case.transitioned" and body["data"]["target"] == "triage"
