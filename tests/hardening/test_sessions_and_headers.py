"""Sessions and tokens expire, passwords are validated, and responses carry the security headers (HSTS and secure
cookies in the production profile, checked in a subprocess that loads it). `check --deploy` itself is proved in
tests/config/test_settings.py."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.api.authentication import token_for
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


# SESSIONS
# ------------------------------------------------------------------------------


def test_session_cookie_lives_at_most_the_configured_age(db):
    UserFactory(username="walker", role="partner")
    client = Client()

    response = client.post("/accounts/login/", {"username": "walker", "password": "pw-for-tests-1"})

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert response.status_code == 302
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE <= 24 * 3600
    assert cookie["httponly"] is True


def test_session_past_its_expiry_is_sent_back_to_the_login_page(db):
    client = Client()
    client.force_login(UserFactory(username="sleeper", role="partner"))
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get("/")

    assert response.status_code == 302 and response.headers["Location"].startswith("/accounts/login/")


def test_session_ends_at_logout_and_cannot_be_replayed(db):
    client = Client()
    client.force_login(UserFactory(username="leaver", role="partner"))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    client.post("/accounts/logout/")
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie

    assert replay.get("/").status_code == 302
    assert not Session.objects.filter(session_key=cookie).exists()


# TOKENS
# ------------------------------------------------------------------------------


def test_token_is_refused_once_older_than_the_ttl_and_accepted_just_before(db):
    user = UserFactory(username="robot", role="quality_lead")
    token, _ = token_for(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    ttl = timedelta(hours=settings.API_TOKEN_TTL_HOURS)

    Token.objects.filter(pk=token.pk).update(created=timezone.now() - ttl + timedelta(minutes=1))
    fresh = client.get("/api/v1/cases/")
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - ttl - timedelta(seconds=1))
    stale = client.get("/api/v1/cases/")

    assert fresh.status_code == 200
    assert stale.status_code == 401
    assert not Token.objects.filter(pk=token.pk).exists()
    assert settings.API_TOKEN_TTL_HOURS <= 24 * 90


def test_token_of_a_deactivated_user_is_refused(db):
    user = UserFactory(username="gone", role="quality_lead")
    token, _ = token_for(user)
    user.is_active = False
    user.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert client.get("/api/v1/cases/").status_code == 401


# PASSWORDS
# ------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["short1", "password123", "12345678901", "qualitylead"])
def test_password_validation_refuses_weak_passwords(db, password):
    user = UserFactory.build(username="qualitylead", email="qualitylead@example.com")

    with pytest.raises(ValidationError):
        validate_password(password, user=user)


def test_password_validation_accepts_a_long_uncommon_password(db):
    validate_password("correct-horse-battery-staple-42", user=UserFactory.build(username="someone"))


# HEADERS
# ------------------------------------------------------------------------------


def test_security_headers_are_set_on_pages_and_api(client):
    for path in ("/accounts/login/", "/api/v1/cases/", "/healthz"):
        response = client.get(path)

        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "same-origin", path
        assert response.headers["X-Frame-Options"] == "DENY", path


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
# /healthz needs no static manifest (the login page would: collectstatic is a deploy step, not a test's).
response = Client().get("/healthz", secure=True, HTTP_HOST="rca.example.com")
plain = Client().get("/api/v1/cases/", HTTP_HOST="rca.example.com")
print(json.dumps({
    "headers": dict(response.headers),
    "status": response.status_code,
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location", ""),
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "session_age": settings.SESSION_COOKIE_AGE,
}))
"""


def test_production_profile_sends_hsts_and_secure_cookies_and_redirects_http():
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="rca.example.com",
        DATABASE_URL="sqlite://:memory:",
    )

    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    headers = probe["headers"]
    assert probe["status"] == 200
    assert probe["plain_status"] == 301 and probe["plain_location"].startswith("https://")
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert "includeSubDomains" in headers["Strict-Transport-Security"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert probe["csrf_secure"] and probe["session_secure"] and probe["session_httponly"]
    assert probe["session_age"] <= 24 * 3600
