"""Fixtures of the hardening drills: the seeded reference rows back after a transactional flush, a private Redis."""

import importlib

import pytest
from django.apps import apps

from tests.hardening.services import PrivateRedis


@pytest.fixture
def seeded(transactional_db):
    """Policy labels, role groups and teams, put back if an earlier transactional test flushed them (`--reuse-db`
    keeps no serialized copy to restore them from)."""
    importlib.import_module("rca.migrations.0002_seed_policy_labels").seed(apps, None)
    importlib.import_module("cases.migrations.0002_roles_and_teams").seed(apps, None)


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    server.close()


@pytest.fixture
def persistent_redis():
    server = PrivateRedis(persistent=True)
    server.start()
    yield server
    server.close()
