from django.apps import AppConfig
from django.db.backends.signals import connection_created


class RcaConfig(AppConfig):
    name = "rca"
    verbose_name = "Evidence and analysis"

    def ready(self) -> None:
        # Register the app's Celery tasks in every process (web too), so that services can enqueue them by name.
        from config.database import use_fast_timestamptz_loader
        from rca import tasks  # noqa: F401

        connection_created.connect(use_fast_timestamptz_loader, dispatch_uid="rca.fast_timestamptz_loader")
