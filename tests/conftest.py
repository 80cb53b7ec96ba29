import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth.models import Group

from config.celery_app import app as celery_app
from tests.services import redis_url


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
