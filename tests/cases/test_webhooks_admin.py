"""The webhooks in the admin: endpoints registered through the form (the SSRF check included), and the delivery log
with each attempt's status code and duration."""

import pytest
from django.utils import timezone

from cases.webhooks.models import Delivery, DeliveryAttempt, WebhookEndpoint
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_browser(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_delivery_log_shows_status_codes_and_durations(admin_browser):
    endpoint = WebhookEndpoint.objects.create(name="tracker", url="https://hooks.example.com/", events=["case.opened"])
    now = timezone.now()
    delivery = Delivery.objects.create(
        endpoint=endpoint, key="k", event="case.opened", occurred_at=now, payload={}, next_attempt_at=now
    )
    DeliveryAttempt.objects.create(delivery=delivery, number=1, status_code=503, duration_ms=1234, error="HTTP 503")

    listing = admin_browser.get("/admin/webhooks/delivery/")
    page = admin_browser.get(f"/admin/webhooks/delivery/{delivery.pk}/change/")

    assert listing.status_code == 200 and b"tracker" in listing.content
    assert page.status_code == 200 and b"503" in page.content and b"1234" in page.content


def test_the_admin_registers_an_endpoint_and_refuses_a_loopback_url(admin_browser):
    form = {"name": "tracker", "url": "https://hooks.example.com/", "secret": "s" * 32, "events": ["case.opened"]}

    refused = admin_browser.post("/admin/webhooks/webhookendpoint/add/", {**form, "url": "http://127.0.0.1/"})
    added = admin_browser.post("/admin/webhooks/webhookendpoint/add/", form)

    assert refused.status_code == 200 and b"loopback" in refused.content
    assert added.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["case.opened"] and endpoint.owner.username == "root"
