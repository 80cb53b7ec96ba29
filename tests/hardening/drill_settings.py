"""Settings of the drills' subprocesses (workers, web app): the test profile on real Redis, short visibility timeout.

An unacknowledged message of a worker that died is handed to another worker once the visibility timeout has passed;
production keeps it at 20 minutes (longer than any task), a drill cannot wait that long. Kombu looks for such messages
every `unacked_restore_interval` seconds but scans only every `unacked_restore_throttle`-th time (10 s x 10 by
default: a message can wait 100 s past its timeout), and a worker killed while it held the scan's mutex blocks the
scans until `unacked_mutex_expire` (5 minutes): the drills scan every 2 s and let a dead worker's mutex go after 20 s.
"""

from config.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "visibility_timeout": 8,
    "unacked_restore_interval": 2,
    "unacked_restore_throttle": 1,
    "unacked_mutex_expire": 20,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {**CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS, "visibility_timeout": 8}  # noqa: F405
