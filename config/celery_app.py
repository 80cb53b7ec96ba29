"""The Celery application: reads `CELERY_*` settings from Django settings and autodiscovers `tasks.py` modules."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("rca_quality")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.ping")
def ping(value: str = "pong") -> str:
    """Round-trip task used by the health and worker tests."""
    return value
