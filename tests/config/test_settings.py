import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


# Variables of the test session that a deployment does not have (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE).
SESSION_ONLY = ("DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")


def _run_check(settings_module: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean_env = {key: value for key, value in os.environ.items() if key not in SESSION_ONLY}
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env={**clean_env, "DJANGO_SETTINGS_MODULE": settings_module, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_settings_default_profile_loads_on_sqlite_with_eager_celery():
    code = "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)"
    clean_env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**clean_env, "DJANGO_SETTINGS_MODULE": "config.settings.base"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]


def test_settings_production_profile_passes_check_deploy_without_warnings():
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "a-long-random-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "rca.example.com",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/rca",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }

    result = _run_check("config.settings.production", env, "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_settings_production_profile_refuses_to_start_without_a_secret():
    result = _run_check("config.settings.production", {"DEBUG": "0", "ALLOWED_HOSTS": "rca.example.com"})

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_docker_compose_defines_the_services_with_the_same_variables():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]

    assert set(services) >= {"postgres", "redis", "web", "worker", "beat"}
    assert "gunicorn" in " ".join(services["web"]["command"])
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        for variable in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"):
            assert variable in environment, f"{name} lacks {variable}"
    for name in ("postgres", "redis", "web"):
        assert "healthcheck" in services[name], f"{name} has no health check"
