"""Guessing passwords is stopped on both password endpoints (django-axes, hooks in config/login_guard.py)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from config import login_guard

TOKEN_URL = "/api/v1/auth/token/"
LOGIN_URL = "/accounts/login/"
RIGHT = "pw-for-tests-1"  # tests/conftest.py's password
LIMIT = 5  # the default LOGIN_FAILURE_LIMIT


def _token(client, password: str, username: str = "lead", **extra):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json", **extra)


def _login(client, password: str, username: str = "lead", **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_login_guard_token_endpoint_locks_the_username_after_the_limit_even_with_the_right_password(quality_lead):
    client = APIClient()
    answers = [_token(client, f"wrong-{n}").status_code for n in range(LIMIT)]

    locked = _token(client, RIGHT)

    assert answers == [400] * (LIMIT - 1) + [429]  # the failure that reaches the limit already says so
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert "locked for 15 minutes" in locked.json()["detail"]


@pytest.mark.django_db
def test_login_guard_login_page_locks_the_username_after_the_limit_even_with_the_right_password(quality_lead):
    client = Client()
    answers = [_login(client, f"wrong-{n}").status_code for n in range(LIMIT)]

    locked = _login(client, RIGHT)

    assert answers == [200] * (LIMIT - 1) + [429]  # the form again, with its error
    assert locked.status_code == 429
    assert "Too many failed sign-ins for this account" in locked.content.decode()
    assert 'value="lead"' in locked.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_guard_right_password_before_the_limit_works_and_resets_the_count(quality_lead):
    client = APIClient()
    for n in range(LIMIT - 1):
        _token(client, f"wrong-{n}")

    assert _token(client, RIGHT).status_code == 200
    assert [_token(client, f"again-{n}").status_code for n in range(LIMIT - 1)] == [400] * (LIMIT - 1)
    assert _token(client, RIGHT).status_code == 200


@pytest.mark.django_db
def test_login_guard_failures_on_one_username_do_not_lock_another_elsewhere(quality_lead, manager):
    client = APIClient()
    for n in range(LIMIT):
        _token(client, f"wrong-{n}", REMOTE_ADDR="203.0.113.9")

    assert _token(client, RIGHT, username="boss", REMOTE_ADDR="198.51.100.7").status_code == 200
    assert _token(client, RIGHT, REMOTE_ADDR="198.51.100.7").status_code == 429


@pytest.mark.django_db
def test_login_guard_an_address_guessing_many_usernames_is_locked(quality_lead, manager):
    client = APIClient()
    for n in range(LIMIT):
        _token(client, "wrong", username=f"someone-{n}", REMOTE_ADDR="203.0.113.9")

    assert _token(client, RIGHT, username="boss", REMOTE_ADDR="203.0.113.9").status_code == 429
    assert _token(client, RIGHT, username="boss", REMOTE_ADDR="198.51.100.7").status_code == 200


@pytest.mark.django_db
def test_login_guard_lockout_ends_after_the_cool_off(quality_lead, settings):
    client = APIClient()
    for n in range(LIMIT):
        _token(client, f"wrong-{n}")
    assert _token(client, RIGHT).status_code == 429

    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))

    assert _token(client, RIGHT).status_code == 200


@pytest.mark.django_db
def test_login_guard_an_administrator_lifts_the_lockout(quality_lead):
    client = Client()
    for n in range(LIMIT):
        _login(client, f"wrong-{n}")
    assert _login(client, RIGHT).status_code == 429

    call_command("axes_reset_username", "lead")

    assert _login(client, RIGHT).status_code == 302


@pytest.mark.django_db
def test_login_guard_logs_each_failure_with_its_address(quality_lead):
    client = APIClient()
    _token(client, "wrong", REMOTE_ADDR="203.0.113.9")

    failure = AccessFailureLog.objects.get()
    assert (failure.username, failure.ip_address) == ("lead", "203.0.113.9")


def test_login_guard_client_ip_ignores_a_forwarded_header_unless_configured(rf, settings):
    settings.CLIENT_IP_HEADER = ""
    request = rf.post(LOGIN_URL, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert login_guard.client_ip(request) == "10.0.0.2"


def test_login_guard_client_ip_reads_the_configured_header_right_most_entry(rf, settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    request = rf.post(LOGIN_URL, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")

    assert login_guard.client_ip(request) == "198.51.100.7"
