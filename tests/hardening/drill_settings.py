"""Settings of the drills' subprocesses (workers, web app): the test profile on real Redis, short visibility timeout.

An unacknowledged message of a worker that died is handed to another worker once the visibility timeout has passed;
production keeps it at an hour (longer than any task), a drill cannot wait that long.
"""

from config.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "visibility_timeout": 8}  # noqa: F405
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {**CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS, "visibility_timeout": 8}  # noqa: F405
