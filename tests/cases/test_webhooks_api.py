"""The webhook endpoints API: staff register, read, change and remove endpoints; the secret is shown once; every
other role is refused (403, 401 without credentials); bad input is a 400 with a message."""

import pytest
from rest_framework.test import APIClient

from cases.webhooks.models import WebhookEndpoint
from config.api.authentication import token_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
VALID = {"name": "tracker", "url": "https://hooks.example.com/rca", "events": ["case.opened", "case.reopened"]}


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = token_for(user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def admin_client():
    return _client(UserFactory(username="admin1", is_staff=True))


def test_staff_register_an_endpoint_and_see_its_secret_once(admin_client):
    created = admin_client.post("/api/v1/webhooks/", VALID, format="json")
    listed = admin_client.get("/api/v1/webhooks/")

    assert created.status_code == 201, created.content
    assert len(created.json()["secret"]) >= 32 and created.json()["owner"] == "admin1"
    assert listed.json()["results"][0]["events"] == ["case.opened", "case.reopened"]
    assert "secret" not in listed.json()["results"][0]


def test_staff_change_and_remove_an_endpoint(admin_client):
    endpoint_id = admin_client.post("/api/v1/webhooks/", VALID, format="json").json()["id"]

    changed = admin_client.patch(f"/api/v1/webhooks/{endpoint_id}/", {"events": ["comment.mention"]}, format="json")
    removed = admin_client.delete(f"/api/v1/webhooks/{endpoint_id}/")

    assert changed.status_code == 200 and changed.json()["events"] == ["comment.mention"]
    assert removed.status_code == 204 and not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({**VALID, "url": "http://127.0.0.1:8080/hook"}, "url"),
        ({**VALID, "url": "http://localhost/hook"}, "url"),
        ({**VALID, "url": "ftp://hooks.example.com/"}, "url"),
        ({**VALID, "events": ["fix.verdict_changed"]}, "events"),
        ({**VALID, "events": []}, "events"),
        ({**VALID, "colour": "blue"}, "colour"),
    ],
)
def test_bad_registrations_are_refused_with_a_message(admin_client, body, field):
    response = admin_client.post("/api/v1/webhooks/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("role", ["quality_lead", "manager", "partner"])
def test_other_roles_are_refused(role):
    client = _client(UserFactory(role=role))

    assert client.get("/api/v1/webhooks/").status_code == 403
    assert client.post("/api/v1/webhooks/", VALID, format="json").status_code == 403
    assert not WebhookEndpoint.objects.exists()


def test_anonymous_is_asked_to_authenticate():
    assert _client().get("/api/v1/webhooks/").status_code == 401
