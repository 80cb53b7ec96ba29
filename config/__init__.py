# Import the Celery app when Django starts so that `.delay()` uses our broker settings (even in eager mode).
from config.celery_app import app as celery_app

__all__ = ("celery_app",)
