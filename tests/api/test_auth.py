from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.api.authentication import token_for
from config.api.throttling import TokenClientRateThrottle

TOKEN_URL = "/api/v1/auth/token/"
PROTECTED = [
    "/api/v1/cases/",
    "/api/v1/cases/1/",
    "/api/v1/cases/1/transitions/",
    "/api/v1/cases/1/activity/",
    "/api/v1/samples/",
    "/api/v1/samples/qa-1/",
    "/api/v1/findings/",
    "/api/v1/action-items/",
    "/api/v1/comments/",
    "/api/v1/patterns/",
    "/api/v1/detection-runs/",
]


@pytest.mark.django_db
def test_token_endpoint_exchanges_credentials_for_a_token(anonymous_client, quality_lead):
    response = anonymous_client.post(TOKEN_URL, {"username": "lead", "password": "pw-for-tests-1"}, format="json")

    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=quality_lead).key
    assert "expires_at" in response.json()


@pytest.mark.django_db
def test_token_endpoint_refuses_a_wrong_password_with_400(anonymous_client, quality_lead):
    response = anonymous_client.post(TOKEN_URL, {"username": "lead", "password": "wrong"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}
    assert not Token.objects.exists()


@pytest.mark.django_db
def test_token_endpoint_rejects_unknown_fields(anonymous_client, quality_lead):
    response = anonymous_client.post(
        TOKEN_URL, {"username": "lead", "password": "pw-for-tests-1", "scope": "all"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"scope": ["Unknown field."]}


@pytest.mark.django_db
def test_token_endpoint_reuses_a_live_token(anonymous_client, quality_lead):
    first = anonymous_client.post(TOKEN_URL, {"username": "lead", "password": "pw-for-tests-1"}, format="json")
    second = anonymous_client.post(TOKEN_URL, {"username": "lead", "password": "pw-for-tests-1"}, format="json")

    assert first.json()["token"] == second.json()["token"]


@pytest.mark.django_db
def test_token_endpoint_replaces_an_expired_token(anonymous_client, quality_lead, settings):
    old, _ = token_for(quality_lead)
    Token.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(hours=settings.API_TOKEN_TTL_HOURS + 1))

    response = anonymous_client.post(TOKEN_URL, {"username": "lead", "password": "pw-for-tests-1"}, format="json")

    assert response.status_code == 200
    assert response.json()["token"] != old.key


@pytest.mark.django_db
def test_token_authentication_refuses_an_expired_token_with_401(quality_lead, settings):
    token, _ = token_for(quality_lead)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(hours=settings.API_TOKEN_TTL_HOURS + 1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.get("/api/v1/cases/")

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    assert not Token.objects.filter(pk=token.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", PROTECTED)
def test_api_refuses_anonymous_clients_with_401(anonymous_client, url):
    response = anonymous_client.get(url)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
def test_api_accepts_a_session(client, quality_lead, shared_case):
    client.force_login(quality_lead)

    response = client.get("/api/v1/cases/")

    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.django_db
def test_api_session_writes_need_the_csrf_token(quality_lead):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(quality_lead)

    response = client.post("/api/v1/cases/", {"title": "No CSRF"}, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


@pytest.mark.django_db
def test_api_throttles_token_clients(lead_client, monkeypatch):
    cache.clear()
    monkeypatch.setattr(TokenClientRateThrottle, "rate", "2/min", raising=False)

    statuses = [lead_client.get("/api/v1/cases/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


@pytest.mark.django_db
def test_api_does_not_throttle_sessions(client, quality_lead, monkeypatch):
    cache.clear()
    monkeypatch.setattr(TokenClientRateThrottle, "rate", "2/min", raising=False)
    client.force_login(quality_lead)

    statuses = [client.get("/api/v1/cases/").status_code for _ in range(3)]

    assert statuses == [200, 200, 200]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/patterns/a%0Ab/", "/api/v1/cases/1.5/"])
def test_unknown_api_paths_get_a_json_404(lead_client, path):
    response = lead_client.get(path)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
