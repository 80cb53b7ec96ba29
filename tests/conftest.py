from importlib import import_module

import pytest
from celery.contrib.testing.worker import start_worker
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.core.cache import cache

from cases.choices import Role
from config.celery_app import app as celery_app
from rca.models import PolicyLabel
from tests.services import redis_url

# Data migrations that fill reference tables (policy labels, role groups, teams).
# (module, function): the migrations' functions that fill the reference rows, in migration order.
REFERENCE_DATA_MIGRATIONS = (
    ("rca.migrations.0002_seed_policy_labels", "seed"),
    ("cases.migrations.0002_roles_and_teams", "seed"),
    ("cases.migrations.0017_qa_calibration_and_audit_quality_routing", "route_audit_quality"),
)
DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def reference_data(request):
    """Put the rows of the data migrations back when a transactional test (a real worker, a browser) flushed them.

    A flush empties every table, the migrated reference rows included, and later tests would find no role groups
    or policy labels. Checking costs two queries per database test; seeding happens only after a flush.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not DATABASE_FIXTURES & set(request.fixturenames):
        return
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    transactional = transactional or bool({"transactional_db", "live_server"} & set(request.fixturenames))
    request.getfixturevalue("transactional_db" if transactional else "db")
    if not (Group.objects.filter(name=Role.QUALITY_LEAD).exists() and PolicyLabel.objects.filter(code="none").exists()):
        for module, function in REFERENCE_DATA_MIGRATIONS:
            getattr(import_module(module), function)(django_apps, None)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: nothing cached by an earlier test (e.g. the markets and languages of the
    filter selects, `rca.sample_values`) leaks into it."""
    cache.clear()


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (in a thread of this process) consuming from the real Redis broker, eager mode off.

    Needs `transactional_db` so that the worker's connection sees what the test wrote.
    """
    redis_url()
    celery_app.loader.import_module("celery.contrib.testing.tasks")
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=True, shutdown_timeout=30) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = previous


def _user_with_role(django_user_model, username: str, role: str | None, **extra):
    user = django_user_model.objects.create_user(username=username, password="pw-for-tests-1", **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def quality_lead(db, django_user_model):
    return _user_with_role(django_user_model, "lead", "quality_lead")


@pytest.fixture
def manager(db, django_user_model):
    return _user_with_role(django_user_model, "boss", "manager")


@pytest.fixture
def partner(db, django_user_model):
    return _user_with_role(django_user_model, "partner", "partner")


@pytest.fixture
def outsider(db, django_user_model):
    """A logged-in user with no role at all."""
    return _user_with_role(django_user_model, "nobody", None)
