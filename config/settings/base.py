"""Settings shared by every profile. Everything that varies comes from environment variables (django-environ).

With nothing set, the app runs on a SQLite file in the project directory and Celery tasks run eagerly, so a newcomer
needs nothing but Python. `DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and a Redis broker.
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env", overwrite=False)

# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-development-only-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
TIME_ZONE = env("TIME_ZONE", default="UTC")
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# DATABASES
# ------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int(
    "CONN_MAX_AGE", default=60 if DATABASES["default"]["ENGINE"].endswith("postgresql") else 0
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if env("TEST_DATABASE_NAME", default=""):
    # Lets several test runs share one PostgreSQL server without clobbering each other's test database.
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME")}

# APPS
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "rca",
    "cases",
    "cases.webhooks",
    "cases.fixes",
    "cases.story",
    "rca.verdicts",
    "cases.disputes",
    "cases.initiatives",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into config.login_guard's answer
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cases.context_processors.navigation",
            ],
        },
    },
]

# AUTHENTICATION
# ------------------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=24 * 30)

# LOGIN GUARD (django-axes; hooks in config/login_guard.py)
# ------------------------------------------------------------------------------
# The login page and POST /api/v1/auth/token/ count failed sign-ins; after LOGIN_FAILURE_LIMIT failures for one
# username, or from one client address (LOGIN_LOCKOUT_PARAMETERS), every attempt is refused, right password or not, for
# LOGIN_LOCKOUT_MINUTES or until an administrator deletes the attempt (admin "Access attempts", or
# `manage.py axes_reset_username USERNAME`). Failures are logged (admin "Access failures", logger `axes`).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = env.list("LOGIN_LOCKOUT_PARAMETERS", default=["username", "ip_address"])
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "config.login_guard.lockout_response"
AXES_CLIENT_IP_CALLABLE = "config.login_guard.client_ip"
AXES_USERNAME_FORM_FIELD = "username"
# Behind a reverse proxy: the header it sets with the client's address (e.g. X-Forwarded-For, X-Real-IP). Unset,
# the connection's address counts, and a client-sent header is ignored.
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="")

# STATIC
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# CACHES
# ------------------------------------------------------------------------------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# REQUEST LIMITS
# ------------------------------------------------------------------------------
# The bulk sample endpoint takes up to 5,000 records (~20 KB each at most): cap bodies a little above that.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=64 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# EMAIL
# ------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="rca@localhost")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# CELERY
# ------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 12 * 60
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task a dead worker had taken is redelivered after this; longer than any task's time limit (15 min). The socket
# timeouts and the publish retry policy bound what a web request waits when the broker is down: work queued after a
# commit is picked up again by the beat sweeps (missed notifications, pending webhook deliveries, stuck runs).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 20 * 60, "socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# The Redis result backend retries for ~20 s by default (one second apart) when a task is sent: once per task queued.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": CELERY_TASK_PUBLISH_RETRY_POLICY}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "detect-patterns-hourly": {"task": "rca.tasks.run_detection", "schedule": timedelta(hours=1)},
    "expire-detection-runs": {"task": "rca.tasks.expire_detection_runs", "schedule": timedelta(minutes=15)},
    # Days an interrupted import marked but did not rebuild (rca/quality/rollups.py); nothing to do most of the time.
    "refresh-quality-rollups": {"task": "rca.tasks.refresh_quality_rollups", "schedule": timedelta(minutes=10)},
}

# REST FRAMEWORK
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["config.api.throttling.TokenClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token_client": env("API_TOKEN_THROTTLE_RATE", default="6000/min")},
    "EXCEPTION_HANDLER": "config.api.errors.exception_handler",
    "PAGE_SIZE": 50,
}
# Bodies of POST /api/v1/samples/bulk/ above this size get a 413 before they are parsed.
API_BULK_MAX_BYTES = env.int("API_BULK_MAX_BYTES", default=32 * 1024 * 1024)
SPECTACULAR_SETTINGS = {
    "TITLE": "RCA quality API",
    "DESCRIPTION": "Moderation samples, RCA cases, error patterns, detection runs and reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI and ReDoc from drf-spectacular-sidecar's static files (served by WhiteNoise), never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No schema validation badge: Swagger UI would send the schema to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.declare_parameter_rules",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.choices.CaseStatus",
        "FindingStatusEnum": "cases.choices.FindingStatus",
        "ActionItemStatusEnum": "cases.choices.ActionItemStatus",
        "PatternStatusEnum": "rca.choices.PatternStatus",
        "DetectionRunStatusEnum": "rca.choices.DetectionRunStatus",
        "ImportJobStatusEnum": "rca.choices.ImportJobStatus",
        "ImportChunkStatusEnum": "rca.choices.ImportChunkStatus",
        "FileFormatEnum": "rca.choices.FileFormat",
        "RootCauseCategoryEnum": "cases.choices.RootCauseCategory",
        "ReviewKindEnum": "rca.verdicts.choices.ReviewKind",
        "KindEnum": "cases.choices.ActionItemKind",  # its name before reviews and the story's markers had a `kind` too
        "InitiativeStatusEnum": "cases.initiatives.choices.InitiativeStatus",
        # The story (`cases.api.story_serializers`): names for choice sets whose field names others use too (the
        # remediation report's basis keeps the name it had alone).
        "BasisEnum": "cases.reporting.choices.RemediationBasis",
        "StoryMarkerKindEnum": ["opened", "fix", "closed", "reopened"],
        "StoryWindowBasisEnum": ["detection_window", "since_first_seen"],
        "StoryUnusualBasisEnum": ["outside", "inside"],
        "FixTestMethodEnum": ["z", "fisher"],
    },
}

# DOMAIN
# ------------------------------------------------------------------------------
# Days from opening to the due date, per severity.
CASE_SLA_DAYS = {"S1": 2, "S2": 7, "S3": 14, "S4": 30}
IMPORT_BATCH_SIZE = env.int("IMPORT_BATCH_SIZE", default=5000)
# An imported audit whose `decided_at` or `audited_at` is later than now plus this is rejected with its line.
IMPORT_MAX_CLOCK_SKEW_MINUTES = env.int("IMPORT_MAX_CLOCK_SKEW_MINUTES", default=60)
BULK_MAX_RECORDS = 5000

# IMPORT JOBS AND RETENTION (owned by rca/importing/jobs.py and rca/retention.py; see the README)
# ------------------------------------------------------------------------------
# `POST /api/v1/import-jobs/` imports files from this directory only (unset: imports by path are off over the API).
IMPORT_SOURCE_DIR = env("IMPORT_SOURCE_DIR", default="")
# A job's file is cut into chunks of about this size, each imported by a worker in one transaction.
IMPORT_CHUNK_BYTES = env.int("IMPORT_CHUNK_BYTES", default=32 * 1024 * 1024)
# A failed chunk is rolled back and retried this many times, after 10 s, 20 s, 40 s... (Celery retry).
IMPORT_CHUNK_MAX_RETRIES = env.int("IMPORT_CHUNK_MAX_RETRIES", default=3)
IMPORT_CHUNK_RETRY_SECONDS = env.float("IMPORT_CHUNK_RETRY_SECONDS", default=10.0)
# The longest a chunk's transaction waits for a lock (rows another import is writing) before it fails and is retried.
IMPORT_CHUNK_LOCK_TIMEOUT_SECONDS = env.float("IMPORT_CHUNK_LOCK_TIMEOUT_SECONDS", default=60.0)
IMPORT_CHUNK_REJECTIONS_KEPT = 100  # rejected records listed on a chunk (all are counted)
# Audits older than this are deleted (the ones case work refers to are kept), archived first when the directory is set.
SAMPLE_RETENTION_DAYS = env.int("SAMPLE_RETENTION_DAYS", default=400)
SAMPLE_ARCHIVE_DIR = env("SAMPLE_ARCHIVE_DIR", default="")
SAMPLE_RETENTION_BATCH = env.int("SAMPLE_RETENTION_BATCH", default=5000)
CELERY_BEAT_SCHEDULE["drop-old-samples"] = {"task": "rca.tasks.drop_old_samples", "schedule": timedelta(hours=6)}

# DETECTION (owned by rca/detection)
# ------------------------------------------------------------------------------
DETECTION_WINDOW_DAYS = env.int("DETECTION_WINDOW_DAYS", default=14)
# A run queued or running longer than this is failed by the `expire-detection-runs` beat task (its tasks' time limits
# add up to under 30 minutes).
DETECTION_RUN_TIMEOUT_MINUTES = env.int("DETECTION_RUN_TIMEOUT_MINUTES", default=60)
# A slice is a pattern only when all three hold: support (audits and errors), lift over the surrounding traffic,
# and a Wilson lower bound (z) above the surrounding rate. See rca/detection/params.py for every knob.
DETECTION_MAX_CONDITIONS = env.int("DETECTION_MAX_CONDITIONS", default=3)
DETECTION_MIN_SUPPORT = env.int("DETECTION_MIN_SUPPORT", default=40)
DETECTION_MIN_ERRORS = env.int("DETECTION_MIN_ERRORS", default=12)
DETECTION_MIN_LIFT = env.float("DETECTION_MIN_LIFT", default=3.0)
DETECTION_Z = env.float("DETECTION_Z", default=3.29)
# Recurring, not a one-off: distinct days, content items and (human decisions) moderators.
DETECTION_MIN_DAYS = env.int("DETECTION_MIN_DAYS", default=3)
DETECTION_MIN_ITEMS = env.int("DETECTION_MIN_ITEMS", default=5)
DETECTION_MIN_MODERATORS = env.int("DETECTION_MIN_MODERATORS", default=2)
DETECTION_TEXT_CLUSTERS = env.int("DETECTION_TEXT_CLUSTERS", default=16)
DETECTION_TOPIC_MATCH_SIMILARITY = env.float("DETECTION_TOPIC_MATCH_SIMILARITY", default=0.5)
# Auditor-driven patterns (rca/detection/auditors.py): no verdict on an auditor with fewer audits (each member of a
# group), and more overturns than a slice's errors, since they pool every error kind.
DETECTION_AUDITOR_MIN_AUDITS = env.int("DETECTION_AUDITOR_MIN_AUDITS", default=60)
DETECTION_AUDITOR_MIN_ERRORS = env.int("DETECTION_AUDITOR_MIN_ERRORS", default=20)
DETECTION_AUDITOR_MAX_GROUP = env.int("DETECTION_AUDITOR_MAX_GROUP", default=5)
# Off for a deployment that must not analyse individual auditors (e.g. a works-council agreement), or whose audits
# carry no auditor ids: detection then neither looks for auditor-driven patterns nor marks verdicts in doubt.
DETECTION_AUDITOR_PASS = env.bool("DETECTION_AUDITOR_PASS", default=True)

# NOTIFICATIONS (owned by cases/notifications)
# ------------------------------------------------------------------------------
from celery.schedules import crontab  # noqa: E402

TEMPLATES[0]["OPTIONS"]["context_processors"].append("cases.notifications.context_processors.notifications")
# Hour (in TIME_ZONE) of the daily reminders: each user gets at most one digest email a day.
NOTIFICATION_REMINDER_HOUR = env.int("NOTIFICATION_REMINDER_HOUR", default=7)
CELERY_BEAT_SCHEDULE.update(
    {
        "notification-reminders-daily": {
            "task": "cases.tasks.send_daily_reminders",
            "schedule": crontab(hour=NOTIFICATION_REMINDER_HOUR, minute=0),
        },
        "report-snapshot-daily": {"task": "cases.tasks.take_report_snapshot", "schedule": crontab(hour=0, minute=30)},
        "notify-missed-activities": {"task": "cases.tasks.notify_missed_activities", "schedule": timedelta(minutes=5)},
        "refresh-fix-verdicts": {"task": "cases.fixes.tasks.refresh_fix_verdicts", "schedule": timedelta(hours=1)},
    }
)

# VERIFIED FIXES (owned by cases/fixes; see docs/fixes.md)
# ------------------------------------------------------------------------------
# A case closes on evidence once its fix verdict holds and it has been monitored this many days.
FIX_MIN_MONITORING_DAYS = env.int("FIX_MIN_MONITORING_DAYS", default=7)
# The verdict's tests: one-sided significance level, power, and the relative fall the power is computed for.
FIX_VERDICT_ALPHA = env.float("FIX_VERDICT_ALPHA", default=0.05)
FIX_VERDICT_POWER = env.float("FIX_VERDICT_POWER", default=0.8)
FIX_VERDICT_DROP = env.float("FIX_VERDICT_DROP", default=0.5)

# CASE STORIES (owned by cases/story)
# ------------------------------------------------------------------------------
# The open cases' stored figures (header, trend, noise test, unusual values) are refreshed once a day.
CELERY_BEAT_SCHEDULE["refresh-case-stories-daily"] = {
    "task": "cases.story.tasks.refresh_open_case_stories",
    "schedule": crontab(hour=1, minute=15),
}
# QUALITY INITIATIVES (owned by cases/initiatives)
# ------------------------------------------------------------------------------
# An initiative's status compares its measure's rate over this many recent days of decisions with its plan; its
# baseline, unless a lead gives it, is the rate over this many days before it is created.
INITIATIVE_RECENT_DAYS = env.int("INITIATIVE_RECENT_DAYS", default=14)
INITIATIVE_BASELINE_DAYS = env.int("INITIATIVE_BASELINE_DAYS", default=28)

# WEBHOOKS AND CHAT ROUTES (owned by cases/webhooks; see docs/webhooks.md)
# ------------------------------------------------------------------------------
# Deliver to private, loopback and reserved addresses too (a local test receiver, an intranet); off: SSRF guard.
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", default=False)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# Retries on 5xx, 429 and timeouts: base * 2^(attempt - 1) seconds, capped, times a random factor in [0.5, 1].
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
WEBHOOK_RETRY_MAX_SECONDS = env.float("WEBHOOK_RETRY_MAX_SECONDS", default=3600.0)
# An endpoint is disabled (and its owner notified) after this many failed attempts in a row.
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=20)
# The outbox sweep leaves deliveries due for less than this to the task their write enqueued.
WEBHOOK_OUTBOX_GRACE_SECONDS = env.int("WEBHOOK_OUTBOX_GRACE_SECONDS", default=120)
CELERY_BEAT_SCHEDULE["send-pending-deliveries"] = {
    "task": "cases.webhooks.tasks.send_pending_deliveries",
    "schedule": timedelta(minutes=1),
}

# LOGGING
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # django-axes logs every successful sign-in at INFO; its failures and lockouts are warnings.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
